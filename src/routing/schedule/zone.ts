/**
 * UTC offsets of an IANA time zone, and conversion of local wall-clock times to
 * instants across daylight-saving transitions.
 *
 * Asking `Intl` for an offset costs several microseconds, far too much for a routing
 * decision, so offsets are cached as spans of constant offset whose ends are the exact
 * transition instants (found once by daily probing and bisection to the millisecond).
 * A decision then costs a few array lookups.
 *
 * A local wall time maps to 0, 1 or 2 instants:
 *
 * | situation                   | example (Europe/Berlin)      | firstInstant         | lastInstant          |
 * |-----------------------------|------------------------------|----------------------|----------------------|
 * | ordinary                    | 2026-06-01 10:00             | the one instant      | the one instant      |
 * | skipped (spring forward)    | 2026-03-29 02:30 (no such)   | the jump (01:00 UTC) | the jump (01:00 UTC) |
 * | repeated (fall back)        | 2026-10-25 02:30 (twice)     | 00:30 UTC (CEST)     | 01:30 UTC (CET)      |
 *
 * @example
 *   const berlin = ZoneOffsets.for('Europe/Berlin');
 *   berlin.offsetAt(Date.UTC(2026, 6, 1));                  // 7200000 (CEST)
 *   berlin.firstInstant(Date.UTC(2026, 2, 29, 2, 30));      // Date.UTC(2026, 2, 29, 1, 0): the clock jumps 02:00 -> 03:00
 */
import { IANAZone } from 'luxon';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How far a span search probes each way before settling for "constant over this range". */
const SEARCH_DAYS = 400;
/** Spans kept per zone; decisions cluster around "now", the CLI and tests jump around. */
const MAX_SPANS = 16;

interface Span {
  readonly start: number;
  readonly end: number;
  readonly offset: number;
}

const zones = new Map<string, ZoneOffsets>();

export class ZoneOffsets {
  private readonly zone: IANAZone;
  private spans: Span[] = [];

  private constructor(readonly name: string) {
    this.zone = IANAZone.create(name);
    if (!this.zone.isValid) throw new RangeError(`unknown time zone ${name}`);
  }

  /** One shared instance per zone name, so the span cache is shared too. */
  static for(name: string): ZoneOffsets {
    let zone = zones.get(name);
    if (!zone) {
      zone = new ZoneOffsets(name);
      zones.set(name, zone);
    }
    return zone;
  }

  /** Local time minus UTC, in milliseconds, at an instant. */
  offsetAt(instant: number): number {
    for (const span of this.spans) {
      if (instant >= span.start && instant < span.end) return span.offset;
    }
    const span = this.findSpan(instant);
    this.spans.unshift(span);
    if (this.spans.length > MAX_SPANS) this.spans.pop();
    return span.offset;
  }

  /** The local wall-clock time at an instant, as milliseconds on a UTC-based time line. */
  toLocal(instant: number): number {
    return instant + this.offsetAt(instant);
  }

  /** The earliest instant at which the wall clock shows `local` (or jumps past it). */
  firstInstant(local: number): number {
    return this.instantOf(local, 'first');
  }

  /** The latest instant at which the wall clock shows `local` (or jumps past it). */
  lastInstant(local: number): number {
    return this.instantOf(local, 'last');
  }

  /** "2026-03-29T03:30:00+02:00": the local time at an instant with its offset. */
  format(instant: number): string {
    const offset = this.offsetAt(instant);
    const local = new Date(instant + offset).toISOString().slice(0, 19);
    const sign = offset < 0 ? '-' : '+';
    const minutes = Math.round(Math.abs(offset) / 60_000);
    return `${local}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  }

  private instantOf(local: number, which: 'first' | 'last'): number {
    // Offsets are within +-14 h, and real zones never change offset twice within two
    // days, so the offsets a day either side are the only candidates.
    const before = this.offsetAt(local - DAY);
    const after = this.offsetAt(local + DAY);
    const a = local - before;
    const b = local - after;
    const aValid = this.offsetAt(a) === before;
    const bValid = this.offsetAt(b) === after;
    if (aValid && bValid) return which === 'first' ? Math.min(a, b) : Math.max(a, b);
    if (aValid) return a;
    if (bValid) return b;
    // Skipped wall time: the clock jumps over it at the transition, between b and a.
    let lo = Math.min(a, b);
    let hi = Math.max(a, b);
    const offsetLo = this.offsetAt(lo);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.offsetAt(mid) === offsetLo) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  private rawOffset(instant: number): number {
    return Math.round(this.zone.offset(instant) * 60_000);
  }

  /** The maximal span of constant offset around an instant, within the search window. */
  private findSpan(instant: number): Span {
    const offset = this.rawOffset(instant);
    const edge = (direction: 1 | -1): number => {
      let inside = instant;
      for (let day = 1; day <= SEARCH_DAYS; day++) {
        const probe = instant + direction * day * DAY;
        if (this.rawOffset(probe) !== offset) {
          let lo = inside;
          let hi = probe;
          while (Math.abs(hi - lo) > 1) {
            const mid = lo + Math.trunc((hi - lo) / 2);
            if (this.rawOffset(mid) === offset) lo = mid;
            else hi = mid;
          }
          return direction === 1 ? hi : lo;
        }
        inside = probe;
      }
      return direction === 1 ? inside + 1 : inside;
    };
    return { start: edge(-1), end: edge(1), offset };
  }
}
