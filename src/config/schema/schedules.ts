/**
 * The `schedules` section: opening hours in an IANA time zone, holidays (fixed dates and
 * RFC 5545 recurrence rules) and one-off exceptions.
 *
 * @example
 *   scheduleSchema.parse({
 *     tz: 'Europe/Berlin',
 *     weekly: { 'mon-fri': '08:00-18:00', sat: ['09:00-12:00', '13:00-15:00'] },
 *     holidays: ['2026-12-25', { rrule: 'FREQ=YEARLY;BYMONTH=11;BYDAY=4TH', name: 'Thanksgiving' }],
 *     exceptions: [{ closed: { from: '2026-03-02T12:00', to: '2026-03-02T14:00' }, reason: 'staff meeting' }],
 *   });
 */
import { createRequire } from 'node:module';
import * as z from 'zod';
import {
  localDate,
  localDateTime,
  mapping,
  timeRange,
  timeZone,
  WEEKDAYS,
  type TimeRange,
  type Weekday,
} from './primitives.js';

const { RRule } = createRequire(import.meta.url)('rrule') as typeof import('rrule');

const DAY_SPEC_RE = /^(mon|tue|wed|thu|fri|sat|sun)(?:-(mon|tue|wed|thu|fri|sat|sun))?$|^daily$/;

/** The days a weekly key covers: "mon", "mon-fri", "fri-mon" (wrapping) or "daily". */
function daysOf(spec: string): Weekday[] {
  const m = DAY_SPEC_RE.exec(spec);
  if (!m) return [];
  if (spec === 'daily') return [...WEEKDAYS];
  const first = WEEKDAYS.indexOf(m[1] as Weekday);
  const last = m[2] === undefined ? first : WEEKDAYS.indexOf(m[2] as Weekday);
  const days: Weekday[] = [];
  for (let i = first; ; i = (i + 1) % 7) {
    days.push(WEEKDAYS[i]!);
    if (i === last) break;
  }
  return days;
}

const daySpec = z
  .string()
  .regex(DAY_SPEC_RE, {
    error: (iss) =>
      `${JSON.stringify(iss.input)} is not a day or day range; use mon, tue, wed, thu, fri, sat, sun, a range such as "mon-fri", or "daily"`,
  })
  .describe('A day ("mon"), a range of days ("mon-fri", may wrap: "fri-mon") or "daily".');

export type WeeklyHours = Readonly<Record<Weekday, readonly TimeRange[]>>;

const weeklySchema = z
  .record(
    daySpec,
    z
      .union([timeRange('Opening hours.'), z.array(timeRange('Opening hours.')).min(1)])
      .describe('"HH:MM-HH:MM" or a list of them; a range ending at or before its start runs past midnight.'),
  )
  .transform((weekly, c): WeeklyHours => {
    const out: Record<Weekday, TimeRange[]> = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
    const claimedBy = new Map<Weekday, string>();
    for (const [spec, value] of Object.entries(weekly)) {
      for (const day of daysOf(spec)) {
        const earlier = claimedBy.get(day);
        if (earlier !== undefined) {
          c.addIssue({
            code: 'custom',
            path: [spec],
            message: `${day} is already given by "${earlier}"; give each day once (list several ranges for one day as a list)`,
          });
          continue;
        }
        claimedBy.set(day, spec);
        out[day].push(...(Array.isArray(value) ? value : [value]));
      }
    }
    return out;
  })
  .describe('Weekly opening hours: day or day range -> "HH:MM-HH:MM" (or a list). Days not listed are closed.');

const RRULE_FORBIDDEN = /^(BYHOUR|BYMINUTE|BYSECOND|DTSTART|BYSETPOS)$/;
const FREQ_ALLOWED = /^(YEARLY|MONTHLY|WEEKLY|DAILY)$/;

const WEEKDAY = '(?:MO|TU|WE|TH|FR|SA|SU)';
const INTEGERS = /^[+-]?[0-9]{1,3}(?:,[+-]?[0-9]{1,3})*$/;
/**
 * Value syntax of the parts whose values the `rrule` package takes unchecked: it loops
 * forever on INTERVAL=x or INTERVAL=-1, reads COUNT=x as one occurrence and drops the
 * "x" of BYMONTH=1,x, and fails inside on BYDAY=XX or a weekday in lower case. Checked
 * before the rule is parsed.
 */
