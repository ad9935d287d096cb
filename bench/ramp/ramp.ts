/**
 * The stepped ramp: steps at start, start + increment, … until one fails the criteria
 * (criteria.ts) or `maxRate` is passed; the highest passing rate is the result. Run
 * once SIPp → SIPp (the load generator's ceiling) and once through Switchboard.
 *
 * A failing step is run again `retries` times before the ramp stops there: on a small,
 * shared machine one collection pause or a neighbour's burst can fail a single 10 s step
 * at a rate that passes before and after it. Every attempt is reported, failed ones
 * included, and a rate passes only on an attempt that meets every criterion.
 *
 * @example
 *   const r = await runRamp({ label: 'switchboard', target: sb, start: 250, increment: 250, maxRate: 5000, … });
 *   r.maxPassingRate; // e.g. 1500
 */
import { judge, type Verdict } from './criteria.js';
import type { Scenario } from './scenarios.js';
import { runStep, type Pinning, type StepPlan, type StepResult } from './step.js';
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
  /** Attempts after a failed one at the same rate before the ramp stops. */
  readonly retries: number;
  readonly pin: Pinning;
  /** Called after every step (printing). */
  readonly onStep?: (step: StepResult, verdict: Verdict) => void;
  /** Runs one step; SIPp by default (tests give a script). */
  readonly runStep?: (step: StepPlan) => Promise<StepResult>;
}

export interface RampResult {
  readonly label: string;
  readonly scenario: string;
  /** Every attempt, in order (a retried rate appears more than once). */
  readonly steps: ReadonlyArray<StepResult & { readonly pass: boolean; readonly reasons: readonly string[]; readonly attempt: number }>;
  /** Highest rate whose step passed; 0 when none did. */
  readonly maxPassingRate: number;
  /** Why the ramp stopped. */
  readonly stoppedBecause: string;
}

export async function runRamp(plan: RampPlan): Promise<RampResult> {
  const steps: Array<StepResult & { pass: boolean; reasons: readonly string[]; attempt: number }> = [];
  let maxPassingRate = 0;
  let stoppedBecause = `reached the highest rate asked for (${plan.maxRate} calls/s)`;
  const run = plan.runStep ?? runStep;
  for (let rate = plan.start; rate <= plan.maxRate; rate += plan.increment) {
    let failures: string[] = [];
    for (let attempt = 1; attempt <= plan.retries + 1; attempt++) {
      const step = await run({ label: attempt === 1 ? plan.label : `${plan.label} (attempt ${attempt})`, scenario: plan.scenario, rate, warmupSeconds: plan.warmupSeconds, seconds: plan.seconds, holdMs: plan.holdMs, target: plan.target, pin: plan.pin });
      const verdict = judge(step);
      steps.push({ ...step, pass: verdict.pass, reasons: verdict.reasons, attempt });
      plan.onStep?.(step, verdict);
      if (verdict.pass) {
        failures = [];
        break;
      }
      failures.push(verdict.reasons.join('; '));
    }
    if (failures.length > 0) {
      stoppedBecause = `${rate} calls/s failed ${failures.length === 1 ? '' : `all ${failures.length} attempts `}(${failures.join(' | ')})`;
      break;
    }
    maxPassingRate = rate;
  }
  return { label: plan.label, scenario: plan.scenario.name, steps, maxPassingRate, stoppedBecause };
}
