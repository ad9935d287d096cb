/**
 * The callers who wait in the queue: one SIPp UAC (bench/sipp/queue-uac.xml) dialling
 * 1000 at a modest rate, each call answered by the queue's music and then held after
 * the ACK until the bench ends. Bounded three ways: `-m` calls, a `hold_ms` pause longer
 * than the bench needs (after which each caller hangs up by itself), and a wall-clock
 * bound after which the process is killed by PID. The bench normally kills it first.
 *
 * All callers advertise the same RTP port (-mp), which nothing reads: see rtp-sink.ts.
 *
 * @example
 *   const callers = startWaitingCallers({ calls: 1000, rate: 100, sipPort: sb.sipPort, holdMs: 120_000, pin: {} });
 *   const n = await callers.untilWaiting(() => sb.acd!.queueSize('q'), 30_000);
 *   callers.kill();
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, udpPortFree } from '../ramp/ports.js';
import { keyArgs, SIPP_DIR } from '../ramp/scenarios.js';
import { num } from '../ramp/sipp-files.js';
import { readSippFiles, startSipp, type SippFiles, type SippProcess } from '../ramp/sipp-process.js';
import type { Pinning } from '../ramp/step.js';
import { HOLD_NUMBER } from './config.js';

export const QUEUE_UAC = join(SIPP_DIR, 'queue-uac.xml');

export interface WaitingCallers {
  readonly pid: number;
  /** The RTP port every caller advertises (SIPp's media socket). */
  readonly rtpPort: number;
  /** Polls `waiting` every 250 ms until it reports `calls`, SIPp ends, or `boundMs` passes; resolves with the last count. */
  untilWaiting(waiting: () => number, boundMs: number): Promise<number>;
  /** Calls SIPp counts as failed so far (its statistics file, written every second). */
  failedSoFar(): number;
  /** Kills SIPp by PID and reads what it wrote; the directory is removed unless SWITCHBOARD_BENCH_KEEP=1. */
  stop(): Promise<SippFiles>;
}

/** A port for SIPp's media socket with the one two above (its video socket) free as well. */
/**
 * A free port not in `avoid`. Ports picked earlier but bound later (the step's UAS) look
 * free to the kernel, which may hand the same number out again: they must be skipped.
 */
async function freePortAvoiding(avoid: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const p = await freePort();
    if (!avoid.has(p)) return p;
  }
  throw new Error('no free loopback port outside the ports already chosen');
}

async function mediaPort(avoid: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const p = await freePortAvoiding(avoid);
    if (p + 2 <= 65_535 && !avoid.has(p + 2) && !avoid.has(p + 1) && (await udpPortFree(p + 2))) return p;
  }
  throw new Error('no free pair of loopback ports for the callers’ RTP');
}

export async function startWaitingCallers(o: {
  calls: number;
  rate: number;
  sipPort: number;
  holdMs: number;
  pin: Pinning;
  /** Ports chosen for others but not bound yet (the step's UAS, the agent). */
  avoid: readonly number[];
}): Promise<WaitingCallers> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-hold-callers-'));
  const avoid = new Set(o.avoid);
  const sipPort = await freePortAvoiding(avoid);
  avoid.add(sipPort);
  const rtpPort = await mediaPort(avoid);
  const wallMs = o.holdMs + 30_000;
  const sipp: SippProcess = startSipp({
    args: [
      '-sf', QUEUE_UAC, '-s', HOLD_NUMBER,
      ...keyArgs({ caller: 'waiting', hold_ms: String(o.holdMs), linger_ms: '0' }),
      '-t', 'u1', '-i', '127.0.0.1', '-p', String(sipPort), '-mp', String(rtpPort), '-buff_size', '4194304',
      '-r', String(o.rate), '-m', String(o.calls), '-l', String(o.calls),
      '-timeout', String(Math.ceil(wallMs / 1000) - 5),
      `127.0.0.1:${o.sipPort}`,
    ],
    dir,
    wallMs,
    cpus: o.pin.sipp,
  });
  let ended = false;
  void sipp.done.then(() => (ended = true));
  return {
    pid: sipp.pid,
    rtpPort,
    untilWaiting: async (waiting, boundMs) => {
      const deadline = Date.now() + boundMs;
      let n = waiting();
      while (n < o.calls && !ended && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        n = waiting();
      }
      return n;
    },
    failedSoFar: () => num(readSippFiles(dir).stat.at(-1), 'FailedCall(C)'),
    stop: async () => {
      sipp.kill();
      await sipp.done;
      const files = readSippFiles(dir);
      if (process.env['SWITCHBOARD_BENCH_KEEP'] === '1') process.stderr.write(`kept the waiting callers' SIPp traces: ${dir}\n`);
      else rmSync(dir, { recursive: true, force: true });
      return files;
    },
  };
}
