/**
 * Per-trunk inbound call limits: concurrent calls (`max_calls`) and new calls per
 * second (`max_cps`, a token bucket holding max(1, rate) tokens, so 0.5/s admits one
 * call every two seconds and 20/s allows a one-second burst of 20).
 *
 * `acquire` either takes a slot and a token and returns a release handle, or refuses
 * with a Retry-After in whole seconds (at least 1). The handle's `release()` is
 * idempotent, so the app can call it from every path that ends a call. A refused call
 * takes nothing.
 *
 * @example
 *   const limits = TrunkLimits.fromConfig(config);
 *   const slot = limits.acquire('carrier-a', now);
 *   if (!slot.ok) return reply(503, { 'Retry-After': slot.retryAfter });
 *   call.once('end', slot.release);
 */
import type { Config } from '../config/schema/config.js';
import { SwitchboardError } from '../util/errors.js';

export interface TrunkLimitSpec {
  readonly maxCalls?: number;
  readonly maxCps?: number;
}

export type LimitRefusal = { ok: false; reason: 'max_calls' | 'max_cps'; retryAfter: number };
export type CallSlot = { ok: true; release: () => void } | LimitRefusal;

export interface TrunkLimitOptions {
  /** Retry-After (s) when a trunk is at `max_calls`: calls end at unknown times, so a short hint. */
  readonly busyRetryAfter?: number;
}

interface TrunkState {
  readonly maxCalls: number;
  readonly rate: number;
  readonly capacity: number;
  active: number;
  tokens: number;
  refilledAt: number;
}

export class TrunkLimits {
  private readonly trunks = new Map<string, TrunkState>();
  private readonly busyRetryAfter: number;

  constructor(specs: Readonly<Record<string, TrunkLimitSpec>>, o: TrunkLimitOptions = {}) {
    this.busyRetryAfter = Math.max(1, Math.ceil(o.busyRetryAfter ?? 1));
    for (const [name, spec] of Object.entries(specs)) {
      const rate = spec.maxCps ?? Infinity;
      const capacity = Math.max(1, rate);
      this.trunks.set(name, {
        maxCalls: spec.maxCalls ?? Infinity,
        rate,
        capacity,
        active: 0,
        tokens: capacity,
        refilledAt: -Infinity,
      });
    }
  }

  /** Limits for every trunk with an `inbound` section. */
  static fromConfig(config: Config, o?: TrunkLimitOptions): TrunkLimits {
    const specs: Record<string, TrunkLimitSpec> = {};
    for (const [name, trunk] of Object.entries(config.trunks)) {
      const inbound = trunk.inbound;
      if (!inbound) continue;
      specs[name] = {
        ...(inbound.max_calls !== undefined ? { maxCalls: inbound.max_calls } : {}),
        ...(inbound.max_cps !== undefined ? { maxCps: inbound.max_cps } : {}),
      };
    }
    return new TrunkLimits(specs, o);
  }

  /** Takes a call slot on the trunk at `now` (ms), or says why not and when to retry. */
  acquire(trunk: string, now: number): CallSlot {
    const t = this.trunks.get(trunk);
    if (!t) throw new SwitchboardError('SB_INTERNAL', `trunk limits: no inbound trunk named ${JSON.stringify(trunk)}`);
    if (t.active >= t.maxCalls) return { ok: false, reason: 'max_calls', retryAfter: this.busyRetryAfter };
    if (t.rate !== Infinity) {
      if (now > t.refilledAt) {
        t.tokens = t.refilledAt === -Infinity ? t.capacity : Math.min(t.capacity, t.tokens + ((now - t.refilledAt) * t.rate) / 1000);
        t.refilledAt = now;
      }
      if (t.tokens < 1 - 1e-9) { // tolerance: refills summed in steps must not miss a whole token by rounding
        return { ok: false, reason: 'max_cps', retryAfter: Math.max(1, Math.ceil((1 - t.tokens) / t.rate)) };
      }
      t.tokens -= 1;
    }
    t.active++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        t.active--;
      },
    };
  }

  /** Calls currently holding a slot on the trunk. */
  active(trunk: string): number {
    return this.trunks.get(trunk)?.active ?? 0;
  }
}
