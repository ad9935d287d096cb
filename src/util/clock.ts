/**
 * Time is injected everywhere it matters so that tests run on fake clocks and
 * time-based routing can be exercised end to end without waiting for the wall clock.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch (wall clock, may be shifted in tests). */
  now(): number;
  /** Monotonic milliseconds for measuring intervals. */
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

/** A clock whose wall time is offset from the system clock; used by `--test-clock`. */
export function offsetClock(startAt: number, base: Clock = systemClock): Clock {
  const offset = startAt - base.now();
  return { now: () => base.now() + offset, monotonic: () => base.monotonic() };
}

/** A manually advanced clock for unit tests. */
export class ManualClock implements Clock {
  private wall: number;
  private mono = 0;

  constructor(startAt = 0) {
    this.wall = startAt;
  }

  now(): number {
    return this.wall;
  }

  monotonic(): number {
    return this.mono;
  }

  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }

  set(wallMs: number): void {
    this.mono += Math.max(0, wallMs - this.wall);
    this.wall = wallMs;
  }
}
