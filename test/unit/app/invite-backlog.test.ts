import { describe, expect, it } from 'vitest';
import { InviteBacklog, msOfDay } from '../../../src/app/invite-backlog.js';

/** The wire stamp (HH:MM:SS.ffffff UTC) of an instant. */
function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}000`;
}

const T0 = Date.UTC(2026, 11, 6, 11, 30, 0);

describe('InviteBacklog', () => {
  it('reads wire stamps as milliseconds of the UTC day, and refuses what is not one', () => {
    expect(msOfDay('11:30:00.250000')).toBe((11 * 3600 + 30 * 60) * 1000 + 250);
    expect(msOfDay('00:00:00.000000')).toBe(0);
    expect(msOfDay(undefined)).toBeUndefined();
    expect(msOfDay('soon')).toBeUndefined();
    expect(msOfDay('25:00:00.000000')).toBeUndefined();
  });

  it('sheds an INVITE that waited longer than the limit, and only those', () => {
    const b = new InviteBacklog(200, 0);
    expect(b.tooLate(stamp(T0), T0 + 2)).toBe(false);
    expect(b.tooLate(stamp(T0 + 10), T0 + 150)).toBe(false);
    expect(b.tooLate(stamp(T0 + 20), T0 + 400)).toBe(true);
    expect(b.shed).toBe(1);
    expect(b.tooLate(undefined, T0 + 500)).toBe(false);
  });

  it('refuses nobody for one pause the queue drains after; refuses once the waits last', () => {
    const b = new InviteBacklog(200, 1000);
    b.tooLate(stamp(T0), T0 + 2);
    // A 400 ms pause: the INVITEs behind it waited too long, then the queue drained.
    expect(b.tooLate(stamp(T0 + 100), T0 + 500)).toBe(false);
    expect(b.tooLate(stamp(T0 + 150), T0 + 505)).toBe(false);
    expect(b.tooLate(stamp(T0 + 510), T0 + 520)).toBe(false);
    // Waits over the limit from T0 + 2000 on, for good.
    let t = T0 + 2000;
    for (; t < T0 + 2900; t += 100) expect(b.tooLate(stamp(t - 300), t)).toBe(false);
    expect(b.tooLate(stamp(T0 + 3000 - 300), T0 + 3000)).toBe(true);
    expect(b.shed).toBe(1);
    // One INVITE that waited less ends the episode.
    expect(b.tooLate(stamp(T0 + 3100), T0 + 3110)).toBe(false);
    expect(b.tooLate(stamp(T0 + 3200 - 300), T0 + 3200)).toBe(false);
  });

  it('measures against the smallest wait seen, so a server clock that is off by a steady amount does not shed', () => {
    const b = new InviteBacklog(200, 0);
    const skew = -5_000; // the server's clock 5 s behind ours
    for (let i = 0; i < 100; i++) expect(b.tooLate(stamp(T0 + i * 10 + skew), T0 + i * 10 + 3)).toBe(false);
    expect(b.tooLate(stamp(T0 + 1000 + skew), T0 + 1500)).toBe(true);
  });

  it('forgets a clock step within 30 s of sparse INVITEs, and within 90 s of steady ones', () => {
    const sparse = new InviteBacklog(200, 0);
    sparse.tooLate(stamp(T0), T0 + 1);
    // Our clock steps 2 s ahead: everything looks 2 s late for a while …
    expect(sparse.tooLate(stamp(T0 + 1000), T0 + 3001)).toBe(true);
    // … and not once the windows that saw the old offset have passed.
    let t = T0 + 3001;
    for (; t < T0 + 40_000; t += 1000) sparse.tooLate(stamp(t - 2000), t);
    expect(sparse.tooLate(stamp(t - 2000), t + 5)).toBe(false);

    const steady = new InviteBacklog(200, 1000);
    steady.tooLate(stamp(T0), T0 + 1);
    for (t = T0 + 100; t < T0 + 95_000; t += 100) steady.tooLate(stamp(t - 2000), t);
    expect(steady.tooLate(stamp(t - 2000), t)).toBe(false);
    expect(steady.shed).toBeGreaterThan(0);
  });

  it('keeps refusing through a lasting backlog: the backlog does not become the baseline', () => {
    const b = new InviteBacklog(200, 1000);
    for (let t = T0; t < T0 + 5000; t += 50) b.tooLate(stamp(t - 5), t);
    // From T0 + 5 s the application is 300 ms behind, for 50 s.
    let refused = 0;
    let t = T0 + 5000;
    for (; t < T0 + 55_000; t += 50) if (b.tooLate(stamp(t - 300), t)) refused++;
    expect(b.tooLate(stamp(t - 300), t)).toBe(true);
    expect(refused).toBeGreaterThan(950); // all but the first second's
  });

  it('does not add up two late INVITEs far apart (two separate pauses) into a lasting backlog', () => {
    const b = new InviteBacklog(200, 1000);
    b.tooLate(stamp(T0), T0 + 2);
    expect(b.tooLate(stamp(T0 + 2000), T0 + 2400)).toBe(false);
    expect(b.tooLate(stamp(T0 + 4000), T0 + 4400)).toBe(false);
    expect(b.shed).toBe(0);
  });

  it('takes stamps from just before midnight UTC as recent', () => {
    const b = new InviteBacklog(200, 0);
    const midnight = Date.UTC(2026, 11, 7);
    expect(b.tooLate(stamp(midnight - 50), midnight + 10)).toBe(false);
    expect(b.tooLate(stamp(midnight - 500), midnight + 10)).toBe(true);
  });
});
