/**
 * The voicemail recorder on real loopback UDP, fed RTP by a test socket (no rtpengine):
 * the local SDP answer, the end rules (silence, max length, hang-up), min-length discard,
 * source latching, non-audio packets, gaps and duplicates. Every rule counts samples, so
 * the packets are sent as fast as the socket takes them.
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  recorderAnswer,
  VoicemailRecorder,
  type VoicemailRecorderOptions,
} from '../../../src/media/voicemail-recorder.js';
import { isSwitchboardError } from '../../../src/util/errors.js';
import { pcmuTone, zeroCrossingHz } from '../../helpers/rtp/g711.js';
import { readWav } from '../../helpers/rtp/wav.js';

const root = mkdtempSync(join(tmpdir(), 'switchboard-vm-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const open: { close(): void }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});
let boxSeq = 0;

function offer(payloads: string, rtpmaps: string[], proto = 'RTP/AVP', extra: string[] = []): string {
  return ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio 30000 ${proto} ${payloads}`, ...rtmapsOf(rtpmaps), ...extra, ''].join('\r\n');
}
function rtmapsOf(lines: string[]): string[] {
  return lines.map((l) => `a=rtpmap:${l}`);
}
const PCMU_OFFER = offer('0 101', ['0 PCMU/8000', '101 telephone-event/8000']);

/** A test RTP source on its own loopback socket. */
class Sender {
  seq = 1000;
  ts = 50_000;
  constructor(
    private readonly socket: Socket,
    private readonly port: number,
    readonly ssrc = 0x1234,
  ) {}

  static async open(port: number): Promise<Sender> {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    const s = new Sender(socket, port);
    open.push(socket);
    return s;
  }

  packet(pt: number, payload: Buffer, opts: { seq?: number; ts?: number } = {}): Buffer {
    const h = Buffer.alloc(12);
    h[0] = 0x80;
    h[1] = pt;
    h.writeUInt16BE((opts.seq ?? this.seq) & 0xffff, 2);
    h.writeUInt32BE((opts.ts ?? this.ts) >>> 0, 4);
    h.writeUInt32BE(this.ssrc, 8);
    return Buffer.concat([h, payload]);
  }

