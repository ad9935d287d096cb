/**
 * Resource readings from /proc for the bench: CPU time and RSS of a process (SIPp,
 * which Node cannot ask), and the kernel's UDP receive-buffer drops. Inside the bench's
 * network namespace /proc/net shows that namespace only, so the drops are ours.
 *
 * Switchboard under test runs on the bench process's own event loop, so a reading taken
 * every second must not block it: the kernel builds /proc/net/udp line by line for every
 * socket (7–30 ms with rtpengine's 2,000 media sockets), and a synchronous read of it
 * stalled the calls in flight. socketDrops() reads in libuv's thread pool; the small
 * files (a process's stat, /proc/net/snmp) are read at once.
 *
 * @example
 *   const before = processCpuMs(sippPid);
 *   …
 *   const cpuMs = processCpuMs(sippPid) - before;
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** USER_HZ: the unit of /proc/<pid>/stat times, 100 on every Linux ABI Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a process in ms, or undefined when it is gone. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** Resident set size of a process in bytes, or undefined when it is gone. */
export function processRssBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Sum of the `drops` column of /proc/net/udp and /proc/net/udp6 (sockets open now), read off the event loop. */
export async function socketDrops(): Promise<number> {
  const [v4, v6] = await Promise.all([readFile('/proc/net/udp', 'utf8').catch(() => ''), readFile('/proc/net/udp6', 'utf8').catch(() => '')]);
  return socketTableDrops(v4) + socketTableDrops(v6);
}

/** `Udp: RcvbufErrors` of /proc/net/snmp plus Udp6's of /proc/net/snmp6: datagrams dropped so far. */
export function rcvbufErrors(): number {
  let total = 0;
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    const head = lines[0]?.split(/\s+/) ?? [];
    const values = lines[1]?.split(/\s+/) ?? [];
    const i = head.indexOf('RcvbufErrors');
    if (i > 0) total += Number(values[i] ?? 0);
  } catch {
    // no /proc/net/snmp: report 0
  }
  try {
    const m = /^Udp6RcvbufErrors\s+(\d+)/m.exec(readFileSync('/proc/net/snmp6', 'utf8'));
    if (m) total += Number(m[1]);
  } catch {
    // no IPv6
  }
  return total;
}

/** Sum of the `drops` column of a /proc/net/udp table's text. */
export function socketTableDrops(table: string): number {
  const lines = table.split('\n');
  const head = lines[0]?.trim().split(/\s+/) ?? [];
  // The header names fewer columns than the rows have ("tx_queue rx_queue" is one cell
  // in rows, "tr tm->when" another), so count from the end: drops is the last column.
  let total = 0;
  for (const line of lines.slice(1)) {
    const cells = line.trim().split(/\s+/);
    if (cells.length < 2 || head.length === 0) continue;
    const drops = Number(cells[cells.length - 1]);
    if (Number.isFinite(drops)) total += drops;
  }
  return total;
}