const RRULE_VALUES: Readonly<Record<string, readonly [RegExp, string]>> = {
  INTERVAL: [/^[1-9][0-9]{0,3}$/, 'a whole number from 1 to 9999, e.g. INTERVAL=2'],
  COUNT: [/^[1-9][0-9]{0,3}$/, 'a whole number from 1 to 9999, e.g. COUNT=5'],
  BYMONTH: [INTEGERS, 'whole numbers separated by commas, e.g. BYMONTH=6,12'],
  BYMONTHDAY: [INTEGERS, 'whole numbers separated by commas, e.g. BYMONTHDAY=1,-1'],
  BYYEARDAY: [INTEGERS, 'whole numbers separated by commas, e.g. BYYEARDAY=1,-1'],
  BYWEEKNO: [INTEGERS, 'whole numbers separated by commas, e.g. BYWEEKNO=1'],
  BYDAY: [new RegExp(`^[+-]?(?:[0-9]{1,2})?${WEEKDAY}(?:,[+-]?(?:[0-9]{1,2})?${WEEKDAY})*$`), 'weekdays in capitals separated by commas, each with an optional week number, e.g. BYDAY=MO,TU or BYDAY=4TH or BYDAY=-1MO'],
  WKST: [new RegExp(`^${WEEKDAY}$`), 'one weekday in capitals, e.g. WKST=MO'],
  UNTIL: [/^[0-9]{8}(?:T[0-9]{6}Z?)?$/, 'a date written YYYYMMDD, e.g. UNTIL=20271231'],
};

/** The first part whose value is malformed, as a reason. */
function badPartValue(body: string): string | undefined {
  for (const part of body.split(';')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).toUpperCase();
    const value = eq < 0 ? '' : part.slice(eq + 1);
    const syntax = RRULE_VALUES[name];
    if (syntax && !syntax[0].test(value)) return `${name}=${value} is not valid; ${name} takes ${syntax[1]}`;
  }
  return undefined;
}

/** Parses an RRULE value for whole-day holidays; returns a reason when it is refused. */
function checkHolidayRule(text: string): string | undefined {
  const body = text.replace(/^RRULE:/i, '');
  if (/[\r\n]/.test(body)) return 'write only the RRULE value (e.g. "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"), on one line';
  const parts = body.split(';').map((p) => p.split('=')[0]!.toUpperCase());
  const freq = /(?:^|;)FREQ=([A-Z]+)/i.exec(body)?.[1]?.toUpperCase();
  if (freq === undefined) return 'an RRULE needs FREQ, e.g. "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"';
  if (!FREQ_ALLOWED.test(freq)) return `FREQ=${freq} is finer than a day; holidays use YEARLY, MONTHLY, WEEKLY or DAILY`;
  const forbidden = parts.find((p) => RRULE_FORBIDDEN.test(p));
  if (forbidden) return `${forbidden} is not allowed: a holiday is a whole day${forbidden === 'DTSTART' ? ' (use `start`)' : ''}`;
  const malformed = badPartValue(body);
  if (malformed) return malformed;
  try {
    const options = RRule.parseString(body);
    const months = ([] as number[]).concat(options.bymonth ?? []);
    if (months.some((m) => m < 1 || m > 12)) return 'BYMONTH values must be 1 to 12';
    const days = ([] as number[]).concat(options.bymonthday ?? []);
    if (days.some((d) => d === 0 || d < -31 || d > 31)) return 'BYMONTHDAY values must be 1 to 31 or -31 to -1';
    const rule = new RRule({ ...options, dtstart: new Date(Date.UTC(1970, 0, 1)) });
    // Bounded: rrule stops at its maximum year, so an impossible rule ends rather than loops.
    if (rule.after(new Date(Date.UTC(1970, 0, 1)), true) === null) return 'this rule never produces a date';
  } catch (err) {
    return `not a valid RRULE (${err instanceof Error ? err.message : String(err)})`;
  }
  return undefined;
}

export type HolidayConfig =
  | { readonly kind: 'date'; readonly date: string; readonly name?: string }
  | { readonly kind: 'rrule'; readonly rrule: string; readonly start: string; readonly name?: string };

