import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadlines, type DeadlineTarget } from '../../../src/engine/transaction/deadlines.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

class Target implements DeadlineTarget {
  seq = 0;
  place = 0;
  fired: number[] = [];
  constructor(private readonly log: string[], private readonly name: string) {}
  arm(d: Deadlines, ms: number): void {
    this.place = d.arm(ms, this, ++this.seq);
  }
  onDeadline(seq: number): void {
    if (seq === this.seq) this.log.push(`${this.name}@${Date.now()}`);
  }
  deadlineIsCurrent(seq: number): boolean {
    return seq === this.seq;
  }
}

describe('Deadlines (one FIFO and one timer per duration)', () => {
  it('fires each deadline at its time, in order, across durations', () => {
    const log: string[] = [];
    const d = new Deadlines();
    const a = new Target(log, 'a');
    const b = new Target(log, 'b');
    const c = new Target(log, 'c');
    a.arm(d, 1000);
    vi.advanceTimersByTime(300);
    b.arm(d, 1000);
    c.arm(d, 200);
    vi.advanceTimersByTime(2000);
    expect(log).toEqual(['c@500', 'a@1000', 'b@1300']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('skips a cancelled or re-armed deadline, and a pruned FIFO holds no timer', () => {
    const log: string[] = [];
    const d = new Deadlines();
    const a = new Target(log, 'a');
    const b = new Target(log, 'b');
    a.arm(d, 1000);
    b.arm(d, 1000);
    a.seq++; // cancelled
    d.forget(1000, a.place, a);
    expect(d.size).toBe(1);
    const first = b.place;
    b.arm(d, 5000); // re-armed elsewhere: the 1000 ms entry is stale
    d.forget(1000, first, b);
    expect(d.size).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(log).toEqual([]);
    vi.advanceTimersByTime(4000);
    expect(log).toEqual(['b@5000']);
    expect(vi.getTimerCount()).toBe(0);
    d.close();
  });

  it('lets go of a forgotten target at once, wherever it is in the FIFO (a transaction moved to the linger table is not kept)', () => {
    const d = new Deadlines();
    const fired: string[] = [];
    const target = (name: string): DeadlineTarget => ({ onDeadline: () => fired.push(name), deadlineIsCurrent: () => true });
    d.arm(1000, target('a'), 1);
    const bTarget = target('b');
    const b = d.arm(1000, bTarget, 1);
    d.arm(1000, target('c'), 1);
    d.forget(1000, b, target('x')); // another target at that place: left alone
    d.forget(1000, b, bTarget); // b still claims to be current: only the FIFO's own slot can have dropped it
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual(['a', 'c']);
    // Places stay valid across FIFOs emptied and refilled.
    const eTarget = target('e');
    const e = d.arm(1000, eTarget, 1);
    expect(e).toBeGreaterThan(b);
    d.forget(1000, e, eTarget);
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual(['a', 'c']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops at once when closed from inside a deadline callback', () => {
    const d = new Deadlines();
    const fired: string[] = [];
    const closer: DeadlineTarget = { onDeadline: () => { fired.push('closer'); d.close(); }, deadlineIsCurrent: () => true };
    const after: DeadlineTarget = { onDeadline: () => fired.push('after'), deadlineIsCurrent: () => true };
    d.arm(100, closer, 1);
    d.arm(100, after, 1);
    expect(() => vi.advanceTimersByTime(200)).not.toThrow();
    expect(fired).toEqual(['closer']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('follows the monotonic clock, not the wall clock', () => {
    const log: string[] = [];
    const d = new Deadlines();
    const a = new Target(log, 'a');
    a.arm(d, 1000);
    vi.setSystemTime(Date.now() + 3_600_000); // the wall clock jumps an hour
    vi.advanceTimersByTime(999);
    expect(log).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(log).toHaveLength(1);
  });
});
