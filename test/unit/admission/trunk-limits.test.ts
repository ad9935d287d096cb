import { describe, expect, it } from 'vitest';
import { TrunkLimits } from '../../../src/admission/trunk-limits.js';
import { isSwitchboardError } from '../../../src/util/errors.js';
import { config } from './helpers.js';

describe('TrunkLimits: concurrent calls', () => {
  it('refuses beyond max_calls with Retry-After and admits again after a release; release is idempotent', () => {
    const limits = new TrunkLimits({ a: { maxCalls: 2 } });
    const first = limits.acquire('a', 0);
    const second = limits.acquire('a', 0);
    expect(first.ok && second.ok).toBe(true);
    expect(limits.acquire('a', 0)).toEqual({ ok: false, reason: 'max_calls', retryAfter: 1 });
    if (!first.ok) return;
    first.release();
    first.release();
    first.release();
    expect(limits.active('a')).toBe(1);
    const third = limits.acquire('a', 0);
    expect(third.ok).toBe(true);
    expect(limits.acquire('a', 0).ok).toBe(false);
  });

  it('a configured busy Retry-After is rounded up to whole seconds', () => {
    const limits = new TrunkLimits({ a: { maxCalls: 1 } }, { busyRetryAfter: 2.5 });
    limits.acquire('a', 0);
    expect(limits.acquire('a', 0)).toMatchObject({ ok: false, retryAfter: 3 });
  });

  it('a trunk without limits admits everything but still counts', () => {
    const limits = new TrunkLimits({ free: {} });
    for (let i = 0; i < 1000; i++) expect(limits.acquire('free', 0).ok).toBe(true);
    expect(limits.active('free')).toBe(1000);
  });

  it('an unknown trunk is a caller bug', () => {
    const limits = new TrunkLimits({});
    let caught: unknown;
    try {
      limits.acquire('nope', 0);
    } catch (err) {
      caught = err;
    }
    expect(isSwitchboardError(caught, 'SB_INTERNAL')).toBe(true);
  });
});

describe('TrunkLimits: calls per second', () => {
  it.each([
    // rate, [time ms, admitted?, retryAfter if refused]
    { rate: 0.5, steps: [[0, true], [1, false, 2], [1000, false, 1], [1999, false, 1], [2000, true], [2001, false, 2], [4000, true]] },
    { rate: 2, steps: [[0, true], [0, true], [0, false, 1], [500, true], [500, false, 1], [1000, true], [10_000, true], [10_000, true], [10_000, false, 1]] },
    { rate: 0.1, steps: [[0, true], [0, false, 10], [9000, false, 1], [10_000, true]] },
  ])('rate $rate/s', ({ rate, steps }) => {
    const limits = new TrunkLimits({ t: { maxCps: rate } });
    for (const [at, admitted, retryAfter] of steps as [number, boolean, number?][]) {
      const slot = limits.acquire('t', at);
      expect({ at, ok: slot.ok }).toEqual({ at, ok: admitted });
      if (!slot.ok) expect({ at, retryAfter: slot.retryAfter, reason: slot.reason }).toEqual({ at, retryAfter, reason: 'max_cps' });
      if (slot.ok) slot.release();
    }
  });

  it('a call refused for concurrency spends no token', () => {
    const limits = new TrunkLimits({ t: { maxCalls: 1, maxCps: 1 } });
    const held = limits.acquire('t', 0);
    expect(limits.acquire('t', 1000)).toMatchObject({ ok: false, reason: 'max_calls' });
    if (held.ok) held.release();
    expect(limits.acquire('t', 1000).ok).toBe(true);
  });
});

describe('TrunkLimits.fromConfig', () => {
  it('reads max_calls and max_cps of inbound trunks', () => {
    const limits = TrunkLimits.fromConfig(
      config(`
        trunks:
          carrier:
            inbound: { sources: ['127.0.0.2'], max_calls: 1, max_cps: 0.5 }
          outbound-only:
            outbound: { gateways: ['sip:127.0.0.1:5080'] }
      `),
    );
    expect(limits.acquire('carrier', 0).ok).toBe(true);
    expect(limits.acquire('carrier', 0)).toMatchObject({ ok: false, reason: 'max_calls' });
    expect(() => limits.acquire('outbound-only', 0)).toThrow(/no inbound trunk/);
  });
});
