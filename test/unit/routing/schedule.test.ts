import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { compileSchedule, isOpen, type CompiledSchedule } from '../../../src/routing/schedule/schedule.js';

/** Compiles one schedule written as the YAML mapping body of `schedules.s`. */
function schedule(body: string): CompiledSchedule {
  const config = parseConfig(`schedules:\n  s: ${body}\n`, 'schedule.yaml');
  return compileSchedule('s', config.schedules.s!);
}

type Row = [at: string, open: boolean, reason?: RegExp];

function expectRows(s: CompiledSchedule, rows: Row[]): void {
  for (const [at, open, reason] of rows) {
    const state = isOpen(s, Date.parse(at));
    expect(state.open, `${at} (${state.localTime}: ${state.reason})`).toBe(open);
    if (reason) expect(state.reason, at).toMatch(reason);
  }
}

describe('weekly hours', () => {
  const office = schedule('{ tz: Europe/Berlin, weekly: { mon-fri: "08:00-18:00", sat: ["09:00-12:00", "13:00-15:00"] } }');

  it('opens within the ranges, in local time, and reports why', () => {
    expectRows(office, [
      ['2026-01-05T06:59:59Z', false, /^outside weekly hours \(mon\)$/], // Monday 07:59:59 CET
      ['2026-01-05T07:00:00Z', true, /^weekly hours mon 08:00-18:00$/],
      ['2026-01-05T16:59:59Z', true],
      ['2026-01-05T17:00:00Z', false], // 18:00: the end is exclusive
      ['2026-07-06T06:30:00Z', true], // Monday 08:30 CEST
      ['2026-01-10T10:30:00Z', true, /^weekly hours sat 09:00-12:00$/],
      ['2026-01-10T11:30:00Z', false], // 12:30 lunch gap
      ['2026-01-10T12:30:00Z', true, /^weekly hours sat 13:00-15:00$/],
      ['2026-01-11T10:00:00Z', false, /^outside weekly hours \(sun\)$/],
    ]);
  });

  it('returns the local time and zone', () => {
    expect(isOpen(office, Date.parse('2026-01-05T07:00:00Z'))).toEqual({
      open: true,
      reason: 'weekly hours mon 08:00-18:00',
      localTime: '2026-01-05T08:00:00+01:00',
      zone: 'Europe/Berlin',
    });
  });

  it('runs a range past midnight into the next day', () => {
    const night = schedule('{ tz: UTC, weekly: { fri: "22:00-06:00" } }');
    expectRows(night, [
      ['2026-01-09T21:59:00Z', false], // Friday 21:59
      ['2026-01-09T22:00:00Z', true, /^weekly hours fri 22:00-06:00$/],
      ['2026-01-10T03:00:00Z', true, /^weekly hours fri 22:00-06:00$/], // Saturday 03:00, still Friday's range
      ['2026-01-10T06:00:00Z', false],
      ['2026-01-10T23:00:00Z', false], // Saturday night: not listed
      ['2026-01-08T23:00:00Z', false], // Thursday night
    ]);
  });

  it('handles whole days, midnight ends and wrapping day ranges', () => {
    const s = schedule('{ tz: UTC, weekly: { sat-sun: "00:00-24:00", fri: "20:00-00:00" } }');
    expectRows(s, [
      ['2026-01-09T19:59:59Z', false],
      ['2026-01-09T23:59:59Z', true],
      ['2026-01-10T00:00:00Z', true, /^weekly hours sat 00:00-24:00$/],
      ['2026-01-11T23:59:59Z', true],
      ['2026-01-12T00:00:00Z', false],
    ]);
    const weekend = schedule('{ tz: UTC, weekly: { fri-mon: "10:00-11:00" } }');
    expectRows(weekend, [
      ['2026-01-09T10:30:00Z', true],
      ['2026-01-12T10:30:00Z', true],
      ['2026-01-13T10:30:00Z', false],
    ]);
  });
});

