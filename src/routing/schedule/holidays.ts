/**
 * Whole-day holidays of a schedule: fixed dates and RFC 5545 recurrence rules, looked
 * up by local day number (days since 1970-01-01 in the schedule's zone).
 *
 * Recurrence rules are expanded one calendar year at a time and cached, so a lookup is
 * a map probe; the cache is bounded because the CLI and tests may ask about any year.
 *
 * @example
 *   const calendar = new HolidayCalendar([{ kind: 'rrule', rrule: 'FREQ=YEARLY;BYMONTH=11;BYDAY=4TH', start: '1970-01-01', name: 'Thanksgiving' }]);
 *   calendar.lookup(dayNumber(2026, 11, 26))?.name; // "Thanksgiving"
 */
import { createRequire } from 'node:module';
import type { HolidayConfig } from '../../config/schema/schedules.js';

const { RRule } = createRequire(import.meta.url)('rrule') as typeof import('rrule');

const DAY = 86_400_000;
const MAX_CACHED_YEARS = 32;

/** Days since 1970-01-01 for a calendar date. */
export function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / DAY);
}

function parseDay(date: string): number {
  return dayNumber(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)));
}

/** A holiday found for a day: its label for traces. */
export interface HolidayHit {
  readonly name: string;
}

type RRuleInstance = InstanceType<typeof RRule>;

export class HolidayCalendar {
  private readonly fixed = new Map<number, HolidayHit>();
  private readonly rules: { rule: RRuleInstance; hit: HolidayHit }[] = [];
  private readonly years = new Map<number, Map<number, HolidayHit>>();

  constructor(holidays: readonly HolidayConfig[]) {
    for (const holiday of holidays) {
      if (holiday.kind === 'date') {
        const day = parseDay(holiday.date);
        if (!this.fixed.has(day)) this.fixed.set(day, { name: holiday.name ?? `holiday ${holiday.date}` });
      } else {
        // Dates are "floating": a rule's occurrences are read as local calendar dates, so the
        // rule is evaluated on a UTC time line and only the date part is used.
        const options = RRule.parseString(holiday.rrule);
        const start = new Date(parseDay(holiday.start) * DAY);
        this.rules.push({ rule: new RRule({ ...options, dtstart: start }), hit: { name: holiday.name ?? holiday.rrule } });
      }
    }
  }

  /** The holiday on a local day number, if any; fixed dates win over rules. */
  lookup(day: number): HolidayHit | undefined {
    const fixed = this.fixed.get(day);
    if (fixed !== undefined || this.rules.length === 0) return fixed;
    const year = new Date(day * DAY).getUTCFullYear();
    return this.year(year).get(day);
  }

  private year(year: number): Map<number, HolidayHit> {
    let days = this.years.get(year);
    if (days) return days;
    days = new Map();
    const from = new Date(Date.UTC(year, 0, 1));
    const to = new Date(Date.UTC(year + 1, 0, 1) - 1);
    for (const { rule, hit } of this.rules) {
      for (const occurrence of rule.between(from, to, true)) {
        const day = Math.floor(occurrence.getTime() / DAY);
        if (!days.has(day)) days.set(day, hit);
      }
    }
    if (this.years.size >= MAX_CACHED_YEARS) this.years.delete(this.years.keys().next().value!);
    this.years.set(year, days);
    return days;
  }
}