const holidaySchema = z
  .union([
    localDate('A holiday date, "YYYY-MM-DD".'),
    mapping(
      {
        date: localDate('A holiday date, "YYYY-MM-DD".').optional(),
        rrule: z
          .string()
          .superRefine((text, c) => {
            const problem = checkHolidayRule(text);
            if (problem) c.addIssue({ code: 'custom', message: `${JSON.stringify(text)}: ${problem}` });
          })
          .describe('An RFC 5545 RRULE for a recurring holiday, e.g. "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH" (US Thanksgiving).')
          .optional(),
        start: localDate('First date the rule applies from (its DTSTART). Default "1970-01-01".').optional(),
        name: z.string().min(1).describe('A label shown in traces, e.g. "Christmas Day".').optional(),
      },
      'A named holiday: a `date` or an `rrule`.',
    ),
  ])
  .transform((h, c): HolidayConfig => {
    if (typeof h === 'string') return { kind: 'date', date: h };
    const name = h.name === undefined ? {} : { name: h.name };
    if ((h.date === undefined) === (h.rrule === undefined)) {
      c.addIssue({ code: 'custom', message: 'a holiday has exactly one of `date` or `rrule`' });
      return z.NEVER;
    }
    if (h.date !== undefined) {
      if (h.start !== undefined) c.addIssue({ code: 'custom', path: ['start'], message: '`start` only applies to an `rrule` holiday' });
      return { kind: 'date', date: h.date, ...name };
    }
    return { kind: 'rrule', rrule: h.rrule!.replace(/^RRULE:/i, ''), start: h.start ?? '1970-01-01', ...name };
  })
  .describe('A closed day: "YYYY-MM-DD", or { date | rrule, name }.');

/** A local interval [from, to) as "YYYY-MM-DDTHH:MM"; whole days are expanded. */
export interface LocalInterval {
  readonly from: string;
  readonly to: string;
}

const intervalSchema = z
  .union([
    localDate('A whole local day, "YYYY-MM-DD".'),
    mapping(
      {
        from: localDateTime('Start, "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM", local time.', 'start'),
        to: localDateTime('End, exclusive; a bare date means the end of that day.', 'end'),
      },
      'A local interval.',
    ),
  ])
  .transform((v, c): LocalInterval => {
    if (typeof v !== 'string') {
      if (v.to <= v.from) {
        c.addIssue({ code: 'custom', path: ['to'], message: `the interval ends (${v.to}) before it starts (${v.from})` });
        return z.NEVER;
      }
      return v;
    }
    const next = new Date(`${v}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    return { from: `${v}T00:00`, to: `${next.toISOString().slice(0, 10)}T00:00` };
  })
  .describe('A whole day "YYYY-MM-DD", or { from, to } in local time.');

export interface ExceptionConfig {
  readonly open: boolean;
  readonly from: string;
  readonly to: string;
  readonly reason?: string;
}

const exceptionSchema = mapping(
  {
    open: intervalSchema.optional(),
    closed: intervalSchema.optional(),
    reason: z.string().min(1).describe('Why, shown in traces, e.g. "staff meeting".').optional(),
  },
  'A one-off change: open (extended hours) or closed for a day or an interval. The first listed exception covering an instant wins.',
).transform((e, c): ExceptionConfig => {
  if ((e.open === undefined) === (e.closed === undefined)) {
    c.addIssue({ code: 'custom', message: 'an exception has exactly one of `open` or `closed`' });
    return z.NEVER;
  }
  const interval = (e.open ?? e.closed)!;
  return { open: e.open !== undefined, ...interval, ...(e.reason === undefined ? {} : { reason: e.reason }) };
});

export const scheduleSchema = mapping(
  {
    tz: timeZone('IANA time zone the hours, dates and exceptions are in, e.g. "Europe/Berlin".'),
    weekly: weeklySchema.prefault({}),
    holidays: z.array(holidaySchema).prefault([]).describe('Days closed all day (local dates), fixed or recurring.'),
    exceptions: z.array(exceptionSchema).prefault([]).describe('One-off openings and closings; they override holidays and weekly hours.'),
  },
  'Opening hours in a time zone.',
);
