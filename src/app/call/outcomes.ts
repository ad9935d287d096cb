/**
 * How a B leg's final status becomes a routing outcome, and which status the caller
 * gets when a call ends without an answer.
 *
 * | B leg ends with                          | outcome       |
 * |------------------------------------------|---------------|
 * | 486 Busy Here, 600 Busy Everywhere, 603  | busy          |
 * | our ring timeout, 408, 480               | no_answer     |
 * | 404, 410, 484, 604, no dialable contact  | unavailable   |
 * | anything else (3xx, 4xx, 5xx, 6xx)       | failure       |
 *
 * @example
 *   outcomeOfStatus(486);                       // 'busy'
 *   callerStatusFor({ outcome: 'no_answer' });  // { status: 480, reason: 'Temporarily Unavailable' }
 */
import type { Outcome } from '../../routing/index.js';

export type LegOutcome = Exclude<Outcome, 'answered'> | 'cancelled';

export function outcomeOfStatus(status: number): LegOutcome {
  switch (status) {
    case 486:
    case 600:
    case 603:
      return 'busy';
    case 408:
    case 480:
      return 'no_answer';
    case 404:
    case 410:
    case 484:
    case 604:
      return 'unavailable';
    default:
      return 'failure';
  }
}

/** When several legs of one step fail differently, the step's outcome: someone rang beats busy beats failure beats unreachable. */
const RANK: Readonly<Record<LegOutcome, number>> = { cancelled: 0, unavailable: 1, failure: 2, busy: 3, no_answer: 4 };

export function strongerOutcome(a: LegOutcome | undefined, b: LegOutcome): LegOutcome {
  return a === undefined || RANK[b] > RANK[a] ? b : a;
}

export interface FailedStep {
  readonly outcome: LegOutcome;
  /** The B leg's own final status, when a B leg answered with one (not our timeout). */
  readonly status?: number;
  readonly reason?: string;
}

const DEFAULT_STATUS: Readonly<Record<LegOutcome, readonly [number, string]>> = {
  busy: [486, 'Busy Here'],
  no_answer: [480, 'Temporarily Unavailable'],
  unavailable: [480, 'Temporarily Unavailable'],
  failure: [503, 'Service Unavailable'],
  cancelled: [487, 'Request Terminated'],
};

/**
 * The caller's final status after the last step failed: the B leg's own status when it
 * is one a caller can act on (busy, unavailable), else one that does not leak internals.
 */
export function callerStatusFor(step: FailedStep): { status: number; reason: string } {
  const s = step.status;
  if (s !== undefined && (step.outcome === 'busy' || step.outcome === 'unavailable' || s === 480)) {
    return { status: s, reason: step.reason ?? DEFAULT_STATUS[step.outcome][1] };
  }
  const [status, reason] = DEFAULT_STATUS[step.outcome];
  return { status, reason };
}
