/** A transaction's side of a deadline: called at the time with the number it was armed with. */
export interface DeadlineTarget {
  onDeadline(seq: number): void;
  /** False once the deadline armed with `seq` was cancelled or replaced. */
  deadlineIsCurrent(seq: number): boolean;
}

/**
 * The transactions' long timers (B, C, D, F, H, I, J, K, L, M) without a Node timer per
 * transaction: one FIFO per duration, since deadlines of equal duration expire in the order
 * they were set, and one timer per FIFO armed for its head. An entry is three array slots,
 * not a Timeout and its closure: tens of thousands of finished transactions linger through
 * Timer J/L at a thousand calls a second, and each object they hold is marking work for the
 * garbage collector. Cancelling costs little: the target moves its own sequence number on
 * (a stale entry is skipped), and `prune` drops stale entries at the head so a quiet FIFO
 * holds no timer.
 *
 * @example
 *   deadlines.arm(64 * t1, tx, seq);   // later: tx.onDeadline(seq), ignored unless tx.deadlineIsCurrent(seq)
 */
export class Deadlines {
  private readonly fifos = new Map<number, DeadlineFifo>();

  /** Monotonic by default: a step of the wall clock (NTP, a resumed VM) must not fire or hold back SIP timers. */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Returns the entry's place in its FIFO, for `forget`. `at` is when it fires, `at(afterMs)` unless given. */
  arm(afterMs: number, target: DeadlineTarget, seq: number, at = this.at(afterMs)): number {
    let fifo = this.fifos.get(afterMs);
    if (fifo === undefined) {
      fifo = new DeadlineFifo(this.now);
      this.fifos.set(afterMs, fifo);
    }
    return fifo.push(target, seq, at);
  }

  /** When a deadline armed now for `afterMs` fires. */
  at(afterMs: number): number {
    return this.now() + afterMs;
  }

  /**
   * A deadline of `afterMs` was cancelled: the FIFO lets go of its target at once (a
   * transaction that moved to the linger table must not stay reachable for 32 s) and
   * drops the stale entries at its head.
   */
  forget(afterMs: number, place: number, target: DeadlineTarget): void {
    const fifo = this.fifos.get(afterMs);
    if (fifo === undefined) return;
    fifo.clear(place, target);
    fifo.prune();
  }

  /** Entries waiting, stale ones included (tests, diagnostics). */
  get size(): number {
    let n = 0;
    for (const f of this.fifos.values()) n += f.size;
    return n;
  }

  close(): void {
    for (const f of this.fifos.values()) f.close();
    this.fifos.clear();
  }
}

class DeadlineFifo {
  private targets: Array<DeadlineTarget | undefined> = [];
  private seqs: number[] = [];
  private ats: number[] = [];
  private head = 0;
  /** Place (as `push` returned it) of array index 0. */
  private base = 0;
  private timer: NodeJS.Timeout | undefined;
  private firing = false;

  constructor(private readonly now: () => number) {}

  get size(): number {
    return this.targets.length - this.head;
  }

  push(target: DeadlineTarget, seq: number, at: number): number {
    this.targets.push(target);
    this.seqs.push(seq);
    this.ats.push(at);
    if (this.timer === undefined && !this.firing) this.arm(at);
    return this.base + this.targets.length - 1;
  }

  /** Checks the target too: a FIFO made again after close() counts its places from 0 again. */
  clear(place: number, target: DeadlineTarget): void {
    const i = place - this.base;
    if (i >= this.head && i < this.targets.length && this.targets[i] === target) this.targets[i] = undefined;
  }

  /** Drops stale entries at the head; the timer stays armed unless nothing is left (it skips stale ones anyway). */
  prune(): void {
    if (this.firing) return;
    const { targets, seqs } = this;
    while (this.head < targets.length && !isCurrent(targets[this.head], seqs[this.head]!)) targets[this.head++] = undefined;
    if (this.head === targets.length) this.close();
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.base += this.targets.length;
    this.targets = [];
    this.seqs = [];
    this.ats = [];
    this.head = 0;
  }

  private arm(at: number): void {
    this.timer = setTimeout(this.fire, Math.max(0, at - this.now()));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = this.now();
    const { targets, seqs, ats } = this;
    this.firing = true;
    try {
      // close() inside onDeadline replaces the arrays: stop walking the old ones.
      while (targets === this.targets && this.head < targets.length && ats[this.head]! <= now) {
        const i = this.head++;
        const target = targets[i];
        targets[i] = undefined;
        target?.onDeadline(seqs[i]!);
      }
    } finally {
      this.firing = false;
    }
    // close() may have run inside onDeadline: then there is nothing left to arm.
    if (targets !== this.targets) return;
    if (this.head === targets.length) {
      this.base += targets.length;
      this.targets = [];
      this.seqs = [];
      this.ats = [];
      this.head = 0;
    } else {
      if (this.head > 1024 && this.head * 2 > targets.length) {
        this.base += this.head;
        this.targets = targets.slice(this.head);
        this.seqs = seqs.slice(this.head);
        this.ats = ats.slice(this.head);
        this.head = 0;
      }
      this.arm(this.ats[this.head]!);
    }
  };
}

function isCurrent(target: DeadlineTarget | undefined, seq: number): boolean {
  return target !== undefined && target.deadlineIsCurrent(seq);
}

/**
 * The deadline bookkeeping both transaction kinds share: which deadline is armed (its
 * sequence number and FIFO), so that arming another or cancelling makes the old entry
 * stale. Fields on the transaction itself, not an object of its own per transaction.
 */
export abstract class WithDeadline implements DeadlineTarget {
  private deadlineSeq = 0;
  /** Duration of the armed deadline (its FIFO), 0 when none. */
  private deadlineMs = 0;
  /** Its place in the FIFO. */
  private deadlinePlace = 0;
  private at = 0;

  protected abstract get deadlines(): Deadlines;
  protected abstract get ended(): boolean;
  abstract onDeadline(seq: number): void;

  deadlineIsCurrent(seq: number): boolean {
    return seq === this.deadlineSeq && !this.ended;
  }

  protected armDeadline(ms: number): void {
    this.cancelDeadline();
    this.deadlineMs = ms;
    this.at = this.deadlines.at(ms);
    this.deadlinePlace = this.deadlines.arm(ms, this, ++this.deadlineSeq, this.at);
  }

  protected cancelDeadline(): void {
    this.deadlineSeq++;
    if (this.deadlineMs > 0) this.deadlines.forget(this.deadlineMs, this.deadlinePlace, this);
    this.deadlineMs = 0;
    this.at = 0;
  }

  /** When the armed deadline fires (the deadlines' clock); 0 when none. */
  get deadlineAt(): number {
    return this.at;
  }
}
