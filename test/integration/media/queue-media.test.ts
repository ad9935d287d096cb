/**
 * The media side of a queued call with a real rtpengine and the default audio set:
 * Switchboard answers the caller itself, plays hold music and announcements, hears the
 * caller's digits through --dtmf-log-dest, bridges an agent (the music stops), and leaves
 * no rtpengine session behind.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HOLD_MUSIC, mediaPath, positionAnnouncement } from '../../../src/media/announcements.js';
import { DtmfEvents, type DtmfDigit } from '../../../src/media/dtmf-events.js';
import { MediaClient } from '../../../src/media/media-client.js';
import { MediaSessions } from '../../../src/media/media-session.js';
import { audioEndpoint } from '../../../src/media/sdp.js';
import { pcmuToLinear, zeroCrossingHz } from '../../helpers/rtp/g711.js';
import { pidAlive, startManagedRtpengine, type ManagedRtpengine } from '../../helpers/rtp/managed-rtpengine.js';
import { audioPortOf, PCMU, RtpEndpoint } from '../../helpers/rtp/rtp-endpoint.js';
import { readWav } from '../../helpers/rtp/wav.js';

let dir: string;
let dtmf: DtmfEvents;
let rtpengine: ManagedRtpengine;
let pid: number;
let media: MediaClient;
let sessions: MediaSessions;
const endpoints: RtpEndpoint[] = [];
let seq = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-queue-media-'));
  execFileSync(join(import.meta.dirname, '../../../scripts/make-media.sh'), [dir], { timeout: 60_000 });
  dtmf = await DtmfEvents.listen({ host: '127.0.0.1', port: 0 });
  rtpengine = await startManagedRtpengine({ dtmfLogDest: dtmf.address });
  pid = rtpengine.process.pid!;
  media = new MediaClient({ ng: rtpengine.ng });
  await media.start();
  sessions = new MediaSessions(media, { dtmf, resolveFile: (f) => mediaPath(dir, f) });
});

afterEach(() => {
  for (const ep of endpoints.splice(0)) ep.close();
});

afterAll(async () => {
  await sessions?.closeAll();
  sessions?.dispose();
  media?.close();
  dtmf?.close();
  await rtpengine?.stop();
  rmSync(dir, { recursive: true, force: true });
  if (pid !== undefined) expect(pidAlive(pid)).toBe(false);
});

async function endpoint(): Promise<RtpEndpoint> {
  const ep = await RtpEndpoint.open();
  endpoints.push(ep);
  return ep;
}

/** A caller answered by Switchboard itself, latched so that rtpengine knows where to send. */
async function queuedCaller(): Promise<{ callId: string; caller: RtpEndpoint; session: ReturnType<MediaSessions['open']> }> {
  const callId = `queue-${process.pid}-${++seq}@127.0.0.1`;
  const caller = await endpoint();
  const session = sessions.open(callId, 'caller');
  const answer = await session.answerLocally(caller.sdp(), { localTag: 'switchboard' });
  caller.setRemote(audioPortOf(answer));
  await caller.sendSilence(2);
  caller.resetReceived();
  return { callId, caller, session };
}

/** Dominant frequency of the last `frames` PCMU frames that arrived. */
function heardHz(ep: RtpEndpoint, frames: number): number {
  const pcmu = ep.received.filter((p) => p.payloadType === PCMU).slice(-frames);
  const samples = pcmu.flatMap((p) => [...p.payload].map(pcmuToLinear));
  return zeroCrossingHz(samples);
}