describe('daylight-saving transitions: Europe/Berlin (2026-03-29 02:00->03:00, 2026-10-25 03:00->02:00)', () => {
  it('a range ending in the skipped hour closes at the jump', () => {
    expectRows(schedule('{ tz: Europe/Berlin, weekly: { sun: "01:00-02:30" } }'), [
      ['2026-03-29T00:30:00Z', true], // 01:30 CET
      ['2026-03-29T00:59:59Z', true], // 01:59:59 CET
      ['2026-03-29T01:00:00Z', false], // 03:00 CEST
    ]);
  });

  it('a range wholly inside the skipped hour does not open that day', () => {
    expectRows(schedule('{ tz: Europe/Berlin, weekly: { sun: "02:15-02:45" } }'), [
      ['2026-03-29T00:59:59Z', false],
      ['2026-03-29T01:00:00Z', false],
      ['2026-03-29T01:30:00Z', false],
      ['2026-04-05T00:30:00Z', true], // a week later 02:30 CEST exists
    ]);
  });

  it('a range starting in the skipped hour opens at the jump', () => {
    expectRows(schedule('{ tz: Europe/Berlin, weekly: { sun: "02:30-05:00" } }'), [
      ['2026-03-29T00:59:59Z', false], // 01:59:59 CET
      ['2026-03-29T01:00:00Z', true], // 03:00 CEST
      ['2026-03-29T02:59:59Z', true], // 04:59:59 CEST
      ['2026-03-29T03:00:00Z', false], // 05:00 CEST
    ]);
  });

  it('a range ending in the repeated hour closes at its second occurrence, without closing in between', () => {
    expectRows(schedule('{ tz: Europe/Berlin, weekly: { sun: "01:00-02:30" } }'), [
      ['2026-10-24T22:59:59Z', false], // 00:59:59 CEST
      ['2026-10-24T23:00:00Z', true], // 01:00 CEST
      ['2026-10-25T00:45:00Z', true], // 02:45 CEST, first pass: past 02:30 on the wall, still open
      ['2026-10-25T01:15:00Z', true], // 02:15 CET, second pass
      ['2026-10-25T01:30:00Z', false], // 02:30 CET
    ]);
  });

  it('a range starting in the repeated hour opens at its first occurrence and stays open', () => {
    expectRows(schedule('{ tz: Europe/Berlin, weekly: { sun: "02:30-05:00" } }'), [
      ['2026-10-25T00:29:59Z', false], // 02:29:59 CEST
      ['2026-10-25T00:30:00Z', true], // 02:30 CEST
      ['2026-10-25T01:10:00Z', true], // 02:10 CET: the wall clock went back, the range stays open
      ['2026-10-25T03:59:59Z', true], // 04:59:59 CET
      ['2026-10-25T04:00:00Z', false], // 05:00 CET
    ]);
  });

  it('a night range over a change is open all night: 7 hours in spring, 9 in autumn', () => {
    const night = schedule('{ tz: Europe/Berlin, weekly: { sat: "22:00-06:00" } }');
    expectRows(night, [
      ['2026-03-28T20:59:59Z', false],
      ['2026-03-28T21:00:00Z', true], // 22:00 CET
      ['2026-03-29T03:59:59Z', true], // 05:59:59 CEST
      ['2026-03-29T04:00:00Z', false], // 06:00 CEST
      ['2026-10-24T19:59:59Z', false],
      ['2026-10-24T20:00:00Z', true], // 22:00 CEST
      ['2026-10-25T04:59:59Z', true], // 05:59:59 CET
      ['2026-10-25T05:00:00Z', false], // 06:00 CET
    ]);
  });
});

describe('daylight-saving transitions: America/New_York (2026-03-08 02:00->03:00, 2026-11-01 02:00->01:00)', () => {
  it('spring forward: ranges ending in, inside and starting in the skipped hour', () => {
    expectRows(schedule('{ tz: America/New_York, weekly: { sun: "01:00-02:30" } }'), [
      ['2026-03-08T06:30:00Z', true], // 01:30 EST
      ['2026-03-08T07:00:00Z', false], // 03:00 EDT
    ]);
    expectRows(schedule('{ tz: America/New_York, weekly: { sun: "02:15-02:45" } }'), [
      ['2026-03-08T06:59:59Z', false],
      ['2026-03-08T07:00:00Z', false],
      ['2026-03-08T07:20:00Z', false],
    ]);
    expectRows(schedule('{ tz: America/New_York, weekly: { sun: "02:30-05:00" } }'), [
      ['2026-03-08T06:59:59Z', false], // 01:59:59 EST
      ['2026-03-08T07:00:00Z', true], // 03:00 EDT
      ['2026-03-08T08:59:59Z', true], // 04:59:59 EDT
      ['2026-03-08T09:00:00Z', false], // 05:00 EDT
    ]);
  });

  it('fall back: ranges ending and starting in the repeated hour never flap', () => {
    expectRows(schedule('{ tz: America/New_York, weekly: { sun: "00:00-01:30" } }'), [
      ['2026-11-01T04:00:00Z', true], // 00:00 EDT
      ['2026-11-01T05:45:00Z', true], // 01:45 EDT, first pass
      ['2026-11-01T06:15:00Z', true], // 01:15 EST, second pass
      ['2026-11-01T06:30:00Z', false], // 01:30 EST
    ]);
    expectRows(schedule('{ tz: America/New_York, weekly: { sun: "01:30-03:00" } }'), [
      ['2026-11-01T05:29:59Z', false], // 01:29:59 EDT
      ['2026-11-01T05:30:00Z', true], // 01:30 EDT
      ['2026-11-01T06:10:00Z', true], // 01:10 EST
      ['2026-11-01T07:59:59Z', true], // 02:59:59 EST
      ['2026-11-01T08:00:00Z', false], // 03:00 EST
    ]);
  });

  it('business hours are unaffected by the change', () => {
    const office = schedule('{ tz: America/New_York, weekly: { mon-fri: "09:00-17:00" } }');
    expectRows(office, [
      ['2026-03-06T14:00:00Z', true], // Friday 09:00 EST
      ['2026-03-09T12:59:59Z', false], // Monday 08:59:59 EDT
      ['2026-03-09T13:00:00Z', true], // Monday 09:00 EDT
      ['2026-11-02T13:59:59Z', false], // Monday 08:59:59 EST
      ['2026-11-02T14:00:00Z', true], // Monday 09:00 EST
    ]);
  });
});

