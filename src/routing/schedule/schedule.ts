/**
 * Opening hours: is a schedule open at an instant, and why.
 *
 * Precedence: the first listed exception covering the instant, else a holiday on the
 * local date (closed all day), else the weekly hours.
 *
 * Weekly ranges are wall-clock times in the schedule's zone. Each range on a given day
 * opens at the first instant the wall clock shows its start and closes at the last
 * instant the wall clock shows its end, so across daylight-saving changes:
 *
 * | case                                     | behaviour                                              |
 * |------------------------------------------|--------------------------------------------------------|
 * | range starts in the skipped hour         | opens at the jump (e.g. 02:30-05:00 opens at 03:00)    |
 * | range ends in the skipped hour           | closes at the jump                                     |
 * | range lies wholly in the skipped hour    | does not open that day                                 |
 * | range starts in the repeated hour        | opens at the first occurrence                          |
 * | range ends in the repeated hour          | closes at the second occurrence (never closes and      |
 * |                                          | reopens within the hour)                               |
 * | night range over a change (22:00-06:00)  | open all night; the night is an hour shorter or longer |
 *
 * A range that ends at or before its start runs past midnight into the next day. A
 * holiday closes its whole local date, including the part of a night range from the
 * evening before that runs into it.
 *
 * @example
 *   const schedule = compileSchedule('support', config.schedules.support);
 *   isOpen(schedule, Date.parse('2026-03-02T09:00:00Z'));
 *   // { open: true, reason: 'weekly hours mon 08:00-18:00', localTime: '2026-03-02T10:00:00+01:00', zone: 'Europe/Berlin' }
 */
import type { ScheduleDefinition } from '../../config/schema/config.js';
import { WEEKDAYS } from '../../config/schema/primitives.js';
import { HolidayCalendar } from './holidays.js';
import { ZoneOffsets } from './zone.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface ScheduleState {
  readonly open: boolean;
  /** Which exception, holiday or weekly range decided, in words. */
  readonly reason: string;
  /** Local time at the instant, ISO 8601 with offset, e.g. "2026-10-25T02:30:00+01:00". */
  readonly localTime: string;
  readonly zone: string;
}

interface WeeklyRange {
  readonly start: number;
  readonly end: number;
  readonly label: string;
}

interface Exception {
  readonly start: number;
  readonly end: number;
  readonly open: boolean;
  readonly label: string;
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** "YYYY-MM-DDTHH:MM" as milliseconds on the local (UTC-based) time line. */
function localMs(text: string): number {
  return Date.UTC(Number(text.slice(0, 4)), Number(text.slice(5, 7)) - 1, Number(text.slice(8, 10)), Number(text.slice(11, 13)), Number(text.slice(14, 16)));
}

/** Monday = 0 for a local day number (1970-01-01 was a Thursday). */
function weekdayOf(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

export class CompiledSchedule {
  readonly zone: ZoneOffsets;
  private readonly weekly: readonly (readonly WeeklyRange[])[];
  private readonly exceptions: readonly Exception[];
  private readonly holidays: HolidayCalendar;

  constructor(
    readonly name: string,
    definition: ScheduleDefinition,
  ) {
    this.zone = ZoneOffsets.for(definition.tz);
    this.weekly = WEEKDAYS.map((day) =>
      definition.weekly[day].map((r) => ({ start: r.start, end: r.end, label: `${day} ${hhmm(r.start)}-${hhmm(r.end)}` })),
    );
    this.exceptions = definition.exceptions.map((e) => ({
      start: this.zone.firstInstant(localMs(e.from)),
      end: this.zone.lastInstant(localMs(e.to)),
      open: e.open,
      label: `${e.open ? 'open' : 'closed'} ${e.from} to ${e.to}${e.reason === undefined ? '' : ` (${e.reason})`}`,
    }));
    this.holidays = new HolidayCalendar(definition.holidays);
  }

  isOpen(instant: number): ScheduleState {
    const localTime = this.zone.format(instant);
    const state = (open: boolean, reason: string): ScheduleState => ({ open, reason, localTime, zone: this.zone.name });
    for (const e of this.exceptions) {
      if (instant >= e.start && instant < e.end) return state(e.open, `exception: ${e.label}`);
    }
    const day = Math.floor(this.zone.toLocal(instant) / DAY);
    const holiday = this.holidays.lookup(day);
    if (holiday) return state(false, `holiday: ${holiday.name}`);
    // Today's ranges, and yesterday's that run past midnight into today.
    for (const d of [day, day - 1]) {
      const midnight = d * DAY;
      for (const r of this.weekly[weekdayOf(d)]!) {
        const wraps = r.end <= r.start;
        if (d !== day && !wraps) continue;
        const opens = this.zone.firstInstant(midnight + r.start * MINUTE);
        const closes = this.zone.lastInstant(midnight + (wraps ? DAY : 0) + r.end * MINUTE);
        if (instant >= opens && instant < closes) return state(true, `weekly hours ${r.label}`);
      }
    }
    return state(false, `outside weekly hours (${WEEKDAYS[weekdayOf(day)]})`);
  }
}

export function compileSchedule(name: string, definition: ScheduleDefinition): CompiledSchedule {
  return new CompiledSchedule(name, definition);
}

/** Whether the schedule is open at the instant, why, and the local time there. */
export function isOpen(schedule: CompiledSchedule, instant: number): ScheduleState {
  return schedule.isOpen(instant);
}
