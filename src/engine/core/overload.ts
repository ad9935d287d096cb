import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';

export interface OverloadOptions {
  /** New calls are refused while the event loop's delay (p99 over the last window) is above this. */
  readonly maxLoopDelayMs: number;
  /** New calls are refused while this many requests already wait for an application's answer. */
  readonly maxPending: number;
  /** Seconds callers are told to wait (Retry-After). */
  readonly retryAfterSeconds: number;
}

export const DEFAULT_OVERLOAD: OverloadOptions = Object.freeze({ maxLoopDelayMs: 200, maxPending: 10_000, retryAfterSeconds: 1 });

/**
 * Overload control (RFC 7339 in spirit, local only): when the engine falls behind, new
 * calls are refused with 503 and Retry-After at the door, so calls already admitted keep
 * their timers instead of everyone drowning in retransmissions. Requests inside existing
 * dialogs (ACK, BYE, re-INVITE) are never shed: finishing calls is how load goes down.
 *
 * The loop delay is sampled by Node's histogram (no timer of ours per message) and read
 * once per window; `shouldShed` itself is two comparisons.
 *
 * @example
 *   const guard = new OverloadGuard(DEFAULT_OVERLOAD, () => core.pendingRequests());
 *   if (guard.shouldShed()) answer503();
 */
export class OverloadGuard {
  private readonly histogram: IntervalHistogram;
  private readonly timer: NodeJS.Timeout;
  private delayed = false;
  private expectedAt: number;
  /** New calls refused so far. */
  shed = 0;

  constructor(
    private readonly opts: OverloadOptions,
    private readonly pending: () => number,
    windowMs = 250,
  ) {
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.expectedAt = performance.now() + windowMs;
    this.timer = setInterval(() => this.window(windowMs), windowMs);
    this.timer.unref();
  }

  /** True when a new call should be refused now; counts it. */
  shouldShed(): boolean {
    if (!this.delayed && this.pending() < this.opts.maxPending) return false;
    this.shed++;
    return true;
  }

  /** The last window's p99 event-loop delay, ms. */
  loopDelayMs = 0;

  close(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }

  private window(windowMs: number): void {
    // Our own timer's lateness catches a block the histogram has not recorded yet.
    const now = performance.now();
    const late = now - this.expectedAt;
    this.expectedAt = now + windowMs;
    this.loopDelayMs = Math.max(this.histogram.percentile(99) / 1e6, late);
    this.delayed = this.loopDelayMs > this.opts.maxLoopDelayMs;
    this.histogram.reset();
  }
}
