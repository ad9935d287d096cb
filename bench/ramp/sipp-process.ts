/**
 * One SIPp process for a bench step: started (optionally pinned with taskset), bounded
 * by a wall-clock limit after which it is killed by PID, and read back from the files
 * it wrote in its own directory (statistics, response times, message counts).
 *
 * @example
 *   const uas = startSipp({ args: ['-sf', uasXml, '-p', '5070', '-m', '100'], dir, wallMs: 30_000 });
 *   const exit = await uas.done;
 *   const files = readSippFiles(uas);
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMessageCounts, readRttSamples, readStatRows, type CsvRow, type MessageCounts, type RttSample } from './sipp-files.js';

export const SIPP = process.env['SWITCHBOARD_SIPP'] ?? '/usr/bin/sipp';

export interface SippStart {
  readonly args: readonly string[];
  /** Working directory: SIPp writes its traces here. */
  readonly dir: string;
  /** Killed (SIGKILL) after this long; the exit then says `killedByBound`. */
  readonly wallMs: number;
  /** CPU list for taskset (e.g. "1"), or undefined to let the kernel place it. */
  readonly cpus?: string | undefined;
}

export interface SippExit {
  readonly code: number | null;
  readonly killedByBound: boolean;
  /** The last 500 characters SIPp wrote to stderr (its reason when it refuses to start). */
  readonly stderr: string;
}

export interface SippProcess {
  readonly pid: number;
  readonly dir: string;
  readonly done: Promise<SippExit>;
  /** Kills this process (by its PID) now; `done` then resolves. */
  kill(): void;
}

/** Traces every bench SIPp writes: statistics every second, message counts, response times. */
export const TRACE_ARGS: readonly string[] = ['-trace_stat', '-stf', 'stat.csv', '-fd', '1', '-trace_counts', '-trace_rtt', '-rtt_freq', '1', '-trace_err', '-nostdin'];

/** Throws a one-line error when SIPp is not installed or not executable. */
export function assertSippInstalled(): void {
  try {
    accessSync(SIPP, constants.X_OK);
  } catch {
    throw new Error(`SIPp not found at ${SIPP} (install Debian's sip-tester, or set SWITCHBOARD_SIPP)`);
  }
}

export function startSipp(start: SippStart): SippProcess {
  const argv = [...start.args, ...TRACE_ARGS];
  // taskset execs SIPp in place, so the PID we get is SIPp's own.
  const child = start.cpus === undefined ? spawn(SIPP, argv, { cwd: start.dir, stdio: ['ignore', 'ignore', 'pipe'] }) : spawn('taskset', ['-c', start.cpus, SIPP, ...argv], { cwd: start.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-500)));
  let killedByBound = false;
  const bound = setTimeout(() => {
    killedByBound = true;
    child.kill('SIGKILL');
  }, start.wallMs);
  const done = new Promise<SippExit>((resolve) => {
    child.once('error', (err) => {
      clearTimeout(bound);
      resolve({ code: null, killedByBound: false, stderr: `cannot start ${SIPP}: ${err.message}` });
    });
    child.once('exit', (code) => {
      clearTimeout(bound);
      resolve({ code, killedByBound, stderr: stderr.trim() });
    });
  });
  return {
    pid: child.pid ?? -1,
    dir: start.dir,
    done,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export interface SippFiles {
  /** -trace_stat rows, one per second. */
  readonly stat: CsvRow[];
  readonly rtt: RttSample[];
  readonly counts: MessageCounts;
  /** Up to 3 distinct reasons from SIPp's error log (why calls failed), timestamps and Call-IDs removed. */
  readonly errors: readonly string[];
}

/** What SIPp left in its directory; empty parts when it wrote nothing (it failed to start). */
export function readSippFiles(dir: string): SippFiles {
  const names = safeList(dir);
  const read = (suffix: string): string => {
    const name = names.find((n) => n.endsWith(suffix));
    return name === undefined ? '' : readFileSync(join(dir, name), 'utf8');
  };
  return { stat: readStatRows(read('stat.csv')), rtt: readRttSamples(read('_rtt.csv')), counts: readMessageCounts(read('_counts.csv')), errors: errorReasons(read('_errors.log')) };
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * SIPp's error log: events that start with a timestamp line and may run over several lines
 * (the message it choked on). Each distinct event becomes its first line plus its last
 * (where SIPp puts e.g. the regexp that failed), Call-IDs removed; at most 3.
 */
export function errorReasons(log: string): string[] {
  const reasons = new Set<string>();
  // An event may start right after the previous one's closing quote, without a newline.
  const events = log.replace(/\r/g, '').split(/(?=\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\.\d+\t)/).slice(1);
  for (const event of events) {
    const lines = event.split('\n').filter((l) => l.trim() !== '');
    const first = (lines[0] ?? '').replace(/^\d{4}-\d\d-\d\d\t\S+\t[\d.]+: /, '');
    const last = lines.length > 1 ? ` … ${lines[lines.length - 1]!.trim().replace(/'$/, '')}` : '';
    reasons.add(`${first}${last}`.replace(/Call-Id '[^']*'/g, "Call-Id '…'").replace(/for call: \S+/g, 'for call: …').slice(0, 240));
    if (reasons.size >= 3) break;
  }
  return [...reasons];
}
