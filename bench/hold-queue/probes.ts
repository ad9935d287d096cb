/**
 * What the hold-queue bench watches besides the SIPp figures: callers waiting in the
 * queue, rtpengine's CPU (its process is not Switchboard's, so the step does not count
 * it) and the RTP reaching the waiting callers. Sampled once a second; summarised over
 * a window of the samples. Pure: samples in, figures out.
 *
 * @example
 *   const samples: Probe[] = [];
 *   onTick: (elapsed) => samples.push(probe(elapsed)),
 *   …
 *   const w = summarizeProbes(samples, 3, 13);  // the measured window of a 3 s + 10 s step
 *   w.rtpPps; w.rtpengineCpuPercent; w.minWaiting;
 */
import { rtpRate, type SinkReading } from './rtp-sink.js';

export interface Probe {
  /** Seconds since the step (or idle period) started. */
  readonly elapsed: number;
  /** Callers in the queue (waiting or offered), from Switchboard's scheduler. */
  readonly waiting: number;
  /** rtpengine utime + stime so far, ms (undefined: its process is gone). */
  readonly rtpengineCpuMs: number | undefined;
  readonly sink: SinkReading;
}

export interface ProbeWindow {
  /** Samples inside the window. */
  readonly samples: number;
  readonly seconds: number;
  /** Packets per second reaching the callers' RTP port. */
  readonly rtpPps: number;
  /** rtpengine's CPU, % of one core. */
  readonly rtpengineCpuPercent: number | undefined;
  readonly minWaiting: number;
  readonly maxWaiting: number;
}

/** Figures over the samples taken from `fromSeconds` to `toSeconds` (0.5 s of slack for a late tick). */
export function summarizeProbes(all: readonly Probe[], fromSeconds: number, toSeconds: number): ProbeWindow {
  const inside = all.filter((p) => p.elapsed >= fromSeconds && p.elapsed <= toSeconds + 0.5);
  const first = inside[0];
  const last = inside.at(-1);
  const ms = first === undefined || last === undefined ? 0 : last.sink.atMs - first.sink.atMs;
  const cpu = first?.rtpengineCpuMs === undefined || last?.rtpengineCpuMs === undefined || ms <= 0 ? undefined : ((last.rtpengineCpuMs - first.rtpengineCpuMs) / ms) * 100;
  const waiting = inside.map((p) => p.waiting);
  return {
    samples: inside.length,
    seconds: ms / 1000,
    rtpPps: rtpRate(inside.map((p) => p.sink)),
    rtpengineCpuPercent: cpu,
    minWaiting: waiting.length === 0 ? 0 : Math.min(...waiting),
    maxWaiting: waiting.length === 0 ? 0 : Math.max(...waiting),
  };
}
