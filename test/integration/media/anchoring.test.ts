/**
 * Real rtpengine (managed, userspace, loopback) and real RTP: offer/answer between two
 * test endpoints, relay both ways, playback to one party, DTMF relay, and deletes that
 * leave nothing behind.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MediaClient } from '../../../src/media/media-client.js';
import { isSwitchboardError } from '../../../src/util/errors.js';
import { pidAlive, startManagedRtpengine, type ManagedRtpengine } from '../../helpers/rtp/managed-rtpengine.js';
import { audioPortOf, PCMU, RtpEndpoint, TELEPHONE_EVENT } from '../../helpers/rtp/rtp-endpoint.js';

let rtpengine: ManagedRtpengine;
let media: MediaClient;
let pid: number;
let dir: string;
let tone: string;
const endpoints: RtpEndpoint[] = [];
let callSeq = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-media-'));
  tone = join(dir, 'tone-1k.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', tone, 'synth', '2', 'sine', '1000', 'vol', '0.5']);
  rtpengine = await startManagedRtpengine();
  pid = rtpengine.process.pid!;
  media = new MediaClient({ ng: rtpengine.ng, commandTimeoutMs: 1000 });
  expect(await media.start()).toBe('up');
});

afterEach(() => {
  for (const ep of endpoints.splice(0)) ep.close();
});

afterAll(async () => {
  media?.close();
  await rtpengine?.stop();
  rmSync(dir, { recursive: true, force: true });
  // The PID is gone, not merely signalled.
  if (pid !== undefined) expect(pidAlive(pid)).toBe(false);
});

/** Two endpoints bridged through rtpengine: the caller's offer and the callee's answer. */
async function bridge(): Promise<{ callId: string; caller: RtpEndpoint; callee: RtpEndpoint }> {
  const callId = `anchor-${process.pid}-${++callSeq}@127.0.0.1`;
  const caller = await RtpEndpoint.open();
  const callee = await RtpEndpoint.open();
  endpoints.push(caller, callee);
  const offered = await media.offer({ callId, fromTag: 'caller', sdp: caller.sdp() });
  const answered = await media.answer({ callId, fromTag: 'caller', toTag: 'callee', sdp: callee.sdp() });
  // Each side sends to the rtpengine port advertised in the SDP it was given.
  callee.setRemote(audioPortOf(offered.sdp));
  caller.setRemote(audioPortOf(answered.sdp));
  return { callId, caller, callee };
}

describe('anchoring through a managed rtpengine', () => {
  it('rewrites both SDPs to rtpengine ports and relays PCMU both ways', async () => {
    const { callId, caller, callee } = await bridge();
    expect(audioPortOf(callee.sdp())).not.toBe(caller.port); // sanity: distinct endpoints
    await Promise.all([caller.sendTone({ hz: 440, packets: 15 }), callee.sendTone({ hz: 700, packets: 15 })]);
    await callee.waitFor((s) => s.audible >= 10, 2000);
    await caller.waitFor((s) => s.audible >= 10, 2000);
    expect([...callee.receivedStats.payloadTypes]).toEqual([PCMU]);
    expect([...caller.receivedStats.payloadTypes]).toEqual([PCMU]);
    const q = await media.query(callId);
    expect(q?.tags.sort()).toEqual(['callee', 'caller']);
    expect(q?.rtpPackets).toBeGreaterThanOrEqual(20);
    expect(await media.delete({ callId })).toBe(true);
  });

  it('offers rtpengine ports from its range, not the endpoints', async () => {
    const callId = `range-${process.pid}@127.0.0.1`;
    const caller = await RtpEndpoint.open();
    endpoints.push(caller);
    const { sdp } = await media.offer({ callId, fromTag: 'caller', sdp: caller.sdp() });
    const port = audioPortOf(sdp);
    expect(port).toBeGreaterThanOrEqual(rtpengine.portMin);
    expect(port).toBeLessThanOrEqual(rtpengine.portMax);
    expect(sdp).toMatch(/^c=IN IP4 127\.0\.0\.1\r?$/m);
    expect(await media.delete({ callId })).toBe(true);
  });

  it('relays an RFC 4733 digit as telephone-events', async () => {
    const { callId, caller, callee } = await bridge();
    await caller.sendSilence(3);
    await caller.sendDigit('7', { durationMs: 80 });
    await callee.waitFor(() => callee.receivedDigits().length >= 1, 2000);
    expect(callee.receivedDigits()).toEqual(['7']);
    expect(callee.receivedStats.payloadTypes.has(TELEPHONE_EVENT)).toBe(true);
    await media.delete({ callId });
  });

  it('plays a file to one party only: that party hears non-silent audio', async () => {
    const { callId, caller, callee } = await bridge();
    // Latch both sides first; rtpengine learns where to send from what it receives.
    await Promise.all([caller.sendSilence(3), callee.sendSilence(3)]);
    caller.resetReceived();
    callee.resetReceived();
    const { durationMs } = await media.playMedia({ callId, tag: 'caller', file: tone });
    expect(durationMs).toBe(2000);
    await caller.waitFor((s) => s.audible >= 25, 2000);
    expect(callee.receivedStats.audible).toBe(0);
    await media.stopMedia({ callId, tag: 'caller' });
    await media.delete({ callId });
  });

  it('loops a file repeatTimes times', async () => {
    const { callId, caller } = await bridge();
    await caller.sendSilence(2);
    const short = join(dir, 'tone-200ms.wav');
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', short, 'synth', '0.2', 'sine', '600']);
    caller.resetReceived();
    await media.playMedia({ callId, tag: 'caller', file: short, repeatTimes: 3 });
    // 3 x 200 ms = 30 frames; a single play would stop at 10.
    await caller.waitFor((s) => s.audible >= 25, 2000);
    await media.delete({ callId });
  });

  it('refuses playback of a missing file with SB_MEDIA_REFUSED and stays up', async () => {
    const { callId } = await bridge();
    const err = await media.playMedia({ callId, tag: 'caller', file: join(dir, 'absent.wav') }).catch((e: unknown) => e);
    expect(isSwitchboardError(err, 'SB_MEDIA_REFUSED')).toBe(true);
    expect(media.health).toBe('up');
    await media.delete({ callId });
  });

  it('restricts codecs per leg and keeps telephone-event', async () => {
    const callId = `codecs-${process.pid}@127.0.0.1`;
    const sdp = [
      'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
      'm=audio 40000 RTP/AVP 8 0 101', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', '',
    ].join('\r\n');
    const offered = await media.offer({ callId, fromTag: 'caller', sdp, options: { codecs: ['PCMU'] } });
    expect(/^m=audio \d+ RTP\/AVP (.*)\r?$/m.exec(offered.sdp)?.[1]?.trim()).toBe('0 101');
    expect(offered.sdp).not.toMatch(/PCMA/);
    await media.delete({ callId });
  });

  it('delete leaves no session: list and query no longer know the call', async () => {
    const { callId } = await bridge();
    expect(await media.list()).toContain(callId);
    expect(await media.delete({ callId })).toBe(true);
    expect(await media.list()).not.toContain(callId);
    expect(await media.query(callId)).toBeUndefined();
    // A second delete finds nothing, which is not an error.
    expect(await media.delete({ callId })).toBe(false);
  });

  it('leaves no session of this file behind', async () => {
    expect(await media.list()).toEqual([]);
    expect((await media.statistics()).sessions).toBe(0);
  });
});
