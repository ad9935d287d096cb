import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MEDIA_FILES,
  mediaPath,
  numberFragments,
  positionAnnouncement,
  PROMPTS,
  waitAnnouncement,
} from '../../../src/media/announcements.js';

const n = (...xs: (number | string)[]): string[] => xs.map((x) => `numbers/${x}.wav`);

describe('announcements from fragments', () => {
  it.each([
    [0, n(0)],
    [7, n(7)],
    [13, n(13)],
    [20, n(20)],
    [42, n(40, 2)],
    [100, n(1, 'hundred')],
    [305, n(3, 'hundred', 5)],
    [999, n(9, 'hundred', 90, 9)],
  ])('says %i', (value, fragments) => {
    expect(numberFragments(value)).toEqual(fragments);
  });

  it('only uses files of the default set', () => {
    for (let i = 0; i <= 999; i++) for (const f of numberFragments(i)) expect(DEFAULT_MEDIA_FILES).toContain(f);
    for (const f of [...waitAnnouncement(30_000), ...waitAnnouncement(61_000), ...positionAnnouncement(1)]) {
      expect(DEFAULT_MEDIA_FILES).toContain(f);
    }
  });

  it('refuses numbers it cannot say', () => {
    for (const bad of [-1, 1.5, 1000, Number.NaN]) expect(() => numberFragments(bad)).toThrow(/cannot announce/);
  });

  it('announces positions, clamped to 1..999', () => {
    expect(positionAnnouncement(3)).toEqual([PROMPTS.callerNumber, ...n(3)]);
    expect(positionAnnouncement(0)).toEqual([PROMPTS.callerNumber, ...n(1)]);
    expect(positionAnnouncement(5000)).toEqual([PROMPTS.callerNumber, ...n(9, 'hundred', 90, 9)]);
  });

  it('announces the wait in whole minutes, rounded up, singular for one', () => {
    expect(waitAnnouncement(20_000)).toEqual([PROMPTS.estimatedWait, PROMPTS.lessThan, ...n(1), PROMPTS.minute]);
    expect(waitAnnouncement(60_000)).toEqual([PROMPTS.estimatedWait, ...n(1), PROMPTS.minute]);
    expect(waitAnnouncement(61_000)).toEqual([PROMPTS.estimatedWait, ...n(2), PROMPTS.minutes]);
    expect(waitAnnouncement(25 * 60_000)).toEqual([PROMPTS.estimatedWait, ...n(20, 5), PROMPTS.minutes]);
  });
});

describe('mediaPath', () => {
  it('resolves inside the media directory and refuses escapes', () => {
    expect(mediaPath('/srv/media', 'music/hold.wav')).toBe('/srv/media/music/hold.wav');
    expect(mediaPath('/srv/media/', './prompts/../prompts/beep.wav')).toBe('/srv/media/prompts/beep.wav');
    for (const bad of ['../etc/passwd', '/etc/passwd', '', 'prompts/../../x.wav']) {
      expect(() => mediaPath('/srv/media', bad), bad).toThrow(/outside the media directory/);
    }
  });
});