describe('queued caller media', () => {
  it('answers the caller from rtpengine with a usable sendrecv SDP', async () => {
    const caller = await endpoint();
    const session = sessions.open(`sdp-${process.pid}@127.0.0.1`, 'caller');
    const answer = await session.answerLocally(caller.sdp(), { localTag: 'switchboard' });
    const ep = audioEndpoint(answer);
    expect(ep?.address).toBe('127.0.0.1');
    expect(ep?.port).toBeGreaterThanOrEqual(rtpengine.portMin);
    expect(ep?.port).toBeLessThanOrEqual(rtpengine.portMax);
    expect(answer).toMatch(/^a=sendrecv\r?$/m);
    expect(answer).not.toMatch(/0\.0\.0\.0/);
    await session.close();
  });

  it('plays hold music, hears a digit, bridges an agent and stops the music', async () => {
    const { callId, caller, session } = await queuedCaller();
    const digits: DtmfDigit[] = [];
    session.onDigit((d) => digits.push(d));

    const music = session.playbackTo('caller');
    await music.loop(HOLD_MUSIC);
    await caller.waitFor((s) => s.audible >= 25, 3000);
    expect(music.active).toBe(true);

    await caller.sendDigit('1', { durationMs: 100 });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no DTMF event from rtpengine')), 2000);
      const poll = setInterval(() => {
        if (digits.length === 0) return;
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }, 10);
    });
    expect(digits).toEqual([{ callId, fromTag: 'caller', digit: '1', durationMs: 100, volume: 10 }]);

    // An agent answers: the caller's SDP goes to the agent, the agent's answer replaces the sink.
    const agent = await endpoint();
    agent.setRemote(audioPortOf(await session.offer(caller.sdp())));
    await session.answer(agent.sdp(), { to: 'switchboard' });
    await music.stop();
    expect(music.active).toBe(false);
    caller.resetReceived();
    await Promise.all([agent.sendTone({ hz: 1000, packets: 25 }), caller.sendTone({ hz: 600, packets: 25 })]);
    await caller.waitFor((s) => s.audible >= 15, 2000);
    await agent.waitFor((s) => s.audible >= 15, 2000);
    // What the caller hears now is the agent's 1 kHz tone, not the music.
    expect(heardHz(caller, 10)).toBeGreaterThan(900);
    expect(heardHz(caller, 10)).toBeLessThan(1100);
    expect(heardHz(agent, 10)).toBeGreaterThan(540);
    expect(heardHz(agent, 10)).toBeLessThan(660);

    await session.close();
    expect(await media.query(callId)).toBeUndefined();
    expect(dtmf.subscribedCalls).toBe(0);
  });

  it('answerLocally again with the caller\'s new SDP (a re-INVITE) keeps the music playing, at the new address', async () => {
    const { caller, session } = await queuedCaller();
    const music = session.playbackTo('caller');
    await music.loop(HOLD_MUSIC);
    await caller.waitFor((s) => s.audible >= 10, 3000);
    // The caller's re-INVITE offers a new RTP port; Switchboard anchors it again, against the same sink.
    const moved = await endpoint();
    const answer = await session.answerLocally(moved.sdp(), { localTag: 'switchboard' });
    moved.setRemote(audioPortOf(answer));
    // No packet from the new port first: rtpengine must know it from the new offer, not by learning.
    await moved.waitFor((s) => s.audible >= 25, 3000);
    expect(music.active).toBe(true);
    await session.close();
  });

  it('announces the queue position fragment by fragment, to the end', async () => {
    const { caller, session } = await queuedCaller();
    const files = positionAnnouncement(3);
    const expectedMs = files.reduce((sum, f) => sum + (readWav(readFileSync(join(dir, f))).samples.length / 8), 0);
    const t0 = performance.now();
    expect(await session.playbackTo('caller').sequence(files)).toBe('done');
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(expectedMs);
    expect(elapsed).toBeLessThan(expectedMs + 500);
    // Roughly one packet per 20 ms of speech arrived (minus the trimmed silences).
    expect(caller.receivedStats.packets).toBeGreaterThan((expectedMs / 20) * 0.8);
    expect(caller.receivedStats.audible).toBeGreaterThan(10);
    await session.close();
  });

  it('stops an announcement in the middle when the caller is bridged', async () => {
    const { caller, session } = await queuedCaller();
    const playback = session.playbackTo('caller');
    const outcome = playback.sequence(positionAnnouncement(123));
    await caller.waitFor((s) => s.audible >= 10, 2000);
    await playback.stop();
    expect(await outcome).toBe('stopped');
    await new Promise((r) => setTimeout(r, 100));
    const after = caller.receivedStats.packets;
    await new Promise((r) => setTimeout(r, 300));
    // Nothing relays to the caller once the playback is stopped (the sink sends nothing).
    expect(caller.receivedStats.packets - after).toBeLessThanOrEqual(1);
    await session.close();
  });

  it('closeAll() on shutdown leaves rtpengine empty', async () => {
    for (let i = 0; i < 5; i++) {
      const { session } = await queuedCaller();
      await session.playbackTo('caller').loop(HOLD_MUSIC);
    }
    expect(sessions.size).toBe(5);
    expect((await media.list()).length).toBe(5);
    await sessions.closeAll();
    expect(sessions.size).toBe(0);
    expect(await media.list()).toEqual([]);
    expect(sessions.stats).toMatchObject({ live: 0, deleteFailures: 0, orphans: 0 });
  });
});
