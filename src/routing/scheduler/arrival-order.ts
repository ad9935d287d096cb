/**
 * A queue's calls that wait in arrival order (joined and never rang), with the timers
 * that fall due for them: one per relaxation step and one for the max wait. Every such
 * call relaxes and expires a fixed time after its arrival, so along the list (oldest
 * first) stages only go down, and each timer is a cursor into the one list:
 *
 * - step k (stage k − 1 → k): the oldest call that has not reached stage k. It is in the
 *   deadline heap, due at that call's arrival + stages[k].afterMs, while that call is at
 *   stage k − 1 (a call reaches stage k − 1 first, since stage times strictly increase).
 * - max wait: the oldest call, due at its arrival + maxWaitMs.
 *
 * So a call joins and leaves in O(1) plus a heap update per cursor that pointed at it,
 * the deadline heap holds at most one entry per timer (the configuration, not the
 * traffic), and a relaxing call moves a cursor instead of moving between lists.
 * Calls back from a ring are out of arrival order: the scheduler gives them their own
 * deadline heap entries instead.
 *
 * @example
 *   const order = new ArrivalOrder(spec.stages, spec.maxWaitMs, deadlines, onRelax, onExpiry);
 *   order.append(call);                   // a new call, the latest arrival
 *   // dispatch: when deadlines.peek() is an ArrivalTimer due by now:
 *   timer.owner.fire(timer, now);         // the call reaches the step's stage (onRelax) or overflows (onExpiry)
 *   order.remove(call);                   // offered, abandoned or overflowed
 */
import { type IndexedHeap, NOT_IN_HEAP } from './indexed-heap.js';
import { type CallRecord, EXPIRY_RANK, RELAX_RANK, type Timer } from './records.js';
import type { SkillStage } from './types.js';

const EXPIRY = -1;

/** One timer of an ArrivalOrder, keyed in the deadline heap by the call it points at. */
export class ArrivalTimer implements Timer {
  heapIndex = NOT_IN_HEAP;
  dueAt = 0;
  timerOrdinal = 0;
  /** The cursor: see the module comment; null when no call is left for this timer. */
  call: CallRecord | null = null;

  constructor(
    readonly owner: ArrivalOrder,
    readonly timerRank: number,
    /** The stage a call reaches when the timer falls due, EXPIRY for the max wait. */
    readonly step: number,
    readonly offsetMs: number,
  ) {}
}

export class ArrivalOrder {
  // The oldest call needs no field: the max-wait timer, when there is one, points at it.
  private newest: CallRecord | null = null;
  /** steps[k - 1] moves calls from stage k − 1 to k. */
  private readonly steps: ArrivalTimer[];
  private readonly expiry: ArrivalTimer | null;

  constructor(
    stages: readonly SkillStage[],
    maxWaitMs: number | undefined,
    private readonly deadlines: IndexedHeap<Timer>,
    private readonly onRelax: (call: CallRecord) => void,
    private readonly onExpiry: (call: CallRecord, now: number) => void,
  ) {
    this.steps = stages.slice(1).map((stage, i) => new ArrivalTimer(this, RELAX_RANK, i + 1, stage.afterMs));
    this.expiry = maxWaitMs === undefined ? null : new ArrivalTimer(this, EXPIRY_RANK, EXPIRY, maxWaitMs);
  }

  /** A new call (stage 0), the latest arrival so far. */
  append(call: CallRecord): void {
    call.inArrivalOrder = true;
    call.olderInOrder = this.newest;
    call.newerInOrder = null;
    if (this.newest !== null) this.newest.newerInOrder = call;
    this.newest = call;
    const expiry = this.expiry;
    if (expiry !== null && expiry.call === null) this.point(expiry, call);
    const steps = this.steps;
    for (let k = 0; k < steps.length; k++) {
      const step = steps[k] as ArrivalTimer;
      if (step.call === null) this.point(step, call);
    }
  }

  /** Takes the call out of the list, if it is in it; cursors on it move to the next newer call. */
  remove(call: CallRecord): void {
    if (!call.inArrivalOrder) return;
    call.inArrivalOrder = false;
    const older = call.olderInOrder;
    const newer = call.newerInOrder;
    if (older !== null) older.newerInOrder = newer;
    if (newer === null) this.newest = older;
    else newer.olderInOrder = older;
    call.olderInOrder = null;
    call.newerInOrder = null;
    const expiry = this.expiry;
    if (expiry !== null && expiry.call === call) this.point(expiry, newer);
    const steps = this.steps;
    for (let k = 0; k < steps.length; k++) {
      const step = steps[k] as ArrivalTimer;
      if (step.call === call) this.point(step, newer);
    }
  }

  /** The timer (of this order) fell due: its call overflows, or reaches the step's stage. */
  fire(timer: ArrivalTimer, now: number): void {
    const call = timer.call as CallRecord;
    if (timer.step === EXPIRY) {
      this.onExpiry(call, now); // removes the call, which moves the cursor
      return;
    }
    call.stage = timer.step;
    this.point(timer, call.newerInOrder);
    // The next step waits for this call if nothing older is short of it.
    const next = this.steps[timer.step];
    if (next !== undefined && next.call === call) this.point(next, call);
    this.onRelax(call);
  }

  /** Sets the cursor and the timer's place in the deadline heap (there only while it can fall due). */
  private point(timer: ArrivalTimer, call: CallRecord | null): void {
    timer.call = call;
    if (call === null || (timer.step !== EXPIRY && call.stage !== timer.step - 1)) {
      if (timer.heapIndex !== NOT_IN_HEAP) this.deadlines.remove(timer);
      return;
    }
    timer.dueAt = call.enqueuedAt + timer.offsetMs;
    timer.timerOrdinal = call.seq;
    if (timer.heapIndex === NOT_IN_HEAP) this.deadlines.push(timer);
    else this.deadlines.update(timer);
  }
}
