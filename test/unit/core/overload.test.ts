import { describe, expect, it } from 'vitest';
import { OverloadGuard } from '../../../src/engine/core/overload.js';

describe('OverloadGuard', () => {
  it('admits while under both limits and sheds (counting) when too many calls are pending', () => {
    let pending = 0;
    const guard = new OverloadGuard({ maxLoopDelayMs: 10_000, maxPending: 2, retryAfterSeconds: 1 }, () => pending);
    expect(guard.shouldShed()).toBe(false);
    pending = 2;
    expect(guard.shouldShed()).toBe(true);
    expect(guard.shouldShed()).toBe(true);
    pending = 1;
    expect(guard.shouldShed()).toBe(false);
    expect(guard.shed).toBe(2);
    guard.close();
  });

  it('sheds after a window in which the event loop was blocked longer than the limit', async () => {
    const guard = new OverloadGuard({ maxLoopDelayMs: 50, maxPending: 1_000_000, retryAfterSeconds: 1 }, () => 0, 50);
    const until = Date.now() + 300;
    while (Date.now() < until) {
      // a deliberately blocked event loop
    }
    await new Promise((r) => setTimeout(r, 0)); // the overdue window runs first
    expect(guard.loopDelayMs).toBeGreaterThan(50);
    expect(guard.shouldShed()).toBe(true);
    guard.close();
  });
});