  raw(buf: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(buf, this.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  }

  /** `frames` 20 ms PCMU frames: a tone at `hz`, or digital silence when hz is 0. */
  async audio(frames: number, hz: number): Promise<void> {
    for (let i = 0; i < frames; i++) {
      const payload = hz === 0 ? Buffer.alloc(160, 0xff) : pcmuTone(hz, 160, i * 160);
      await this.raw(this.packet(0, payload));
      this.seq++;
      this.ts += 160;
    }
  }
}

async function recorder(over: Partial<VoicemailRecorderOptions> = {}): Promise<{ rec: VoicemailRecorder; dir: string; tx: Sender }> {
  const dir = join(root, `box-${++boxSeq}`);
  const rec = await VoicemailRecorder.open({
    mailbox: 'sales',
    directory: dir,
    caller: '+14155550123',
    callee: 'sales',
    maxLengthMs: 60_000,
    silenceMs: 1000,
    minLengthMs: 1000,
    // Wall-clock rule out of the way: these tests are about what the packets carry.
    noMediaTimeoutMs: 600_000,
    ...over,
  });
  open.push({ close: () => void rec.stop() });
  rec.answer(PCMU_OFFER);
  const tx = await Sender.open(rec.port);
  return { rec, dir, tx };
}

/** Resolves once the recorder has seen `n` datagrams; bounded so a lost packet fails the test. */
async function received(rec: VoicemailRecorder, n: number): Promise<void> {
  for (let i = 0; i < 500 && rec.stats.packets < n; i++) await new Promise((r) => setTimeout(r, 10));
  expect(rec.stats.packets).toBeGreaterThanOrEqual(n);
}

describe('recorderAnswer', () => {
  it('answers the offered PCMU and telephone-event at the local address and port, sendrecv', () => {
    const a = recorderAnswer(PCMU_OFFER, '127.0.0.1', 40_000);
    expect(a).toMatchObject({ codec: 'PCMU', payloadType: 0, eventPayloadType: 101 });
    expect(a.sdp).toMatch(/^m=audio 40000 RTP\/AVP 0 101\r$/m);
    expect(a.sdp).toMatch(/^c=IN IP4 127\.0\.0\.1\r$/m);
    expect(a.sdp).toMatch(/^a=rtpmap:101 telephone-event\/8000\r$/m);
    expect(a.sdp).toMatch(/^a=sendrecv\r$/m);
  });

  it('takes the first G.711 codec in offer order, dynamic or static', () => {
    const a = recorderAnswer(offer('9 8 0', ['9 G722/8000', '8 PCMA/8000', '0 PCMU/8000']), '127.0.0.1', 40_000);
    expect(a).toMatchObject({ codec: 'PCMA', payloadType: 8, eventPayloadType: undefined });
    expect(a.sdp).toMatch(/^m=audio 40000 RTP\/AVP 8\r$/m);
    expect(recorderAnswer(offer('0', []), '::1', 40_000).sdp).toMatch(/^c=IN IP6 ::1\r$/m);
  });

  it('rejects a video stream next to the audio', () => {
    const sdp = `${offer('0', ['0 PCMU/8000'])}m=video 30002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n`;
    expect(recorderAnswer(sdp, '127.0.0.1', 40_000).sdp).toMatch(/^m=video 0 RTP\/AVP 96\r$/m);
  });

  it.each([
    ['no G.711', offer('9', ['9 G722/8000']), /neither PCMU nor PCMA/],
    ['SRTP', offer('0', ['0 PCMU/8000'], 'RTP/SAVP'), /plain RTP\/AVP/],
    ['no audio', 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n', /no audio stream/],
  ])('refuses an offer with %s (SB_MEDIA_REFUSED)', (_what, sdp, message) => {
    let err: unknown;
    try {
      recorderAnswer(sdp, '127.0.0.1', 40_000);
    } catch (e) {
      err = e;
    }
    expect(isSwitchboardError(err, 'SB_MEDIA_REFUSED')).toBe(true);
    expect((err as Error).message).toMatch(message);
  });
});

describe('VoicemailRecorder', () => {
  it('silence ends the message: tone kept, trailing silence cut, WAV and sidecar in the mailbox directory', async () => {
    const { rec, dir, tx } = await recorder({ now: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
    await rec.start();
    await tx.audio(75, 1000); // 1.5 s of 1 kHz
    await tx.audio(60, 0); // 1.2 s of silence: 1 s ends it
    const outcome = await rec.finished;
    expect(outcome.kind).toBe('saved');
    if (outcome.kind !== 'saved') return;
    expect(outcome.end).toBe('silence');
    // 1.5 s of tone + the 250 ms tail after the last loud frame.
    expect(outcome.message).toEqual({
      caller: '+14155550123',
      callee: 'sales',
      mailbox: 'sales',
      startedAt: '2026-01-02T03:04:05.000Z',
      durationMs: 1750,
      file: outcome.message.file,
    });
    expect(readdirSync(dir).sort()).toEqual([outcome.message.file, outcome.message.file.replace(/\.wav$/, '.json')].sort());
    expect(JSON.parse(readFileSync(outcome.sidecarPath, 'utf8'))).toEqual(outcome.message);
    const wav = readWav(readFileSync(outcome.wavPath));
    expect([wav.sampleRate, wav.channels, wav.bitsPerSample, wav.samples.length]).toEqual([8000, 1, 16, 14_000]);
    expect(zeroCrossingHz(wav.samples.subarray(0, 12_000))).toBeCloseTo(1000, -1);
  });

  it('a message shorter than the minimum is discarded and leaves no file', async () => {
    const { rec, dir, tx } = await recorder();
    await rec.start();
    await tx.audio(20, 800); // 0.4 s < 1 s
    await received(rec, 20);
    const outcome = await rec.stop();
    expect(outcome).toEqual({ kind: 'discarded', end: 'stopped', reason: 'too_short', durationMs: 400 });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('silence alone is discarded (nothing was said)', async () => {
    const { rec, dir, tx } = await recorder();
    await rec.start();
    await tx.audio(60, 0);
    expect(await rec.finished).toEqual({ kind: 'discarded', end: 'silence', reason: 'too_short', durationMs: 0 });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('max length stops the message at exactly max_length of audio', async () => {
    const { rec, tx } = await recorder({ maxLengthMs: 1000, minLengthMs: 500 });
    await rec.start();
    await tx.audio(80, 500);
    const outcome = await rec.finished;
    expect(outcome).toMatchObject({ kind: 'saved', end: 'max_length', message: { durationMs: 1000 } });
    if (outcome.kind === 'saved') expect(readWav(readFileSync(outcome.wavPath)).samples.length).toBe(8000);
  });

  it('hang-up saves what was said', async () => {
    const { rec, tx } = await recorder();
    await rec.start();
    await tx.audio(100, 1000);
    await received(rec, 100);
    const outcome = await rec.stop();
    expect(outcome).toMatchObject({ kind: 'saved', end: 'stopped', message: { durationMs: 2000 } });
    // stop() again: the same outcome.
    expect(await rec.stop()).toBe(outcome);
  });

  it('audio before start() is not recorded (greeting and beep time)', async () => {
    const { rec, tx } = await recorder();
    await tx.audio(50, 1000);
    await received(rec, 50);
    await rec.start();
    await tx.audio(60, 500);
    await received(rec, 110);
    const outcome = await rec.stop();
    expect(outcome).toMatchObject({ kind: 'saved', message: { durationMs: 1200 } });
    expect(rec.stats.audioPackets).toBe(60);
  });

  it('ignores other sources after the first, other payload types, telephone-events, oversized and non-RTP datagrams', async () => {
    const { rec, tx } = await recorder();
    await rec.start();
    await tx.audio(60, 1000);
    const intruder = await Sender.open(rec.port);
    await intruder.audio(25, 300);
    await tx.raw(tx.packet(8, Buffer.alloc(160, 0x55))); // PCMA: not negotiated
    await tx.raw(tx.packet(101, Buffer.from([5, 0x0a, 0, 160]), { seq: tx.seq++ }));
    await tx.raw(Buffer.alloc(2000, 0x80)); // oversized
    await tx.raw(Buffer.from('hello, not RTP'));
    await received(rec, 60 + 25 + 4);
    const outcome = await rec.stop();
    expect(rec.stats).toEqual({ packets: 89, audioPackets: 60, ignored: 28 });
    expect(outcome).toMatchObject({ kind: 'saved', message: { durationMs: 1200 } });
    if (outcome.kind === 'saved') expect(zeroCrossingHz(readWav(readFileSync(outcome.wavPath)).samples)).toBeCloseTo(1000, -1);
  });

  it('fills a timestamp gap with silence and drops duplicates and late packets', async () => {
    const { rec, tx } = await recorder();
    await rec.start();
    await tx.audio(30, 1000);
    tx.seq += 2; // two packets lost
    tx.ts += 320;
    await tx.audio(30, 1000);
    const loud = pcmuTone(1000, 160, 0);
    await tx.raw(tx.packet(0, loud, { seq: tx.seq - 1, ts: tx.ts - 160 })); // duplicate of the last
    await tx.raw(tx.packet(0, loud, { seq: tx.seq - 10, ts: tx.ts - 1600 })); // late
    await received(rec, 62);
    const outcome = await rec.stop();
    expect(rec.stats.ignored).toBe(2);
    expect(outcome).toMatchObject({ kind: 'saved', message: { durationMs: 1240 } });
    if (outcome.kind !== 'saved') return;
    const samples = readWav(readFileSync(outcome.wavPath)).samples;
    expect(samples.length).toBe(62 * 160);
    expect(samples.subarray(30 * 160, 32 * 160).every((s) => s === 0)).toBe(true);
  });

  it('decodes PCMA when PCMA was negotiated', async () => {
    const { rec, tx } = await recorder();
    rec.answer(offer('8', ['8 PCMA/8000']));
    await rec.start();
    // A-law of a loud square wave: 0xAA is +32256, 0x2A is -32256.
    for (let i = 0; i < 60; i++) {
      await tx.raw(tx.packet(8, Buffer.from(Array.from({ length: 160 }, (_, j) => (j % 8 < 4 ? 0xaa : 0x2a)))));
      tx.seq++;
      tx.ts += 160;
    }
    await received(rec, 60);
    const outcome = await rec.stop();
    expect(outcome.kind).toBe('saved');
    if (outcome.kind === 'saved') expect([...readWav(readFileSync(outcome.wavPath)).samples.subarray(0, 8)]).toEqual([32256, 32256, 32256, 32256, -32256, -32256, -32256, -32256]);
  });

  it('no RTP at all ends the message (no_media), and it is discarded', async () => {
    const { rec, dir } = await recorder({ noMediaTimeoutMs: 50 });
    await rec.start();
    expect(await rec.finished).toEqual({ kind: 'discarded', end: 'no_media', reason: 'too_short', durationMs: 0 });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('the wall-clock backstop ends a message whose audio never reaches max length', async () => {
    const { rec } = await recorder({ maxLengthMs: 1, minLengthMs: 0 });
    await rec.start();
    expect(await rec.finished).toMatchObject({ kind: 'saved', end: 'max_length', message: { durationMs: 0 } });
  });

  it('stop() before start() discards without touching the directory', async () => {
    const { rec, dir } = await recorder();
    expect(await rec.stop()).toEqual({ kind: 'discarded', end: 'stopped', reason: 'not_started', durationMs: 0 });
    await expect(rec.start()).rejects.toThrow(/start\(\) while done/);
    expect(() => readdirSync(dir)).toThrow(/ENOENT/);
  });

  it('start() before answer() is a bug in the caller', async () => {
    const rec = await VoicemailRecorder.open({ mailbox: 'x', directory: join(root, 'never'), caller: 'a', callee: 'b', maxLengthMs: 5000 });
    open.push({ close: () => void rec.stop() });
    await expect(rec.start()).rejects.toThrow(/before answer/);
  });
});
