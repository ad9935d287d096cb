import { ManualClock } from '../../../src/util/clock.js';
import type { TimerFunctions } from '../../../src/registrar/registration-store.js';

interface Pending {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/** Timers driven by a ManualClock: `advance` moves time and fires what falls due, in order. */
export class FakeTimers implements TimerFunctions {
  readonly clock: ManualClock;
  private pending: Pending[] = [];
  private nextId = 1;
  /** Most timers pending at once, ever. */
  maxPending = 0;
  setCount = 0;

  constructor(startAt = 1_700_000_000_000) {
    this.clock = new ManualClock(startAt);
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.push({ id, at: this.clock.now() + ms, callback });
    this.setCount++;
    this.maxPending = Math.max(this.maxPending, this.pending.length);
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }

  advance(ms: number): void {
    const end = this.clock.now() + ms;
    for (;;) {
      const due = this.pending.filter((p) => p.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.pending = this.pending.filter((p) => p !== due);
      if (due.at > this.clock.now()) this.clock.set(due.at);
      due.callback();
    }
    this.clock.set(end);
  }
}