describe('holidays', () => {
  const support = schedule(
    '{ tz: America/New_York, weekly: { daily: "00:00-24:00" }, holidays: [2026-12-25, { date: 2026-07-03, name: Independence Day (observed) }, { rrule: "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH", name: Thanksgiving }, { rrule: "RRULE:FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO", name: Memorial Day }, { rrule: "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1", start: 2027-01-01 }] }',
  );

  it('closes fixed dates for the whole local day', () => {
    expectRows(support, [
      ['2026-12-25T04:59:59Z', true], // Dec 24 23:59:59 EST
      ['2026-12-25T05:00:00Z', false, /^holiday: holiday 2026-12-25$/], // Dec 25 00:00 EST
      ['2026-12-26T04:59:59Z', false],
      ['2026-12-26T05:00:00Z', true],
      ['2026-07-03T16:00:00Z', false, /^holiday: Independence Day \(observed\)$/],
    ]);
  });

  it('closes recurring dates (RFC 5545 RRULE) in every year', () => {
    expectRows(support, [
      ['2026-11-26T15:00:00Z', false, /^holiday: Thanksgiving$/], // 4th Thursday of November 2026
      ['2027-11-25T15:00:00Z', false, /^holiday: Thanksgiving$/],
      ['2030-11-28T15:00:00Z', false, /^holiday: Thanksgiving$/],
      ['2026-11-19T15:00:00Z', true], // 3rd Thursday
      ['2026-05-25T15:00:00Z', false, /^holiday: Memorial Day$/], // last Monday of May
      ['2027-05-31T15:00:00Z', false, /^holiday: Memorial Day$/],
      ['2026-05-18T15:00:00Z', true],
    ]);
  });

  it('applies a recurring rule only from its start date', () => {
    expectRows(support, [
      ['2026-01-01T15:00:00Z', true],
      ['2027-01-01T15:00:00Z', false, /^holiday: FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1$/],
    ]);
  });

  it('cuts a night range at the start of a holiday and reopens after it', () => {
    const night = schedule('{ tz: America/New_York, weekly: { daily: "22:00-06:00" }, holidays: [2026-12-25] }');
    expectRows(night, [
      ['2026-12-25T04:00:00Z', true], // Dec 24 23:00
      ['2026-12-25T07:00:00Z', false, /^holiday/], // Dec 25 02:00
      ['2026-12-26T04:00:00Z', false, /^holiday/], // Dec 25 23:00
      ['2026-12-26T07:00:00Z', true], // Dec 26 02:00: the night that began on the holiday
    ]);
  });
});

describe('exceptions', () => {
  const s = schedule(
    '{ tz: Europe/Berlin, weekly: { mon-fri: "08:00-18:00" }, holidays: [2026-12-24], exceptions: [{ closed: { from: 2026-03-02T12:00, to: 2026-03-02T14:00 }, reason: staff meeting }, { open: { from: 2026-12-24T08:00, to: 2026-12-24T12:00 }, reason: Christmas Eve morning }, { closed: 2026-05-15 }, { open: { from: 2026-05-15T09:00, to: 2026-05-15T10:00 } }, { open: { from: 2026-06-06, to: 2026-06-07 } }] }',
  );

  it('closes during extended closures and opens for extended hours', () => {
    expectRows(s, [
      ['2026-03-02T10:59:59Z', true], // 11:59:59 CET
      ['2026-03-02T11:00:00Z', false, /^exception: closed 2026-03-02T12:00 to 2026-03-02T14:00 \(staff meeting\)$/],
      ['2026-03-02T13:00:00Z', true], // 14:00
      ['2026-12-24T09:00:00Z', true, /^exception: open .*Christmas Eve morning/], // holiday, but opened
      ['2026-12-24T11:30:00Z', false, /^holiday/], // 12:30
    ]);
  });

  it('lets the first listed exception win, and treats a bare end date as the end of that day', () => {
    expectRows(s, [
      ['2026-05-15T07:30:00Z', false, /^exception: closed 2026-05-15T00:00 to 2026-05-16T00:00$/], // 09:30 CEST
      ['2026-06-06T20:00:00Z', true, /^exception: open 2026-06-06T00:00 to 2026-06-08T00:00$/], // Saturday 22:00
      ['2026-06-07T20:00:00Z', true], // Sunday 22:00, still inside
      ['2026-06-07T22:00:00Z', false], // Monday 00:00 CEST
    ]);
  });
});
