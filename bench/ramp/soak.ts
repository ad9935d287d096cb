/**
 * Soak mode: 70 % of the highest passing rate for N minutes through Switchboard,
 * sampling memory every 30 s; reports RSS and application-heap growth per minute
 * (least-squares slope), which should be about zero for a leak-free run. The first
 * SETTLE_MINUTES are left out of the slope: finished transactions linger for 32 s
 * (Timers J, L, M) and the heaps size themselves to the load, so RSS rises to a plateau
 * in the first minute whatever happens later (a 10 min soak: 175 → 553 MiB in the first
 * minute, then 545–586 MiB; that minute alone made the whole run's slope 18 MiB/min).
 *
 * @example
 *   const r = await runSoak({ minutes: 30, rate: 1000, target: sb, pin: {} });
 *   r.rssMiBPerMinute;
 */
import { memorySnapshot } from './memory.js';
import { SCENARIOS } from './scenarios.js';
import { slope } from './stats-math.js';
import { runStep, type Pinning, type StepResult } from './step.js';
import type { SwitchboardUnderTest } from './switchboard-under-test.js';

export interface SoakResult {
  readonly minutes: number;
  readonly rate: number;
  readonly step: StepResult;
  /** [minute, RSS MiB, heap MiB] samples. */
  readonly samples: ReadonlyArray<readonly [number, number, number]>;
  /** Growth after the first SETTLE_MINUTES (growthPerMinute). */
  readonly rssMiBPerMinute: number;
  readonly heapMiBPerMinute: number;
}

const SAMPLE_EVERY_SECONDS = 30;
/** Samples before this are the fill-up, not growth (two lingering windows and some slack). */
export const SETTLE_MINUTES = 1.5;

/** RSS and heap growth per minute over the samples after SETTLE_MINUTES (all of them when fewer than two are that late). */
export function growthPerMinute(samples: ReadonlyArray<readonly [number, number, number]>): { rss: number; heap: number } {
  const settled = samples.filter(([t]) => t >= SETTLE_MINUTES);
  const used = settled.length >= 2 ? settled : samples;
  return { rss: slope(used.map(([t, rss]) => [t, rss] as const)), heap: slope(used.map(([t, , heap]) => [t, heap] as const)) };
}

export async function runSoak(o: { minutes: number; rate: number; target: SwitchboardUnderTest; pin: Pinning }): Promise<SoakResult> {
  const samples: Array<[number, number, number]> = [];
  let next = 0;
  const step = await runStep({
    label: 'soak',
    scenario: SCENARIOS.basic,
    rate: o.rate,
    warmupSeconds: 0,
    seconds: o.minutes * 60,
    holdMs: 0,
    target: o.target,
    pin: o.pin,
    onTick: (elapsed) => {
      if (elapsed < next || elapsed > o.minutes * 60) return;
      next = elapsed + SAMPLE_EVERY_SECONDS;
      const m = memorySnapshot();
      samples.push([elapsed / 60, m.rssBytes / 2 ** 20, m.heapUsedBytes / 2 ** 20]);
    },
  });
  const growth = growthPerMinute(samples);
  return { minutes: o.minutes, rate: o.rate, step, samples, rssMiBPerMinute: growth.rss, heapMiBPerMinute: growth.heap };
}
