import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MediaClient, type MediaHealth } from '../../../src/media/media-client.js';
import { parseNgAddress } from '../../../src/media/ng-transport.js';
import { isSwitchboardError } from '../../../src/util/errors.js';
import { defaultAnswer, FakeNg } from './fake-ng.js';

function client(ng: FakeNg, extra: Partial<ConstructorParameters<typeof MediaClient>[0]> = {}): MediaClient {
  return new MediaClient({ ng: '127.0.0.1:22222', transport: ng, commandTimeoutMs: 1000, ...extra });
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('MediaClient health', () => {
  it('sends nothing before start(), then learns "up" from one ping', async () => {
    const ng = new FakeNg();
    const media = client(ng);
    expect(media.health).toBe('idle');
    expect(isSwitchboardError(await rejection(media.list()), 'SB_MEDIA_UNAVAILABLE')).toBe(true);
    expect(ng.sent).toEqual([]);
    expect(await media.start()).toBe('up');
    expect(ng.sent.map((s) => s.command)).toEqual(['ping']);
    media.close();
  });

  it('starts "down" when the first ping goes unanswered, and comes up with backoff probes', async () => {
    const ng = new FakeNg();
    ng.dead = true;
    const media = client(ng, { probeInitialDelayMs: 100, probeMaxDelayMs: 400 });
    const seen: MediaHealth[] = [];
    media.onHealth((h) => seen.push(h));
    const started = media.start();
    await vi.advanceTimersByTimeAsync(500); // the probe's own 500 ms bound
    expect(await started).toBe('down');
    // Each probe times out after 500 ms; the pauses between them go 100, 200, 400, 400 (capped).
    const t0 = Date.now();
    await vi.advanceTimersByTimeAsync(100 + 500 + 200 + 500 + 400 + 500 + 400);
    const gaps = ng.sent.filter((s) => s.command === 'ping').map((s) => s.at - t0);
    expect(gaps).toEqual([-500, 100, 800, 1700, 2600]);
    ng.dead = false;
    await vi.advanceTimersByTimeAsync(500 + 400);
    expect(media.health).toBe('up');
    expect(seen).toEqual(['down', 'up']);
    media.close();
  });

  it('marks rtpengine down on a command timeout within the bound, then refuses at once', async () => {
    const ng = new FakeNg();
    const media = client(ng, { commandTimeoutMs: 700 });
    await media.start();
    ng.dead = true;
    const t0 = Date.now();
    const pending = rejection(media.offer({ callId: 'c', fromTag: 'a', sdp: 'v=0' }));
    await vi.advanceTimersByTimeAsync(700);
    const err = await pending;
    expect(isSwitchboardError(err, 'SB_MEDIA_UNAVAILABLE')).toBe(true);
    expect(Date.now() - t0).toBe(700);
    expect(media.health).toBe('down');
    const before = ng.sent.length;
    const fast = await rejection(media.delete({ callId: 'c' }));
    expect(isSwitchboardError(fast, 'SB_MEDIA_UNAVAILABLE')).toBe(true);
    // Only probes go out while down, never the refused command.
    expect(ng.sent.slice(before).every((s) => s.command === 'ping')).toBe(true);
    media.close();
  });

  it('notices a dead rtpengine while idle through the keepalive ping', async () => {
    const ng = new FakeNg();
    const media = client(ng, { keepaliveMs: 5000 });
    await media.start();
    ng.dead = true;
    await vi.advanceTimersByTimeAsync(5000 + 500);
    expect(media.health).toBe('down');
    media.close();
  });

  it('refuses a command timeout above 2 s', () => {
    expect(() => client(new FakeNg(), { commandTimeoutMs: 2001 })).toThrow(/outside 1\.\.2000/);
  });

  it('stops probing and closes the transport on close()', async () => {
    const ng = new FakeNg();
    ng.dead = true;
    const media = client(ng);
    const started = media.start();
    await vi.advanceTimersByTimeAsync(500);
    await started;
    media.close();
    const sent = ng.sent.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ng.sent.length).toBe(sent);
    expect(ng.closed).toBe(true);
    expect(media.health).toBe('closed');
  });
});

