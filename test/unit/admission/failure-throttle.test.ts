import { describe, expect, it } from 'vitest';
import { FailureThrottle, sourceKey } from '../../../src/admission/failure-throttle.js';
import { ManualClock } from '../../../src/util/clock.js';

const options = { maxFailures: 3, windowMs: 60_000, blockForMs: 300_000 };

describe('FailureThrottle', () => {
  it('blocks after maxFailures within the window and unblocks after blockFor', () => {
    const clock = new ManualClock(1_000_000);
    const throttle = new FailureThrottle(options);
    expect(throttle.recordFailure('192.0.2.1', clock.now())).toBe(false);
    clock.advance(10_000);
    expect(throttle.recordFailure('192.0.2.1', clock.now())).toBe(false);
    expect(throttle.isBlocked('192.0.2.1', clock.now())).toBe(false);
    clock.advance(10_000);
    expect(throttle.recordFailure('192.0.2.1', clock.now())).toBe(true);
    expect(throttle.isBlocked('192.0.2.1', clock.now())).toBe(true);
    expect(throttle.isBlocked('192.0.2.2', clock.now())).toBe(false);
    clock.advance(300_000 - 1);
    expect(throttle.isBlocked('192.0.2.1', clock.now())).toBe(true);
    clock.advance(1);
    expect(throttle.isBlocked('192.0.2.1', clock.now())).toBe(false);
    // Unblocked with a clean slate: it takes maxFailures again.
    expect(throttle.recordFailure('192.0.2.1', clock.now())).toBe(false);
    expect(throttle.isBlocked('192.0.2.1', clock.now())).toBe(false);
  });

  it('failures spread wider than the window never block', () => {
    const clock = new ManualClock(0);
    const throttle = new FailureThrottle(options);
    for (let i = 0; i < 10; i++) {
      expect(throttle.recordFailure('192.0.2.1', clock.now())).toBe(false);
      clock.advance(30_000);
      expect(throttle.recordFailure('192.0.2.1', clock.now())).toBe(false);
      clock.advance(30_000);
    }
  });

  it('failures while blocked do not extend the block', () => {
    const throttle = new FailureThrottle(options);
    for (let i = 0; i < 3; i++) throttle.recordFailure('192.0.2.1', 0);
    expect(throttle.recordFailure('192.0.2.1', 200_000)).toBe(false);
    expect(throttle.isBlocked('192.0.2.1', 300_000)).toBe(false);
  });

  it.each([
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['not-an-address', 'not-an-address'],
  ])('%s counts as %s', (written, canonical) => {
    expect(sourceKey(written)).toBe(canonical);
    const throttle = new FailureThrottle(options);
    for (let i = 0; i < 3; i++) throttle.recordFailure(i % 2 ? written : canonical, 0);
    expect(throttle.isBlocked(canonical, 1)).toBe(true);
    expect(throttle.isBlocked(written, 1)).toBe(true);
  });

  it('tracks at most maxTracked addresses, forgetting the least recently failed', () => {
    const throttle = new FailureThrottle({ ...options, maxTracked: 100 });
    for (let i = 0; i < 3; i++) throttle.recordFailure('198.51.100.1', 0);
    for (let i = 0; i < 99; i++) throttle.recordFailure(`10.0.0.${i}`, 1);
    expect(throttle.size).toBe(100);
    expect(throttle.isBlocked('198.51.100.1', 2)).toBe(true);
    throttle.recordFailure('10.0.1.0', 3);
    expect(throttle.size).toBe(100);
    expect(throttle.isBlocked('198.51.100.1', 4)).toBe(false);
  });

  it('checking an address creates no state', () => {
    const throttle = new FailureThrottle(options);
    for (let i = 0; i < 1000; i++) throttle.isBlocked(`10.0.${i >> 8}.${i & 255}`, 0);
    expect(throttle.size).toBe(0);
  });
});
