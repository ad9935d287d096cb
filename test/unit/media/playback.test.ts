import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MediaClient } from '../../../src/media/media-client.js';
import { LOOP_TIMES, Playback } from '../../../src/media/playback.js';
import { isSwitchboardError } from '../../../src/util/errors.js';
import { defaultAnswer, FakeNg } from './fake-ng.js';

let ng: FakeNg;
let media: MediaClient;
const durations: Record<string, number | undefined> = { '/m/a.wav': 800, '/m/b.wav': 500, '/m/c.wav': 300 };

beforeEach(async () => {
  vi.useFakeTimers();
  ng = new FakeNg((command, params) => {
    if (command !== 'play media') return defaultAnswer(command, params);
    if (params.file === '/m/refused.wav') return { result: 'error', 'error-reason': 'Failed to start media playback' };
    const duration = durations[String(params.file)];
    return duration === undefined ? { result: 'ok' } : { result: 'ok', duration };
  });
  media = new MediaClient({ ng: '127.0.0.1:22222', transport: ng });
  await media.start();
});
afterEach(() => {
  media.close();
  vi.useRealTimers();
});

const plays = (): { file: unknown; at: number }[] =>
  ng.sent.filter((s) => s.command === 'play media').map((s) => ({ file: s.params.file, at: s.at }));

describe('Playback', () => {
  it('plays fragments back to back, each after the previous one\'s duration plus one frame', async () => {
    const p = new Playback(media, { callId: 'c', tag: 'a' }, (f) => `/m/${f}`);
    const t0 = Date.now();
    const done = p.sequence(['a.wav', 'b.wav', 'c.wav']);
    await vi.advanceTimersByTimeAsync(820 + 520 + 320);
    expect(await done).toBe('done');
    expect(plays().map((x) => [x.file, x.at - t0])).toEqual([
      ['/m/a.wav', 0],
      ['/m/b.wav', 820],
      ['/m/c.wav', 1340],
    ]);
    expect(p.active).toBe(false);
    expect(ng.count('stop media')).toBe(0);
  });

  it('stop() in the middle resolves the sequence "stopped", sends stop media once and plays nothing more', async () => {
    const p = new Playback(media, { callId: 'c', tag: 'a' }, (f) => `/m/${f}`);
    const run = p.sequence(['a.wav', 'b.wav', 'c.wav']);
    await vi.advanceTimersByTimeAsync(900);
    expect(p.active).toBe(true);
    await p.stop();
    expect(await run).toBe('stopped');
    await vi.advanceTimersByTimeAsync(5000);
    expect(plays().length).toBe(2);
    expect(ng.count('stop media')).toBe(1);
    await p.stop();
    expect(ng.count('stop media')).toBe(1);
  });

  it('a new loop supersedes a running sequence', async () => {
    const p = new Playback(media, { callId: 'c', tag: 'a' });
    const run = p.sequence(['/m/a.wav', '/m/b.wav']);
    await vi.advanceTimersByTimeAsync(100);
    await p.loop('/m/hold.wav');
    expect(await run).toBe('stopped');
    await vi.advanceTimersByTimeAsync(5000);
    expect(ng.sent.filter((s) => s.command === 'play media').map((s) => [s.params.file, s.params['repeat-times']])).toEqual([
      ['/m/a.wav', undefined],
      ['/m/hold.wav', LOOP_TIMES],
    ]);
    expect(p.active).toBe(true);
  });

  it('stop() racing a loop that is still starting still stops it', async () => {
    ng.hold = true;
    const p = new Playback(media, { callId: 'c', tag: 'a' });
    const starting = p.loop('/m/hold.wav');
    const stopping = p.stop();
    ng.release();
    await Promise.all([starting, stopping]);
    expect(ng.sent.slice(1).map((s) => s.command)).toEqual(['play media', 'stop media']);
  });

  it('a play right after a stop (IVR barge-in) waits for the stop to be answered, so rtpengine cannot reorder them', async () => {
    const p = new Playback(media, { callId: 'c', tag: 'a' });
    const first = p.sequence(['/m/a.wav']);
    await vi.advanceTimersByTimeAsync(100);
    ng.hold = true;
    const stopping = p.stop();
    const next = p.sequence(['/m/b.wav']);
    await vi.advanceTimersByTimeAsync(0);
    expect(ng.sent.slice(1).map((s) => s.command)).toEqual(['play media', 'stop media']);
    ng.release();
    await stopping;
    await vi.advanceTimersByTimeAsync(0);
    expect(ng.sent.slice(1).map((s) => [s.command, s.params.file])).toEqual([
      ['play media', '/m/a.wav'],
      ['stop media', undefined],
      ['play media', '/m/b.wav'],
    ]);
    expect(await first).toBe('stopped');
    await vi.advanceTimersByTimeAsync(520);
    expect(await next).toBe('done');
  });

  it('a failed command does not block the ones after it', async () => {
    const p = new Playback(media, { callId: 'c', tag: 'a' });
    const failing = p.loop('/m/refused.wav').catch((e: unknown) => e);
    const after = p.sequence(['/m/a.wav']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(isSwitchboardError(await failing)).toBe(true);
    expect(await after).toBe('done');
    expect(plays().map((x) => x.file)).toEqual(['/m/refused.wav', '/m/a.wav']);
  });

  it('refuses to chain a fragment whose duration rtpengine did not report', async () => {
    const p = new Playback(media, { callId: 'c', tag: 'a' });
    const err = await p.sequence(['/m/unknown.wav', '/m/a.wav']).catch((e: unknown) => e);
    expect(isSwitchboardError(err, 'SB_MEDIA_REFUSED')).toBe(true);
    expect(plays().length).toBe(1);
    expect(p.active).toBe(false);
  });

  it('cancel() forgets timers without telling rtpengine', async () => {
    const p = new Playback(media, { callId: 'c', tag: 'a' });
    const run = p.sequence(['/m/a.wav', '/m/b.wav']);
    await vi.advanceTimersByTimeAsync(10);
    p.cancel();
    expect(await run).toBe('stopped');
    expect(ng.count('stop media')).toBe(0);
  });
});