describe('MediaClient commands', () => {
  it('maps offer/answer onto ng parameters with the anchoring flags', async () => {
    const ng = new FakeNg();
    const media = client(ng);
    await media.start();
    const { sdp } = await media.offer({ callId: 'c1', fromTag: 'a', sdp: 'v=0', viaBranch: 'z9hG4bK1', options: { codecs: ['PCMU'] } });
    expect(sdp).toContain('s=c1');
    await media.answer({ callId: 'c1', fromTag: 'a', toTag: 'b', sdp: 'v=0' });
    expect(ng.sent[1]).toMatchObject({
      command: 'offer',
      params: {
        'call-id': 'c1',
        'from-tag': 'a',
        'via-branch': 'z9hG4bK1',
        sdp: 'v=0',
        replace: ['origin', 'session-connection'],
        ICE: 'remove',
        codec: { mask: ['all'], except: ['PCMU', 'telephone-event'] },
      },
    });
    expect(ng.sent[2]?.params).toMatchObject({ 'call-id': 'c1', 'from-tag': 'a', 'to-tag': 'b' });
    media.close();
  });

  it('turns result "error" into SB_MEDIA_REFUSED with the reason, and stays up', async () => {
    const ng = new FakeNg((command, params) =>
      command === 'answer' ? { result: 'error', 'error-reason': 'Unknown call-id' } : defaultAnswer(command, params),
    );
    const media = client(ng);
    await media.start();
    const err = await rejection(media.answer({ callId: 'gone', fromTag: 'a', toTag: 'b', sdp: 'v=0' }));
    expect(isSwitchboardError(err, 'SB_MEDIA_REFUSED')).toBe(true);
    expect((err as Error).message).toMatch(/answer for gone: Unknown call-id/);
    expect(media.health).toBe('up');
    media.close();
  });

  it('deletes at once and reports whether rtpengine knew the call', async () => {
    const known = new Set(['c1']);
    const ng = new FakeNg((command, params) => {
      if (command !== 'delete') return defaultAnswer(command, params);
      return known.delete(String(params['call-id'])) ? { result: 'ok' } : { result: 'ok', warning: "Call-ID not found or tags didn't match" };
    });
    const media = client(ng);
    await media.start();
    expect(await media.delete({ callId: 'c1' })).toBe(true);
    expect(await media.delete({ callId: 'c1' })).toBe(false);
    expect(ng.sent[1]?.params).toEqual({ 'delete delay': 0, 'call-id': 'c1' });
    media.close();
  });

  it('reads query, list and statistics replies', async () => {
    const ng = new FakeNg((command, params) => {
      if (command === 'query') {
        return params['call-id'] === 'c1'
          ? { result: 'ok', tags: { a: {}, b: {} }, totals: { RTP: { packets: 42 } } }
          : { result: 'error', 'error-reason': 'Unknown call-id' };
      }
      if (command === 'list') return { result: 'ok', calls: ['c1', 'c2'] };
      if (command === 'statistics') {
        return { result: 'ok', statistics: { currentstatistics: { sessionstotal: 2 }, totalstatistics: { managedsessions: '9' } } };
      }
      return defaultAnswer(command, params);
    });
    const media = client(ng);
    await media.start();
    expect(await media.query('c1')).toEqual({ tags: ['a', 'b'], rtpPackets: 42 });
    expect(await media.query('c9')).toBeUndefined();
    expect(await media.list(5)).toEqual(['c1', 'c2']);
    expect(ng.sent.at(-1)?.params).toEqual({ limit: 5 });
    expect(await media.statistics()).toEqual({ sessions: 2, managedSessions: 9 });
    media.close();
  });

  it('plays, stops and injects media for one party', async () => {
    const ng = new FakeNg();
    const media = client(ng);
    await media.start();
    expect(await media.playMedia({ callId: 'c', tag: 'a', file: '/m/hold.wav', repeatTimes: 3 })).toEqual({ durationMs: 1000 });
    await media.stopMedia({ callId: 'c', tag: 'a' });
    await media.playDtmf({ callId: 'c', tag: 'b', digit: '#', durationMs: 100 });
    await media.blockDtmf({ callId: 'c', tag: 'a' });
    await media.unblockDtmf({ callId: 'c', tag: 'a' });
    expect(ng.sent.slice(1).map((s) => [s.command, s.params])).toEqual([
      ['play media', { 'call-id': 'c', 'from-tag': 'a', file: '/m/hold.wav', 'repeat-times': 3 }],
      ['stop media', { 'call-id': 'c', 'from-tag': 'a' }],
      ['play DTMF', { 'call-id': 'c', 'from-tag': 'b', code: '#', duration: 100 }],
      ['block DTMF', { 'call-id': 'c', 'from-tag': 'a' }],
      ['unblock DTMF', { 'call-id': 'c', 'from-tag': 'a' }],
    ]);
    media.close();
  });
});

describe('parseNgAddress', () => {
  it('accepts IPv4:port and refuses names, IPv6 and bad ports', () => {
    expect(parseNgAddress('127.0.0.1:22222')).toEqual({ host: '127.0.0.1', port: 22222 });
    for (const bad of ['localhost:22222', '[::1]:22222', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000']) {
      expect(() => parseNgAddress(bad), bad).toThrow(/not IPv4:port/);
    }
  });
});
