/**
 * How long rtpengine takes to answer the ng commands of call setup, seen from
 * Switchboard's MediaClient: from the call of offer() / answer() / delete() to the
 * settled promise (the UDP round trip plus rtpengine's queueing and work). Two of them
 * (offer, answer) sit inside every anchored call's INVITE→200, so when rtpengine is busy
 * playing music this shows how much of the new calls' latency is rtpengine's.
 *
 * A bench-only hook on MediaClient's prototype, installed once (nothing in src/ changes);
 * one performance.now() pair and a histogram insert per command.
 *
 * @example
 *   const ng = installNgTiming();
 *   ng.reset();                 // start of the measured window
 *   …
 *   ng.percentiles().offer;     // { count, p50, p95, p99, max } in ms
 */
import { createHistogram, performance, type RecordableHistogram } from 'node:perf_hooks';
import { MediaClient } from '../../src/media/index.js';
import type { Percentiles } from '../ramp/stats-math.js';

export const TIMED_COMMANDS = ['offer', 'answer', 'delete'] as const;
export type TimedCommand = (typeof TIMED_COMMANDS)[number];

export interface NgTiming {
  reset(): void;
  percentiles(): Record<TimedCommand, Percentiles>;
}

let installed: NgTiming | undefined;

function histogram(): RecordableHistogram {
  // µs, 1 µs to 60 s.
  return createHistogram({ lowest: 1, highest: 60_000_000, figures: 3 });
}

export function installNgTiming(): NgTiming {
  if (installed !== undefined) return installed;
  let histograms = Object.fromEntries(TIMED_COMMANDS.map((c) => [c, histogram()])) as Record<TimedCommand, RecordableHistogram>;
  const proto = MediaClient.prototype as unknown as Record<TimedCommand, (...args: unknown[]) => Promise<unknown>>;
  for (const name of TIMED_COMMANDS) {
    const original = proto[name];
    if (typeof original !== 'function') throw new Error(`MediaClient has no ${name}(): the bench's ng timing hook needs updating`);
    proto[name] = function (this: unknown, ...args: unknown[]): Promise<unknown> {
      const started = performance.now();
      const record = (): void => histograms[name].record(Math.max(1, Math.min(60_000_000, Math.round((performance.now() - started) * 1000))));
      const p = original.apply(this, args);
      p.then(record, record);
      return p;
    };
  }
  installed = {
    reset: () => {
      histograms = Object.fromEntries(TIMED_COMMANDS.map((c) => [c, histogram()])) as Record<TimedCommand, RecordableHistogram>;
    },
    percentiles: () =>
      Object.fromEntries(
        TIMED_COMMANDS.map((c) => {
          const h = histograms[c];
          const p: Percentiles = h.count === 0 ? { count: 0, p50: 0, p95: 0, p99: 0, max: 0 } : { count: h.count, p50: h.percentile(50) / 1000, p95: h.percentile(95) / 1000, p99: h.percentile(99) / 1000, max: h.max / 1000 };
          return [c, p];
        }),
      ) as Record<TimedCommand, Percentiles>,
  };
  return installed;
}
