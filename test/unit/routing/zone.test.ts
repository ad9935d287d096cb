import { describe, expect, it } from 'vitest';
import { ZoneOffsets } from '../../../src/routing/schedule/zone.js';

const H = 3_600_000;
const utc = (iso: string) => Date.parse(`${iso}Z`);
/** A local wall-clock time as milliseconds on the UTC-based local time line. */
const wall = (iso: string) => Date.parse(`${iso}Z`);

describe('zone offsets across daylight-saving transitions', () => {
  const berlin = ZoneOffsets.for('Europe/Berlin');
  const newYork = ZoneOffsets.for('America/New_York');

  it.each([
    [berlin, '2026-03-29T00:59:59.999', 1 * H],
    [berlin, '2026-03-29T01:00:00.000', 2 * H],
    [berlin, '2026-10-25T00:59:59.999', 2 * H],
    [berlin, '2026-10-25T01:00:00.000', 1 * H],
    [newYork, '2026-03-08T06:59:59.999', -5 * H],
    [newYork, '2026-03-08T07:00:00.000', -4 * H],
    [newYork, '2026-11-01T05:59:59.999', -4 * H],
    [newYork, '2026-11-01T06:00:00.000', -5 * H],
  ])('%s at %s UTC', (zone, at, offset) => expect(zone.offsetAt(utc(at))).toBe(offset));

  it('finds transitions exactly even when asked about both sides in any order', () => {
    const fresh = ZoneOffsets.for('Australia/Lord_Howe'); // a 30-minute DST shift
    expect(fresh.offsetAt(utc('2026-04-04T14:59:59.999'))).toBe(11 * H);
    expect(fresh.offsetAt(utc('2026-04-04T15:00:00.000'))).toBe(10.5 * H);
    expect(fresh.offsetAt(utc('2026-10-03T15:29:59.999'))).toBe(10.5 * H);
    expect(fresh.offsetAt(utc('2026-10-03T15:30:00.000'))).toBe(11 * H);
  });

  it.each([
    ['Berlin, an ordinary time', berlin, '2026-06-01T10:00', '2026-06-01T08:00', '2026-06-01T08:00'],
    ['Berlin, the skipped hour maps to the jump', berlin, '2026-03-29T02:30', '2026-03-29T01:00', '2026-03-29T01:00'],
    ['Berlin, the repeated hour has two instants', berlin, '2026-10-25T02:30', '2026-10-25T00:30', '2026-10-25T01:30'],
    ['New York, the skipped hour maps to the jump', newYork, '2026-03-08T02:30', '2026-03-08T07:00', '2026-03-08T07:00'],
    ['New York, the repeated hour has two instants', newYork, '2026-11-01T01:30', '2026-11-01T05:30', '2026-11-01T06:30'],
    ['New York, just after the repeated hour', newYork, '2026-11-01T02:00', '2026-11-01T07:00', '2026-11-01T07:00'],
  ])('%s', (_what, zone, local, first, last) => {
    expect(new Date(zone.firstInstant(wall(local))).toISOString()).toBe(`${first}:00.000Z`);
    expect(new Date(zone.lastInstant(wall(local))).toISOString()).toBe(`${last}:00.000Z`);
  });

  it('formats local time with its offset, distinguishing the two passes of a repeated hour', () => {
    expect(berlin.format(utc('2026-10-25T00:30:00'))).toBe('2026-10-25T02:30:00+02:00');
    expect(berlin.format(utc('2026-10-25T01:30:00'))).toBe('2026-10-25T02:30:00+01:00');
    expect(newYork.format(utc('2026-11-01T05:30:00'))).toBe('2026-11-01T01:30:00-04:00');
    expect(ZoneOffsets.for('Asia/Kolkata').format(utc('2026-01-01T00:00:00'))).toBe('2026-01-01T05:30:00+05:30');
  });

  it('shares one instance per zone name', () => {
    expect(ZoneOffsets.for('Europe/Berlin')).toBe(berlin);
  });
});
