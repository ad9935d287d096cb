/**
 * Recording with a real managed rtpengine (userspace, loopback) and real RTP:
 * - voicemail: a caller's 1 kHz PCMU tone goes through rtpengine to the voicemail
 *   recorder's own socket, and the WAV on disk holds a 1 kHz tone;
 * - call recording: rtpengine's pcap method writes the bridged call's packets under
 *   --recording-dir, and the sidecar names the file;
 * and neither leaves an rtpengine session behind.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CallRecorder, escapeCallId } from '../../../src/media/call-recording.js';
import { MediaClient } from '../../../src/media/media-client.js';
import { MediaSessions, type MediaSession } from '../../../src/media/media-session.js';
import { answerIntoRecorder, VoicemailRecorder } from '../../../src/media/voicemail-recorder.js';
import { zeroCrossingHz } from '../../helpers/rtp/g711.js';
import { pidAlive, startManagedRtpengine, type ManagedRtpengine } from '../../helpers/rtp/managed-rtpengine.js';
import { audioPortOf, RtpEndpoint } from '../../helpers/rtp/rtp-endpoint.js';
import { readWav } from '../../helpers/rtp/wav.js';

let dir: string;
let recordingDir: string;
let rtpengine: ManagedRtpengine;
let pid: number;
let media: MediaClient;
let sessions: MediaSessions;
const endpoints: RtpEndpoint[] = [];
let seq = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-recording-'));
  recordingDir = join(dir, 'recordings'); // created by RtpengineProcess
  rtpengine = await startManagedRtpengine({ recordingDir });
  pid = rtpengine.process.pid!;
  media = new MediaClient({ ng: rtpengine.ng });
  expect(await media.start()).toBe('up');
  sessions = new MediaSessions(media);
});

afterEach(() => {
  for (const ep of endpoints.splice(0)) ep.close();
});

afterAll(async () => {
  await sessions?.closeAll();
  sessions?.dispose();
  media?.close();
  await rtpengine?.stop();
  rmSync(dir, { recursive: true, force: true });
  if (pid !== undefined) expect(pidAlive(pid)).toBe(false);
});

async function endpoint(): Promise<RtpEndpoint> {
  const ep = await RtpEndpoint.open();
  endpoints.push(ep);
  return ep;
}

async function expectGone(session: MediaSession): Promise<void> {
  await session.close();
  expect(await media.list()).not.toContain(session.callId);
  expect(await media.query(session.callId)).toBeUndefined();
}

describe('voicemail through rtpengine', () => {
  it("records the caller's 1 kHz tone to a WAV file; DTMF is not audio; silence ends it; no session left", async () => {
    const callId = `vm-${process.pid}-${++seq}@127.0.0.1`;
    const caller = await endpoint();
    const session = sessions.open(callId, 'caller');
    const rec = await VoicemailRecorder.open({
      mailbox: 'sales',
      directory: join(dir, 'voicemail', 'sales'),
      caller: 'sip:+14155550123@127.0.0.1',
      callee: 'sales',
      maxLengthMs: 30_000,
      silenceMs: 1000,
      noMediaTimeoutMs: 60_000,
    });
    try {
      const sdpForCaller = await answerIntoRecorder(session, caller.sdp(), rec, { localTag: 'voicemail' });
      expect(rec.codec).toMatchObject({ codec: 'PCMU', payloadType: 0 });
      caller.setRemote(audioPortOf(sdpForCaller));
      // rtpengine relays towards the recorder from the start; recording starts after the beep.
      await caller.sendSilence(5);
      await rec.start();
      await caller.sendTone({ hz: 1000, packets: 50 });
      await caller.sendDigit('5', { durationMs: 60 });
      await caller.sendTone({ hz: 1000, packets: 25 });
      await caller.sendSilence(60);
      const outcome = await rec.finished;
      expect(outcome).toMatchObject({ kind: 'saved', end: 'silence' });
      if (outcome.kind !== 'saved') return;
      const wav = readWav(readFileSync(outcome.wavPath));
      expect([wav.sampleRate, wav.channels, wav.bitsPerSample]).toEqual([8000, 1, 16]);
      // 75 tone frames (1.5 s) and a 250 ms tail; the digit's 60 ms became a gap of silence.
      expect(outcome.message.durationMs).toBeGreaterThanOrEqual(1500);
      expect(outcome.message.durationMs).toBeLessThanOrEqual(1900);
      expect(zeroCrossingHz(wav.samples.subarray(0, 8000))).toBeGreaterThan(950);
      expect(zeroCrossingHz(wav.samples.subarray(0, 8000))).toBeLessThan(1050);
      expect(rec.stats.audioPackets).toBeGreaterThanOrEqual(75);
      expect(JSON.parse(readFileSync(outcome.sidecarPath, 'utf8'))).toMatchObject({
        caller: 'sip:+14155550123@127.0.0.1',
        callee: 'sales',
        mailbox: 'sales',
        file: outcome.message.file,
      });
    } finally {
      await rec.stop();
      await expectGone(session);
    }
  });
});

describe('call recording by rtpengine (pcap method)', () => {
  async function bridged(callId: string): Promise<{ session: MediaSession; caller: RtpEndpoint; callee: RtpEndpoint }> {
    const caller = await endpoint();
    const callee = await endpoint();
    const session = sessions.open(callId, 'caller');
    const towardsCallee = await session.offer(caller.sdp());
    const towardsCaller = await session.answer(callee.sdp(), { to: 'callee' });
    callee.setRemote(audioPortOf(towardsCallee));
    caller.setRemote(audioPortOf(towardsCaller));
    return { session, caller, callee };
  }

  it('writes a pcap of the bridged call under --recording-dir and a sidecar naming it', async () => {
    // '/', "'" and '@' exercise rtpengine's escaping of the Call-ID in file names.
    const callId = `rec/${process.pid}'${++seq}@127.0.0.1`;
    const { session, caller, callee } = await bridged(callId);
    const recorder = new CallRecorder({ client: media, recordingDir });
    try {
      expect(await recorder.start(callId, { caller: 'alice', callee: 'bob' })).toBe(true);
      expect(recorder.isRecording(callId)).toBe(true);
      await Promise.all([caller.sendTone({ hz: 440, packets: 25 }), callee.sendTone({ hz: 700, packets: 25 })]);
      await callee.waitFor((s) => s.audible >= 20, 2000);
      await caller.waitFor((s) => s.audible >= 20, 2000);
      const sidecar = await recorder.stop(callId);
      expect(sidecar).toMatchObject({ callId, parties: { caller: 'alice', callee: 'bob' } });
      expect(sidecar!.files).toHaveLength(1);
      expect(sidecar!.files[0]).toMatch(new RegExp(`^pcaps/${escapeCallId(callId).replace(/[.%]/g, '\\$&')}-[0-9a-f]{16}\\.pcap$`));
      expect(escapeCallId(callId)).toContain('%2F');
      expect(sidecar!.metadata).toHaveLength(1);
      expect(Date.parse(sidecar!.endedAt)).toBeGreaterThanOrEqual(Date.parse(sidecar!.startedAt));
      // A pcap: the classic magic number, then one record per packet; both directions are in it.
      const pcap = readFileSync(join(recordingDir, sidecar!.files[0]!));
      expect(pcap.readUInt32LE(0)).toBe(0xa1b2c3d4);
      expect(countPcapRecords(pcap)).toBeGreaterThanOrEqual(40);
      const sidecarPath = join(recordingDir, sidecar!.files[0]!.replace(/\.pcap$/, '.json'));
      expect(JSON.parse(readFileSync(sidecarPath, 'utf8'))).toEqual(sidecar);
      expect(readFileSync(join(recordingDir, sidecar!.metadata[0]!), 'utf8')).toContain('switchboard caller=alice callee=bob');
      expect(recorder.size).toBe(0);
    } finally {
      await expectGone(session);
    }
  });

  it('a recording that cannot start or finish never fails the call', async () => {
    const callId = `rec-fail-${process.pid}-${++seq}@127.0.0.1`;
    const recorder = new CallRecorder({ client: media, recordingDir });
    // Unknown to rtpengine: refused, reported as false, nothing thrown.
    expect(await recorder.start(callId, { caller: 'a', callee: 'b' })).toBe(false);
    expect(await recorder.stop(callId)).toBeUndefined();
    // A sidecar that cannot be written (no such directory): logged, undefined, the call goes on.
    const { session, caller, callee } = await bridged(callId);
    const broken = new CallRecorder({ client: media, recordingDir: join(dir, 'absent', 'dir') });
    try {
      expect(await broken.start(callId, { caller: 'a', callee: 'b' })).toBe(true);
      expect(await broken.stop(callId)).toBeUndefined();
      await caller.sendTone({ hz: 440, packets: 10 });
      await callee.waitFor((s) => s.audible >= 5, 2000);
    } finally {
      await expectGone(session);
    }
  });

  it('a call deleted before stop() still has its pcap found', async () => {
    const callId = `rec-deleted-${process.pid}-${++seq}@127.0.0.1`;
    const { session, caller, callee } = await bridged(callId);
    const recorder = new CallRecorder({ client: media, recordingDir });
    expect(await recorder.start(callId, { caller: 'a', callee: 'b' })).toBe(true);
    await caller.sendTone({ hz: 440, packets: 10 });
    await callee.waitFor((s) => s.audible >= 5, 2000);
    await expectGone(session);
    const sidecar = await recorder.stop(callId);
    expect(sidecar?.files).toHaveLength(1);
    expect(existsSync(join(recordingDir, sidecar!.files[0]!))).toBe(true);
    expect(readdirSync(join(recordingDir, 'pcaps')).some((n) => n.endsWith('.json') && n.startsWith(escapeCallId(callId)))).toBe(true);
  });
});

/** Packet records in a classic pcap file (24-byte header, 16-byte record headers). */
function countPcapRecords(buf: Buffer): number {
  let n = 0;
  for (let off = 24; off + 16 <= buf.length; n++) off += 16 + buf.readUInt32LE(off + 8);
  return n;
}
