/**
 * Pass criteria of a ramp step. A step passes when all hold:
 * - it ran to its end (not killed at the wall-clock bound, SIPp started);
 * - 0 failed calls;
 * - retransmissions ≤ 0.01 % of the messages SIPp sent and received (both sides);
 * - concurrent calls stay flat: SIPp's CurrentCall in the last quarter of the window is
 *   at most 2 × the first quarter + 5 % of a second's calls (calls pile up otherwise);
 * - INVITE→200 p99 at the caller < 50 ms;
 * - the offered rate was carried: answered calls/s in the window ≥ 90 % of the rate
 *   (otherwise the step measured a throttled SIPp, not the rate it names).
 *
 * @example
 *   const verdict = judge(step);
 *   if (!verdict.pass) console.log(verdict.reasons.join('; '));
 */
import { quarterMeans, type StepResult } from './step.js';

export const CRITERIA = Object.freeze({ maxRetransmissionRatio: 0.0001, maxP99Ms: 50, minCarried: 0.9, growthFactor: 2, growthSlackSeconds: 0.05 });

export interface Verdict {
  readonly pass: boolean;
  readonly reasons: readonly string[];
}

export function judge(step: StepResult): Verdict {
  const reasons: string[] = [];
  if (step.error !== undefined) reasons.push(step.error);
  if (step.failed > 0) reasons.push(`${step.failed} failed calls`);
  if (step.retransmissionRatio > CRITERIA.maxRetransmissionRatio) reasons.push(`retransmissions ${(step.retransmissionRatio * 100).toFixed(3)} % of messages`);
  const q = quarterMeans(step.currentCalls);
  if (step.currentCalls.length >= 2 && q.last > CRITERIA.growthFactor * q.first + CRITERIA.growthSlackSeconds * step.rate) {
    reasons.push(`concurrent calls grew from ${q.first.toFixed(0)} to ${q.last.toFixed(0)}`);
  }
  if (step.latencySippMs.count === 0) reasons.push('no call answered in the measured window');
  else if (step.latencySippMs.p99 >= CRITERIA.maxP99Ms) reasons.push(`INVITE→200 p99 ${step.latencySippMs.p99} ms`);
  if (step.answeredCps < CRITERIA.minCarried * step.rate) reasons.push(`carried ${step.answeredCps.toFixed(0)} of ${step.rate} calls/s`);
  return { pass: reasons.length === 0, reasons };
}
