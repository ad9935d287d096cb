/**
 * Overload mode: 1.5 × the highest passing rate offered through Switchboard, with a
 * caller that expects and ACKs a 503 (bench/sipp/overload-uac.xml), so shedding is a
 * counted outcome, not a failure. Goodput = answered calls/s in the window, reported as
 * a fraction of the highest passing rate.
 *
 * @example
 *   const r = await runOverload({ maxRate: 1500, factor: 1.5, … });
 *   r.goodputFraction; // 0.9 = 90 % of the max still answered
 */
import { SCENARIOS } from './scenarios.js';
import { runStep, type Pinning, type StepResult } from './step.js';
import type { SwitchboardUnderTest } from './switchboard-under-test.js';

export interface OverloadResult {
  readonly maxRate: number;
  readonly offered: number;
  readonly step: StepResult;
  /** Answered calls/s ÷ maxRate. */
  readonly goodputFraction: number;
}

export async function runOverload(o: { maxRate: number; factor: number; warmupSeconds: number; seconds: number; target: SwitchboardUnderTest; pin: Pinning }): Promise<OverloadResult> {
  const offered = Math.round(o.maxRate * o.factor);
  const step = await runStep({ label: 'overload', scenario: SCENARIOS.overload, rate: offered, warmupSeconds: o.warmupSeconds, seconds: o.seconds, holdMs: 0, target: o.target, pin: o.pin });
  return { maxRate: o.maxRate, offered, step, goodputFraction: o.maxRate > 0 ? step.answeredCps / o.maxRate : 0 };
}
