import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MediaClient } from '../../../src/media/media-client.js';
import { MediaSessions } from '../../../src/media/media-session.js';
import type { NgCommand, NgParams } from '../../../src/media/ng-transport.js';
import { isSwitchboardError } from '../../../src/util/errors.js';
import { defaultAnswer, FakeNg } from './fake-ng.js';

let ng: FakeNg;
let media: MediaClient;
let sessions: MediaSessions;

async function setup(answer?: (c: NgCommand, p: NgParams) => ReturnType<typeof defaultAnswer> | 'silent'): Promise<void> {
  ng = new FakeNg(answer);
  media = new MediaClient({ ng: '127.0.0.1:22222', transport: ng, probeInitialDelayMs: 100 });
  await media.start();
  sessions = new MediaSessions(media);
}

const deletes = (): unknown[] => ng.sent.filter((s) => s.command === 'delete').map((s) => s.params['call-id']);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  sessions.dispose();
  media.close();
  vi.useRealTimers();
});

describe('MediaSessions: one delete per offered call', () => {
  it('offer, answer, close: one delete, and the session leaves the registry', async () => {
    await setup();
    const s = sessions.open('c1', 'a');
    expect(sessions.size).toBe(1);
    await s.offer('v=0');
    await s.answer('v=0', { to: 'b' });
    await Promise.all([s.close(), s.close()]);
    await s.close();
    expect(deletes()).toEqual(['c1']);
    expect(s.state).toBe('closed');
    expect(sessions.size).toBe(0);
    expect(sessions.get('c1')).toBeUndefined();
    expect(sessions.stats).toEqual({ live: 0, opened: 1, deleted: 1, deleteFailures: 0, orphans: 0 });
  });

  it('a session that never offered closes without a delete', async () => {
    await setup();
    await sessions.open('c1', 'a').close();
    expect(deletes()).toEqual([]);
    expect(sessions.size).toBe(0);
  });

  it('answer refused by rtpengine: the call is still deleted once on close', async () => {
    await setup((c, p) => (c === 'answer' ? { result: 'error', 'error-reason': 'Unknown call-id' } : defaultAnswer(c, p)));
    const s = sessions.open('c1', 'a');
    await s.offer('v=0');
    const err = await s.answer('v=0', { to: 'b' }).catch((e: unknown) => e);
    expect(isSwitchboardError(err, 'SB_MEDIA_REFUSED')).toBe(true);
    await s.close();
    expect(deletes()).toEqual(['c1']);
  });

  it('an offer that timed out still counts: rtpengine may have created the call', async () => {
    await setup((c, p) => (c === 'offer' ? 'silent' : defaultAnswer(c, p)));
    const s = sessions.open('c1', 'a');
    const offered = s.offer('v=0').catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000);
    expect(isSwitchboardError(await offered, 'SB_MEDIA_UNAVAILABLE')).toBe(true);
    // The client is down now: the delete fails fast and becomes an orphan ...
    await s.close();
    expect(sessions.stats).toMatchObject({ live: 0, deleteFailures: 1, orphans: 1 });
    // ... retried once rtpengine answers the probe.
    await vi.advanceTimersByTimeAsync(200);
    expect(media.health).toBe('up');
    await vi.advanceTimersByTimeAsync(0);
    expect(deletes()).toEqual(['c1']);
    expect(sessions.stats).toMatchObject({ deleted: 1, orphans: 0 });
  });

  it('close() during an offer in flight waits for it, then deletes', async () => {
    await setup();
    const s = sessions.open('c1', 'a');
    ng.hold = true;
    const offered = s.offer('v=0');
    const closed = s.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(deletes()).toEqual([]);
    expect(s.state).toBe('closing');
    ng.release();
    await offered;
    await closed;
    expect(ng.sent.map((x) => x.command)).toEqual(['ping', 'offer', 'delete']);
  });

  it('refuses media operations after close() and a second open of a live Call-ID', async () => {
    await setup();
    const s = sessions.open('c1', 'a');
    expect(() => sessions.open('c1', 'x')).toThrow(/already open/);
    await s.offer('v=0');
    void s.close();
    expect(() => s.offer('v=0')).toThrow(/after close/);
    expect(() => s.playbackTo('a')).toThrow(/after close/);
  });

  it('closeAll() deletes every offered call on shutdown', async () => {
    await setup();
    for (let i = 0; i < 5; i++) {
      const s = sessions.open(`c${i}`, 'a');
      if (i % 2 === 0) await s.offer('v=0');
    }
    expect(sessions.size).toBe(5);
    await sessions.closeAll();
    expect(sessions.size).toBe(0);
    expect(deletes().sort()).toEqual(['c0', 'c2', 'c4']);
  });

  it('keeps at most maxOrphans, dropping the oldest', async () => {
    ng = new FakeNg();
    media = new MediaClient({ ng: '127.0.0.1:22222', transport: ng });
    await media.start();
    sessions = new MediaSessions(media, { maxOrphans: 2 });
    ng.dead = true;
    const s0 = sessions.open('c0', 'a');
    const first = s0.offer('v=0').catch(() => undefined);
    await vi.advanceTimersByTimeAsync(1000);
    await first;
    const others = ['c1', 'c2'].map((id) => sessions.open(id, 'a'));
    for (const s of others) await s.offer('v=0').catch(() => undefined);
    await Promise.all([s0.close(), ...others.map((s) => s.close())]);
    expect(sessions.stats).toMatchObject({ deleteFailures: 3, orphans: 2 });
  });
});
