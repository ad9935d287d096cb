/**
 * Overload control on the application side. At high call rates the application thread
 * (drachtio-srf parsing every frame) is the busier of the two, and when it falls behind,
 * frames queue on its control connection: every call it already took then sees its 200,
 * ACK and BYE late, the far ends retransmit, and the load grows. The engine's own guard
 * (src/engine/core/overload.ts) watches the engine thread and cannot see that queue.
 *
 * What can: the time the SIP server stamps on every frame (drachtio wire protocol,
 * `HH:MM:SS.ffffff` UTC, drachtio-srf's `req.stackTime`). Once INVITEs have been waiting
 * longer than `limitMs` between the server and the application for `sustainMs` without a
 * break, each new INVITE that waited that long is answered 503 with Retry-After at once,
 * which costs a fraction of a call, so the queue drains instead of growing. A single
 * pause (a major collection of a heap holding 50,000 calls) delays the INVITEs behind it,
 * but the queue drains right after: the first INVITE that waited less ends the episode,
 * and nobody is refused for it.
 *
 * The server may be another host (a real drachtio-server) with its clock off by some
 * amount: waits are measured against the smallest reading of the last 15–30 s, so a
 * steady offset cancels out. While INVITEs wait too long that baseline is held (for at
 * most a minute), or a lasting backlog would become the baseline and raise the limit by
 * itself. A step of either clock is forgotten within 30 s, or 90 s under steady traffic.
 * "Without a break" means INVITEs keep coming: a gap longer than `limitMs` between two
 * of them ends an episode, so two far-apart pauses never add up to one.
 *
 * @example
 *   const backlog = new InviteBacklog(200, 1000);
 *   if (backlog.tooLate(req.stackTime, Date.now())) return res.send(503, { headers: { 'Retry-After': '1' } });
 */
const DAY_MS = 86_400_000;
const WINDOW_MS = 15_000;
/** Longest a backlog holds the baseline back. */
const MAX_HOLD_MS = 60_000;
const STAMP = /^(\d{2}):(\d{2}):(\d{2})\.(\d{3})/;

export class InviteBacklog {
  /** Smallest (now − stamp) of the current and the previous 15 s window. */
  private currentMin = Infinity;
  private previousMin = Infinity;
  private windowEnds = 0;
  /** When INVITEs started to wait too long (undefined while they do not). */
  private lateSince: number | undefined;
  private lastAt: number | undefined;
  /** INVITEs answered 503 so far. */
  shed = 0;

  constructor(
    readonly limitMs: number,
    readonly sustainMs: number,
  ) {}

  /** True when this INVITE is to be refused (and counts it): it waited too long, as INVITEs have for `sustainMs`. */
  tooLate(stackTime: string | undefined, nowMs: number): boolean {
    const stamp = msOfDay(stackTime);
    if (stamp === undefined) return false;
    let raw = (nowMs % DAY_MS) - stamp;
    // Around midnight UTC the two sides may be on different days.
    if (raw < -DAY_MS / 2) raw += DAY_MS;
    else if (raw > DAY_MS / 2) raw -= DAY_MS;
    if (this.lastAt !== undefined && nowMs - this.lastAt > this.limitMs) this.lateSince = undefined;
    this.lastAt = nowMs;
    const holding = this.lateSince !== undefined && nowMs - this.lateSince < MAX_HOLD_MS;
    if (!holding && nowMs >= this.windowEnds) {
      // After a quiet spell longer than a window, the old window says nothing about now.
      this.previousMin = nowMs >= this.windowEnds + WINDOW_MS ? Infinity : this.currentMin;
      this.currentMin = Infinity;
      this.windowEnds = nowMs + WINDOW_MS;
    }
    if (raw < this.currentMin) this.currentMin = raw;
    const waited = raw - Math.min(this.currentMin, this.previousMin);
    if (waited <= this.limitMs) {
      this.lateSince = undefined;
      return false;
    }
    this.lateSince ??= nowMs;
    if (nowMs - this.lateSince < this.sustainMs) return false;
    this.shed++;
    return true;
  }
}

/** Milliseconds since midnight UTC of a wire time stamp; undefined when it is not one. */
export function msOfDay(stackTime: string | undefined): number | undefined {
  if (stackTime === undefined) return undefined;
  const m = STAMP.exec(stackTime);
  if (m === null) return undefined;
  const [h, min, s, ms] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  if (h > 23 || min > 59 || s > 60) return undefined;
  return ((h * 60 + min) * 60 + s) * 1000 + ms;
}
