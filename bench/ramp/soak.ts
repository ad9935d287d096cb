/**
 * Soak mode: 70 % of the highest passing rate for N minutes through Switchboard,
 * sampling memory every 30 s; reports RSS and application-heap growth per minute
 * (least-squares slope), which should be about zero for a leak-free run.
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
  readonly rssMiBPerMinute: number;
  readonly heapMiBPerMinute: number;
}

const SAMPLE_EVERY_SECONDS = 30;

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
  return {
    minutes: o.minutes,
    rate: o.rate,
    step,
    samples,
    rssMiBPerMinute: slope(samples.map(([t, rss]) => [t, rss] as const)),
    heapMiBPerMinute: slope(samples.map(([t, , heap]) => [t, heap] as const)),
  };
}
