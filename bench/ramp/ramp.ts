/**
 * The stepped ramp: steps at start, start + increment, … until one fails the criteria
 * (criteria.ts) or `maxRate` is passed; the highest passing rate is the result. Run
 * once SIPp → SIPp (the load generator's ceiling) and once through Switchboard.
 *
 * @example
 *   const r = await runRamp({ label: 'switchboard', target: sb, start: 250, increment: 250, maxRate: 5000, … });
 *   r.maxPassingRate; // e.g. 1500
 */
import { judge, type Verdict } from './criteria.js';
import type { Scenario } from './scenarios.js';
import { runStep, type Pinning, type StepResult } from './step.js';
import type { SwitchboardUnderTest } from './switchboard-under-test.js';

export interface RampPlan {
  readonly label: string;
  readonly scenario: Scenario;
  readonly target: SwitchboardUnderTest | undefined;
  readonly start: number;
  readonly increment: number;
  readonly maxRate: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  /** The caller's pause after each ACK, ms (0 for load). */
  readonly holdMs: number;
  readonly pin: Pinning;
  /** Called after every step (printing). */
  readonly onStep?: (step: StepResult, verdict: Verdict) => void;
}

export interface RampResult {
  readonly label: string;
  readonly scenario: string;
  readonly steps: ReadonlyArray<StepResult & { readonly pass: boolean; readonly reasons: readonly string[] }>;
  /** Highest rate whose step passed; 0 when none did. */
  readonly maxPassingRate: number;
  /** Why the ramp stopped. */
  readonly stoppedBecause: string;
}

export async function runRamp(plan: RampPlan): Promise<RampResult> {
  const steps: Array<StepResult & { pass: boolean; reasons: readonly string[] }> = [];
  let maxPassingRate = 0;
  let stoppedBecause = `reached the highest rate asked for (${plan.maxRate} calls/s)`;
  for (let rate = plan.start; rate <= plan.maxRate; rate += plan.increment) {
    const step = await runStep({ label: plan.label, scenario: plan.scenario, rate, warmupSeconds: plan.warmupSeconds, seconds: plan.seconds, holdMs: plan.holdMs, target: plan.target, pin: plan.pin });
    const verdict = judge(step);
    steps.push({ ...step, pass: verdict.pass, reasons: verdict.reasons });
    plan.onStep?.(step, verdict);
    if (!verdict.pass) {
      stoppedBecause = `${rate} calls/s failed: ${verdict.reasons.join('; ')}`;
      break;
    }
    maxPassingRate = rate;
  }
  return { label: plan.label, scenario: plan.scenario.name, steps, maxPassingRate, stoppedBecause };
}
