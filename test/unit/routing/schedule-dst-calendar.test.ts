/**
 * Calendar days and one-off exceptions on the days the clocks change, in Europe/Berlin and
 * America/New_York, and the shapes of holiday rule an admin is likely to write.
 * schedule.test.ts covers weekly ranges across the changes; this file covers the rest.
 *
 * | what                          | spring (23-hour day)                   | autumn (25-hour day)                      |
 * |-------------------------------|----------------------------------------|-------------------------------------------|
 * | holiday on the change day     | closed from local 00:00 to next 00:00  | same, including both passes of the hour   |
 * | exception from the lost hour  | starts at the jump                     | —                                         |
 * | exception inside the lost hour| never applies                          | —                                         |
 * | exception ending in the hour  | —                                      | ends at the second pass                   |
 * | exception starting in the hour| —                                      | starts at the first pass                  |
 *
 * @example
 *   expectRows(schedule('{ tz: UTC, holidays: [2026-12-25] }'), [['2026-12-25T12:00:00Z', false, /^holiday/]]);
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { compileRouter } from '../../../src/routing/router.js';
import { compileSchedule, isOpen, type CompiledSchedule } from '../../../src/routing/schedule/schedule.js';
import { InMemoryRoutingState } from '../../../src/routing/state.js';

function schedule(body: string): CompiledSchedule {
  const config = parseConfig(`schedules:\n  s: ${body}\n`, 'schedule.yaml');
  return compileSchedule('s', config.schedules.s!);
}

type Row = [at: string, open: boolean, reason?: RegExp];

function expectRows(s: CompiledSchedule, rows: readonly Row[]): void {
  for (const [at, open, reason] of rows) {
    const state = isOpen(s, Date.parse(at));
    expect(state.open, `${at} (${state.localTime}: ${state.reason})`).toBe(open);
    if (reason) expect(state.reason, at).toMatch(reason);
  }
}

const ALWAYS = 'weekly: { daily: "00:00-24:00" }';

describe('a holiday on the day the clocks change closes the whole local day', () => {
  it.each<[string, string, string, Row[]]>([
    ['Europe/Berlin, spring: 23 hours', 'Europe/Berlin', 'FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', [
      ['2026-03-28T22:59:59Z', true], // Saturday 23:59:59 CET
      ['2026-03-28T23:00:00Z', false, /^holiday: change day$/], // Sunday 00:00 CET
      ['2026-03-29T01:00:00Z', false], // 03:00 CEST, right after the jump
      ['2026-03-29T21:59:59Z', false], // 23:59:59 CEST
      ['2026-03-29T22:00:00Z', true], // Monday 00:00 CEST
      ['2027-03-28T10:00:00Z', false], // the rule's next year
    ]],
    ['Europe/Berlin, autumn: 25 hours', 'Europe/Berlin', 'FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', [
      ['2026-10-24T21:59:59Z', true], // Saturday 23:59:59 CEST
      ['2026-10-24T22:00:00Z', false], // Sunday 00:00 CEST
      ['2026-10-25T00:30:00Z', false], // 02:30 CEST, first pass
      ['2026-10-25T01:30:00Z', false], // 02:30 CET, second pass
      ['2026-10-25T22:59:59Z', false], // 23:59:59 CET
      ['2026-10-25T23:00:00Z', true], // Monday 00:00 CET
    ]],
    ['America/New_York, spring: 23 hours', 'America/New_York', 'FREQ=YEARLY;BYMONTH=3;BYDAY=2SU', [
      ['2026-03-08T04:59:59Z', true], // Saturday 23:59:59 EST
      ['2026-03-08T05:00:00Z', false], // Sunday 00:00 EST
      ['2026-03-08T07:00:00Z', false], // 03:00 EDT
      ['2026-03-09T03:59:59Z', false], // 23:59:59 EDT
      ['2026-03-09T04:00:00Z', true], // Monday 00:00 EDT
    ]],
    ['America/New_York, autumn: 25 hours', 'America/New_York', 'FREQ=YEARLY;BYMONTH=11;BYDAY=1SU', [
      ['2026-11-01T03:59:59Z', true], // Saturday 23:59:59 EDT
      ['2026-11-01T04:00:00Z', false], // Sunday 00:00 EDT
      ['2026-11-01T05:30:00Z', false], // 01:30 EDT, first pass
      ['2026-11-01T06:30:00Z', false], // 01:30 EST, second pass
      ['2026-11-02T04:59:59Z', false], // 23:59:59 EST
      ['2026-11-02T05:00:00Z', true], // Monday 00:00 EST
    ]],
  ])('%s', (_what, tz, rrule, rows) => {
    expectRows(schedule(`{ tz: ${tz}, ${ALWAYS}, holidays: [{ rrule: "${rrule}", name: change day }] }`), rows);
  });
});

describe('one-off exceptions whose ends fall in the skipped or repeated hour', () => {
  it.each<[string, string, string, Row[]]>([
    ['Berlin: a closure from the skipped 02:30 starts at the jump', 'Europe/Berlin', `${ALWAYS}, exceptions: [{ closed: { from: 2026-03-29T02:30, to: 2026-03-29T04:00 } }]`, [
      ['2026-03-29T00:59:59Z', true], // 01:59:59 CET
      ['2026-03-29T01:00:00Z', false, /^exception: closed 2026-03-29T02:30 to 2026-03-29T04:00$/], // 03:00 CEST
      ['2026-03-29T01:59:59Z', false], // 03:59:59 CEST
      ['2026-03-29T02:00:00Z', true], // 04:00 CEST
    ]],
    ['New York: a closure wholly inside the skipped hour never applies', 'America/New_York', `${ALWAYS}, exceptions: [{ closed: { from: 2026-03-08T02:00, to: 2026-03-08T02:59 } }]`, [
      ['2026-03-08T06:59:59Z', true], // 01:59:59 EST
      ['2026-03-08T07:00:00Z', true, /^weekly hours/], // 03:00 EDT
    ]],
    ['Berlin: a closure from the repeated 02:30 starts at its first pass', 'Europe/Berlin', `${ALWAYS}, exceptions: [{ closed: { from: 2026-10-25T02:30, to: 2026-10-25T03:00 } }]`, [
      ['2026-10-25T00:29:59Z', true], // 02:29:59 CEST
      ['2026-10-25T00:30:00Z', false], // 02:30 CEST
      ['2026-10-25T01:15:00Z', false], // 02:15 CET: the wall clock went back, still closed
      ['2026-10-25T01:59:59Z', false], // 02:59:59 CET
      ['2026-10-25T02:00:00Z', true], // 03:00 CET
    ]],
    ['Berlin: extended hours ending in the repeated hour end at its second pass', 'Europe/Berlin', 'exceptions: [{ open: { from: 2026-10-25T01:00, to: 2026-10-25T02:30 }, reason: stocktake }]', [
      ['2026-10-24T22:59:59Z', false], // 00:59:59 CEST
      ['2026-10-24T23:00:00Z', true, /^exception: open .*\(stocktake\)$/], // 01:00 CEST
      ['2026-10-25T00:45:00Z', true], // 02:45 CEST, first pass
      ['2026-10-25T01:15:00Z', true], // 02:15 CET, second pass
      ['2026-10-25T01:30:00Z', false, /^outside weekly hours \(sun\)$/], // 02:30 CET
    ]],
    ['New York: a closure from the repeated 01:00 to 02:00 lasts two hours', 'America/New_York', `${ALWAYS}, exceptions: [{ closed: { from: 2026-11-01T01:00, to: 2026-11-01T02:00 } }]`, [
      ['2026-11-01T04:59:59Z', true], // 00:59:59 EDT
      ['2026-11-01T05:00:00Z', false], // 01:00 EDT
      ['2026-11-01T06:30:00Z', false], // 01:30 EST
      ['2026-11-01T06:59:59Z', false], // 01:59:59 EST
      ['2026-11-01T07:00:00Z', true], // 02:00 EST
    ]],
  ])('%s', (_what, tz, body, rows) => {
    expectRows(schedule(`{ tz: ${tz}, ${body} }`), rows);
  });
});

describe('holiday rules (RFC 5545 RRULE) of the kinds admins write', () => {
  it.each<[string, string, Row[]]>([
    ['every other year from the start date', '{ rrule: "FREQ=YEARLY;INTERVAL=2;BYMONTH=6;BYMONTHDAY=1", start: 2026-01-01 }', [
      ['2026-06-01T12:00:00Z', false],
      ['2027-06-01T12:00:00Z', true],
      ['2028-06-01T12:00:00Z', false],
    ]],
    ['a fixed number of times', '{ rrule: "FREQ=YEARLY;COUNT=2;BYMONTH=1;BYMONTHDAY=2", start: 2026-01-01 }', [
      ['2026-01-02T12:00:00Z', false],
      ['2027-01-02T12:00:00Z', false],
      ['2028-01-02T12:00:00Z', true],
    ]],
    ['until a last date', '{ rrule: "FREQ=YEARLY;BYMONTH=8;BYMONTHDAY=15;UNTIL=20271231" }', [
      ['2027-08-15T12:00:00Z', false],
      ['2028-08-15T12:00:00Z', true],
    ]],
    ['the first Monday of every month', '{ rrule: "FREQ=MONTHLY;BYDAY=1MO" }', [
      ['2026-02-02T12:00:00Z', false],
      ['2026-02-09T12:00:00Z', true],
      ['2026-06-01T12:00:00Z', false],
    ]],
    ['the last day of every month, leap years included', '{ rrule: "FREQ=MONTHLY;BYMONTHDAY=-1" }', [
      ['2026-02-28T12:00:00Z', false],
      ['2028-02-28T12:00:00Z', true],
      ['2028-02-29T12:00:00Z', false],
      ['2026-04-30T12:00:00Z', false],
    ]],
    ['29 February only in leap years', '{ rrule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29" }', [
      ['2027-02-28T12:00:00Z', true],
      ['2027-03-01T12:00:00Z', true],
      ['2028-02-29T12:00:00Z', false],
    ]],
    ['every weekend', '{ rrule: "FREQ=WEEKLY;BYDAY=SA,SU" }', [
      ['2026-01-03T12:00:00Z', false],
      ['2026-01-04T12:00:00Z', false],
      ['2026-01-05T12:00:00Z', true],
    ]],
  ])('%s', (_what, rule, rows) => {
    expectRows(schedule(`{ tz: UTC, ${ALWAYS}, holidays: [${rule}] }`), rows);
  });

  it('reads the rule\'s dates in the schedule\'s zone, across the turn of the year', () => {
    // 31 December (BYYEARDAY=-1) in New York runs from 05:00 UTC that day to 05:00 UTC on 1 January.
    expectRows(schedule(`{ tz: America/New_York, ${ALWAYS}, holidays: [{ rrule: "FREQ=YEARLY;BYYEARDAY=-1", name: New Year's Eve }] }`), [
      ['2026-12-31T04:59:59Z', true],
      ['2026-12-31T05:00:00Z', false, /^holiday: New Year's Eve$/],
      ['2027-01-01T04:59:59Z', false], // 23:59:59 on the 31st in New York, already the 1st in UTC
      ['2027-01-01T05:00:00Z', true],
    ]);
    // 1 January in Kiritimati (UTC+14) begins at 10:00 UTC on 31 December.
    expectRows(schedule(`{ tz: Pacific/Kiritimati, ${ALWAYS}, holidays: [{ rrule: "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1" }] }`), [
      ['2026-12-31T09:59:59Z', true],
      ['2026-12-31T10:00:00Z', false],
      ['2027-01-01T09:59:59Z', false],
      ['2027-01-01T10:00:00Z', true],
    ]);
  });
});

describe('the decision trace tells the two passes of a repeated hour apart', () => {
  const config = parseConfig(
    [
      'schedules: { night: { tz: America/New_York, weekly: { sat: "22:00-06:00" } } }',
      'voicemail: { general: {} }',
      'routes: [{ name: night, match: { schedule: night }, then: { voicemail: general } }]',
    ].join('\n'),
    'dst.yaml',
  );
  const router = compileRouter(config);
  const state = new InMemoryRoutingState({ registered: 'everyone' });

  it.each([
    ['2026-11-01T05:30:00Z', '2026-11-01T01:30:00-04:00'],
    ['2026-11-01T06:30:00Z', '2026-11-01T01:30:00-05:00'],
  ])('%s is local %s, and the night range is open', (at, local) => {
    const d = router.decide({ to: '+18005550100', from: '+14155550100', headers: {} }, Date.parse(at), state);
    expect(d.rule).toBe('night');
    expect(d.trace.at(-1)).toMatchObject({
      rule: 'night',
      matched: true,
      detail: `matched: schedule night is open: weekly hours sat 22:00-06:00 (local ${local} America/New_York)`,
    });
  });
});
