/**
 * Per-source failure throttle: after `maxFailures` failed authentications within
 * `windowMs`, the source address is blocked for `blockForMs` and its requests are
 * dropped unanswered (a brute-forcer learns nothing and spends its own timeouts).
 *
 * Memory is bounded: at most `maxTracked` addresses are remembered, least recently
 * failed first out. Only failures create entries; `isBlocked` never does, so a flood
 * of innocent requests costs nothing here. Addresses are canonicalised
 * (IPv4-mapped IPv6 and `[v6]` become one key).
 *
 * @example
 *   const throttle = new FailureThrottle({ maxFailures: 5, windowMs: 60_000, blockForMs: 300_000 });
 *   if (throttle.isBlocked(source, now)) return drop();
 *   if (!credentialsOk) throttle.recordFailure(source, now); // true once it blocks
 */
import { formatIp, parseIp } from '../routing/ip-address.js';
import { SwitchboardError } from '../util/errors.js';

export interface FailureThrottleOptions {
  /** Failures within the window that block the source (config `security.auth.max_failures`). */
  readonly maxFailures: number;
  /** The counting window, ms (config `security.auth.failure_window`). */
  readonly windowMs: number;
  /** How long a source stays blocked, ms (config `security.auth.block_for`). */
  readonly blockForMs: number;
  /** Most addresses tracked at once; the least recently failed is forgotten first. */
  readonly maxTracked?: number;
}

interface Entry {
  windowStart: number;
  failures: number;
  blockedUntil: number;
}

/** One key per host however its address was written; unparsable text is its own key. */
export function sourceKey(address: string): string {
  const parsed = parseIp(address);
  return parsed ? formatIp(parsed) : address;
}

export class FailureThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly maxTracked: number;

  constructor(private readonly o: FailureThrottleOptions) {
    if (!(o.maxFailures >= 1)) throw new SwitchboardError('SB_INTERNAL', `maxFailures must be at least 1, got ${o.maxFailures}`);
    this.maxTracked = o.maxTracked ?? 65_536;
  }

  /** True while the address is blocked. */
  isBlocked(address: string, now: number): boolean {
    if (this.entries.size === 0) return false;
    const entry = this.entries.get(sourceKey(address));
    return entry !== undefined && now < entry.blockedUntil;
  }

  /** Counts a failed authentication; returns true when this failure blocks the address. */
  recordFailure(address: string, now: number): boolean {
    const key = sourceKey(address);
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key); // re-inserted below: Map order is then least recently failed first
    } else {
      entry = { windowStart: now, failures: 0, blockedUntil: 0 };
    }
    this.entries.set(key, entry);
    if (this.entries.size > this.maxTracked) this.entries.delete(this.entries.keys().next().value!);

    if (now < entry.blockedUntil) return false;
    if (now - entry.windowStart >= this.o.windowMs) {
      entry.windowStart = now;
      entry.failures = 0;
    }
    entry.failures++;
    if (entry.failures < this.o.maxFailures) return false;
    entry.blockedUntil = now + this.o.blockForMs;
    entry.failures = 0;
    entry.windowStart = entry.blockedUntil;
    return true;
  }

  /** Addresses currently tracked (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }
}
