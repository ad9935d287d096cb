/**
 * Counts the RTP that rtpengine sends to the waiting callers without reading it. The
 * callers' SIPp binds its media port (-mp) and never reads it, so its receive buffer
 * fills within milliseconds and the kernel then drops, and counts, every further
 * datagram: the `drops` column of /proc/net/udp for that socket grows by exactly the
 * packets that arrive. Nothing in user space touches the audio, so counting costs no
 * CPU that would be charged to Switchboard or rtpengine. (rtpengine's own `query` and
 * `statistics` count received packets only, not what `play media` sends.) The table has
 * a row for each of rtpengine's media sockets, and the kernel takes 7–30 ms to build it,
 * so it is read in libuv's thread pool, never on the event loop Switchboard shares.
 *
 * | column (after `sl`)         | example          | used as                          |
 * |-----------------------------|------------------|----------------------------------|
 * | local_address               | 0100007F:1770    | port 0x1770 = 6000 picks the row |
 * | tx_queue:rx_queue           | 00000000:00034000| bytes waiting (buffer full)      |
 * | drops (last)                | 869              | datagrams dropped so far         |
 *
 * @example
 *   const a = await sinkCounter(rtpPort); … const b = await sinkCounter(rtpPort);
 *   const pps = rtpRate([a, b]);   // packets per second between the two readings
 */
import { readFile } from 'node:fs/promises';

/** G.711 at 20 ms packetisation: what each caller receives while music plays. */
export const PACKETS_PER_SECOND_PER_CALLER = 50;

export interface SinkReading {
  /** performance.now() at the reading, ms. */
  readonly atMs: number;
  /** Datagrams the kernel dropped at the socket so far (undefined: no such socket). */
  readonly drops: number | undefined;
  /** Bytes waiting in its receive buffer. */
  readonly queuedBytes: number | undefined;
}

/** The row of /proc/net/udp (or udp6) text whose local port is `port`: its drops and queued bytes. */
export function udpSocketByPort(table: string, port: number): { drops: number; queuedBytes: number } | undefined {
  for (const line of table.split('\n').slice(1)) {
    const cells = line.trim().split(/\s+/);
    // sl, local_address, rem_address, st, tx_queue:rx_queue, …, drops
    if (cells.length < 6) continue;
    const local = cells[1]!;
    if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) !== port) continue;
    const queues = cells[4]!.split(':');
    const drops = Number(cells[cells.length - 1]);
    const queuedBytes = parseInt(queues[1] ?? '', 16);
    if (!Number.isFinite(drops) || !Number.isFinite(queuedBytes)) continue;
    return { drops, queuedBytes };
  }
  return undefined;
}

/** Reads the kernel's counters for the UDP socket on 127.0.0.1:port (IPv4); stamped when the read completes. */
export async function sinkCounter(port: number, now: () => number = () => performance.now()): Promise<SinkReading> {
  let row: { drops: number; queuedBytes: number } | undefined;
  try {
    row = udpSocketByPort(await readFile('/proc/net/udp', 'utf8'), port);
  } catch {
    row = undefined;
  }
  return { atMs: now(), drops: row?.drops, queuedBytes: row?.queuedBytes };
}

/**
 * Packets per second between the first and the last reading that saw the socket; 0 when
 * fewer than two did or no time passed. The buffer is full after the first packets, so
 * the growth of `drops` is the arrival rate.
 */
export function rtpRate(readings: readonly SinkReading[]): number {
  const seen = readings.filter((r) => r.drops !== undefined);
  const first = seen[0];
  const last = seen.at(-1);
  if (first === undefined || last === undefined || last.atMs <= first.atMs) return 0;
  return ((last.drops! - first.drops!) * 1000) / (last.atMs - first.atMs);
}
