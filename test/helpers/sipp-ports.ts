/**
 * Loopback ports for SIPp runs: finding a free one, and telling when a given
 * process has bound it.
 *
 * Readiness is read from the kernel (/proc/net/{udp,tcp} and the process's
 * open file descriptors) rather than probed with SIP traffic: an OPTIONS
 * sent to a SIPp UAS would be counted in its statistics as an out-of-call
 * message, and checking the owner's inode proves that *this* SIPp holds the
 * port, not whatever held it a moment before.
 *
 * @example
 *   const port = await freeLoopbackPort();
 *   // ... spawn something that binds 127.0.0.1:port over UDP ...
 *   const bound = await waitUntilBound({ pid, port, transport: 'udp', timeoutMs: 5000, alive: () => running });
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { endianness } from 'node:os';

export type LoopbackTransport = 'udp' | 'tcp';

const FREE_PORT_ATTEMPTS = 50;
const POLL_INTERVAL_MS = 10;
/** Socket states in /proc/net: a bound UDP socket is CLOSE (07), a listening TCP socket LISTEN (0A). */
const BOUND_STATE: Record<LoopbackTransport, string> = { udp: '07', tcp: '0A' };

/** True for an IPv4 literal in 127.0.0.0/8, the only addresses SIPp runs may use. */
export function isLoopbackIPv4(host: string): boolean {
  const parts = host.split('.');
  return parts.length === 4 && parts[0] === '127' && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/**
 * A port on `host` that is free for both UDP and TCP at the time of the
 * call. The OS picks it (bind to port 0), so parallel test workers do not
 * collide except by a race, which callers handle by retrying on a bind error
 * (startSipp does).
 */
export async function freeLoopbackPort(host = '127.0.0.1'): Promise<number> {
  if (!isLoopbackIPv4(host)) throw new Error(`freeLoopbackPort: ${host} is not an IPv4 loopback address`);
  for (let attempt = 0; attempt < FREE_PORT_ATTEMPTS; attempt++) {
    const server = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => {
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
    const udp = createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, host, () => resolve(true));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (udpFree && port > 0) return port;
  }
  throw new Error(`freeLoopbackPort: no port free for both UDP and TCP on ${host} after ${FREE_PORT_ATTEMPTS} attempts`);
}

/** The address column of /proc/net/{udp,tcp}: IPv4 in host byte order, then the port, both hex. */
function procAddress(host: string, port: number): string {
  const octets = host.split('.').map((p) => Number(p).toString(16).padStart(2, '0').toUpperCase());
  const ip = endianness() === 'LE' ? octets.reverse().join('') : octets.join('');
  return `${ip}:${port.toString(16).padStart(4, '0').toUpperCase()}`;
}

/** Inodes of sockets bound (UDP) or listening (TCP) on host:port, from the current network namespace. */
function boundInodes(host: string, port: number, transport: LoopbackTransport): Set<string> {
  const inodes = new Set<string>();
  let table: string;
  try {
    table = readFileSync(`/proc/net/${transport}`, 'utf8');
  } catch {
    return inodes;
  }
  const wanted = procAddress(host, port);
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    // cols: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
    if (cols[1] === wanted && cols[3] === BOUND_STATE[transport] && cols[9] !== undefined) inodes.add(cols[9]);
  }
  return inodes;
}

/** Socket inodes among a process's open file descriptors (empty once it has exited). */
function socketInodesOf(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1] !== undefined) inodes.add(m[1]);
    } catch {
      // the descriptor closed between readdir and readlink
    }
  }
  return inodes;
}

/** Whether process `pid` holds a socket bound (UDP) or listening (TCP) on host:port right now. */
export function isBoundBy(pid: number, port: number, transport: LoopbackTransport, host = '127.0.0.1'): boolean {
  const bound = boundInodes(host, port, transport);
  if (bound.size === 0) return false;
  for (const inode of socketInodesOf(pid)) if (bound.has(inode)) return true;
  return false;
}

export interface WaitUntilBoundOptions {
  pid: number;
  port: number;
  transport: LoopbackTransport;
  host?: string;
  timeoutMs: number;
  /** Stops the wait early when the process is gone. */
  alive: () => boolean;
}

/**
 * Polls until `pid` has bound host:port. Resolves 'bound', 'exited' (the
 * process died first) or 'timeout'.
 */
export async function waitUntilBound(o: WaitUntilBoundOptions): Promise<'bound' | 'exited' | 'timeout'> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    if (isBoundBy(o.pid, o.port, o.transport, o.host)) return 'bound';
    if (!o.alive()) return 'exited';
    if (Date.now() >= deadline) return 'timeout';
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
}
