import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HoldAudio } from '../../../src/app/queue/hold-audio.js';
import type { Playback } from '../../../src/media/index.js';
import type { PositionResult } from '../../../src/routing/scheduler/results.js';
import { silentLogger } from '../../../src/util/logger.js';

/** A Playback that records what it was asked to play; sequences finish when the test says. */
function fakePlayback() {
  const calls: string[][] = [];
  const finish: Array<(o: 'done' | 'stopped') => void> = [];
  const playback = {
    loop: vi.fn(async (file: string) => {
      calls.push([`loop ${file}`]);
    }),
    sequence: vi.fn((files: readonly string[]) => {
      calls.push([...files]);
      return new Promise<'done' | 'stopped'>((resolve) => finish.push(resolve));
    }),
  };
  return { playback: playback as unknown as Playback, calls, finishLast: () => finish.at(-1)?.('done') };
}

const announcements = { position: true, estimated_wait: true, first_after: 30_000, every: 60_000 };

describe('HoldAudio', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('loops the music, announces position and wait at first_after and every, then resumes the music', async () => {
    const { playback, calls, finishLast } = fakePlayback();
    let position: PositionResult = { ok: true, queueId: 'q', state: 'waiting', position: 3, estimatedWaitMs: 90_000 };
    const hold = new HoldAudio(playback, { music: 'music/hold.wav', announcements }, () => position, silentLogger);
    hold.start();
    expect(calls).toEqual([['loop music/hold.wav']]);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls[1]).toEqual(['prompts/you-are-caller-number.wav', 'numbers/3.wav', 'prompts/your-estimated-wait-time-is.wav', 'numbers/2.wav', 'prompts/minutes.wav']);
    finishLast();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls[2]).toEqual(['loop music/hold.wav']);
    position = { ok: true, queueId: 'q', state: 'waiting', position: 1, estimatedWaitMs: undefined };
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls[3]).toEqual(['prompts/you-are-caller-number.wav', 'numbers/1.wav']);
    hold.stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(calls).toHaveLength(4);
  });

  it('says nothing while the caller is being offered to an agent, and offers the callback at offer_after and every repeat', async () => {
    const { playback, calls, finishLast } = fakePlayback();
    const hold = new HoldAudio(
      playback,
      { music: 'm.wav', announcements: { ...announcements, position: false }, callback: { digit: '1', offer_after: 10_000, repeat: 20_000, attempts: 3, retry_delay: 60_000 } },
      () => ({ ok: true, queueId: 'q', state: 'offered', position: 0, estimatedWaitMs: 5_000 }),
      silentLogger,
    );
    hold.start();
    expect(hold.callbackOffered).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(hold.callbackOffered).toBe(true);
    expect(calls.at(-1)).toEqual(['prompts/press-1-for-callback.wav']);
    finishLast();
    await vi.advanceTimersByTimeAsync(20_000); // the announcement at 30 s finds the call offered: nothing
    expect(calls.filter((c) => c[0] === 'prompts/press-1-for-callback.wav')).toHaveLength(2);
    expect(calls.some((c) => c.includes('prompts/your-estimated-wait-time-is.wav'))).toBe(false);
    hold.stop();
  });
});
