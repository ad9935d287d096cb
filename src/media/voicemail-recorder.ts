/**
 * Voicemail recording: Switchboard terminates the caller's RTP itself. A UDP socket on the
 * media interface is the answerer to rtpengine's offer (so rtpengine relays the caller's
 * audio to it); PCMU/PCMA payloads are decoded and streamed into a WAV file (8 kHz, 16-bit
 * mono) in the mailbox's directory, with a JSON sidecar written last: a message exists
 * once its sidecar does.
 *
 * | state     | event                                        | next      | action                            |
 * |-----------|----------------------------------------------|-----------|-----------------------------------|
 * | listening | RTP from any source, audio or event PT       | listening | latch that source; drop the audio |
 * | listening | start()                                      | recording | create the WAV, arm timers        |
 * | recording | audio from the latched source                | recording | decode, fill gaps, append, detect |
 * | recording | other source / PT / oversized / stale seq    | recording | count as ignored                  |
 * | recording | samples reach maxLength (or wall-clock       | ending    | end 'max_length'                  |
 * |           | backstop: maxLength + 1 s)                   |           |                                   |
 * | recording | silenceMs of silence in a row (in samples)   | ending    | end 'silence'                     |
 * | recording | no RTP for noMediaTimeoutMs (wall clock)     | ending    | end 'no_media'                    |
 * | recording | stop() (hang-up)                             | ending    | end 'stopped'                     |
 * | recording | WAV write failed                             | ending    | end 'error', log                  |
 * | ending    | -                                            | done      | close socket, cut trailing silence,|
 * |           |                                              |           | discard if < minLength, else JSON |
 * | listening | stop()                                       | done      | close socket; 'discarded'         |
 *
 * Trailing silence is always cut (the message ends where the caller last spoke), so a
 * recording of silence alone is shorter than any minimum and is discarded. RFC 4733
 * telephone-events are not audio; the lead reads digits from DtmfEvents. The greeting and
 * beep are the lead's (playback to the caller); recording starts when start() is called.
 *
 * @example
 *   const rec = await VoicemailRecorder.open({ mailbox: 'sales', directory: '/var/spool/switchboard/vm/sales',
 *     caller: '+14155550123', callee: 'sales', maxLengthMs: box.max_length, bindAddress: '127.0.0.1' });
 *   const sdpForCaller = await answerIntoRecorder(session, callerSdp, rec, { localTag: 'voicemail' });
 *   // 200 OK with sdpForCaller; greeting and beep through session.playbackTo(callerTag), then:
 *   await rec.start();
 *   const outcome = await Promise.race([rec.finished, hungUp.then(() => rec.stop())]);
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { basename, join } from 'node:path';
import sdpTransform from 'sdp-transform';
import { SwitchboardError } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/logger.js';
import type { AnchorOptions } from './anchor-options.js';
import { decodeG711, type G711Codec } from './g711.js';
import type { MediaSession } from './media-session.js';
import { SilenceDetector } from './silence-detector.js';
import { WavWriter } from './wav-writer.js';

export const VOICEMAIL_SAMPLE_RATE = 8000;
/** Larger datagrams are not G.711 audio from rtpengine (an MTU's worth). */
export const MAX_RTP_PACKET_BYTES = 1500;
/** Timestamp gaps up to this many samples are filled with silence; larger jumps are a new stream. */
const MAX_GAP_SAMPLES = VOICEMAIL_SAMPLE_RATE;
/** Kept after the last loud block when trailing silence is cut: the end of the last word. */
const TAIL_SAMPLES = VOICEMAIL_SAMPLE_RATE / 4;
const BACKSTOP_SLACK_MS = 1000;

export interface VoicemailRecorderOptions {
  mailbox: string;
  /** The mailbox's directory; created if missing. */
  directory: string;
  caller: string;
  callee: string;
  /** Longest message (voicemail.<box>.max_length), ms. */
  maxLengthMs: number;
  /** Silence in a row that ends the message, ms. Default 5000. */
  silenceMs?: number;
  /** RMS below which audio counts as silence. Default 300 (about -40 dBFS). */
  silenceThreshold?: number;
  /** Shorter messages are discarded, ms. Default 1000. */
  minLengthMs?: number;
  /** No RTP at all for this long after start() ends the message, ms. Default silenceMs. */
  noMediaTimeoutMs?: number;
  /** Local address rtpengine sends the caller's audio to (the media interface). Default 127.0.0.1. */
  bindAddress?: string;
  /** Wall clock for startedAt. Default Date.now. */
  now?: () => number;
  logger?: Logger;
}

export type RecordingEnd = 'max_length' | 'silence' | 'no_media' | 'stopped' | 'error';

/** The JSON sidecar next to each message's WAV file. */
export interface VoicemailMessage {
  caller: string;
  callee: string;
  mailbox: string;
  /** ISO 8601, when start() was called. */
  startedAt: string;
  durationMs: number;
  /** The WAV file's name inside the mailbox directory. */
  file: string;
}

export type VoicemailOutcome =
  | { readonly kind: 'saved'; readonly end: RecordingEnd; readonly message: VoicemailMessage; readonly wavPath: string; readonly sidecarPath: string }
  | { readonly kind: 'discarded'; readonly end: RecordingEnd; readonly reason: 'too_short' | 'not_started' | 'error'; readonly durationMs: number };

export interface VoicemailRecorderStats {
  /** Datagrams that arrived on the socket. */
  packets: number;
  /** Audio packets recorded. */
  audioPackets: number;
  /** Dropped: oversized, not RTP, wrong source or payload type, duplicate or late. */
  ignored: number;
}

/** What the local answer negotiated. */
export interface RecorderCodec {
  codec: G711Codec;
  payloadType: number;
  /** telephone-event/8000 payload type, if offered. */
  eventPayloadType: number | undefined;
}

type RecorderState = 'listening' | 'recording' | 'ending' | 'done';

/**
 * The answer of a local RTP endpoint at `address`:`port` to rtpengine's offer: the first
 * offered G.711 codec (PCMU or PCMA) and telephone-event, sendrecv (a recvonly answer would
 * reach the caller as sendonly, and some phones then mute the greeting). Other m-lines
 * are rejected (port 0).
 */
export function recorderAnswer(offer: string, address: string, port: number): { sdp: string } & RecorderCodec {
  const parsed = sdpTransform.parse(offer);
  const media = Array.isArray(parsed.media) ? parsed.media : [];
  const audioIndex = media.findIndex((m) => m.type === 'audio' && m.port !== 0);
  if (audioIndex < 0) throw new SwitchboardError('SB_MEDIA_REFUSED', 'the offer to the voicemail recorder has no audio stream');
  const audio = media[audioIndex]!;
  if (audio.protocol !== 'RTP/AVP') {
    throw new SwitchboardError('SB_MEDIA_REFUSED', `the voicemail recorder takes plain RTP/AVP, not ${audio.protocol}; offer with transportProtocol 'RTP/AVP'`);
  }
  const offered = sdpTransform.parsePayloads(String(audio.payloads ?? ''));
  const nameOf = (pt: number): string | undefined => {
    const rtp = audio.rtp.find((r) => r.payload === pt);
    if (rtp !== undefined) return rtp.rate === 8000 ? rtp.codec.toUpperCase() : undefined;
    return pt === 0 ? 'PCMU' : pt === 8 ? 'PCMA' : undefined;
  };
  const payloadType = offered.find((pt) => nameOf(pt) === 'PCMU' || nameOf(pt) === 'PCMA');
  if (payloadType === undefined) {
    throw new SwitchboardError('SB_MEDIA_REFUSED', "the offer to the voicemail recorder has neither PCMU nor PCMA; offer with codecs ['PCMU', 'PCMA'] and transcode");
  }
  const codec = nameOf(payloadType) as G711Codec;
  const eventPayloadType = offered.find((pt) => nameOf(pt) === 'TELEPHONE-EVENT');
  const ipVer = isIPv6(address) ? 6 : 4;
  const rtp: { payload: number; codec: string; rate: number }[] = [{ payload: payloadType, codec, rate: 8000 }];
  const fmtp: { payload: number; config: string }[] = [];
  if (eventPayloadType !== undefined) {
    rtp.push({ payload: eventPayloadType, codec: 'telephone-event', rate: 8000 });
    fmtp.push({ payload: eventPayloadType, config: '0-16' });
  }
  const answer: sdpTransform.SessionDescription = {
    version: 0,
    origin: { username: '-', sessionId: Date.now(), sessionVersion: 1, netType: 'IN', ipVer, address },
    name: 'switchboard voicemail',
    connection: { version: ipVer, ip: address },
    timing: { start: 0, stop: 0 },
    media: media.map((m, i) =>
      i === audioIndex
        ? {
            type: 'audio',
            port,
            protocol: 'RTP/AVP',
            payloads: [payloadType, ...(eventPayloadType === undefined ? [] : [eventPayloadType])].join(' '),
            rtp,
            fmtp,
            ptime: 20,
            direction: 'sendrecv' as const,
          }
        : { type: m.type, port: 0, protocol: m.protocol, payloads: String(m.payloads ?? ''), rtp: [], fmtp: [] },
    ),
  };
  return { sdp: sdpTransform.write(answer), codec, payloadType, eventPayloadType };
}

/**
 * Anchors the caller with the recorder as the answering party: offers the caller's SDP
 * through rtpengine, answers with the recorder's local SDP tagged `localTag`, and resolves
 * with the SDP for the caller's 200 OK. G.711 on plain RTP is forced towards the recorder;
 * rtpengine transcodes when the caller speaks something else.
 */
export async function answerIntoRecorder(
  session: MediaSession,
  callerSdp: string,
  recorder: VoicemailRecorder,
  leg: { localTag: string; options?: AnchorOptions },
): Promise<string> {
  const towardsRecorder: AnchorOptions = {
    ...leg.options,
    codecs: ['PCMU', 'PCMA'],
    transcode: ['PCMU'],
    transportProtocol: 'RTP/AVP',
  };
  const offer = await session.offer(callerSdp, { options: towardsRecorder });
  return session.answer(recorder.answer(offer), { to: leg.localTag, options: leg.options });
}

export class VoicemailRecorder {
  /** Resolves once the message is saved or discarded; never rejects. */
  readonly finished: Promise<VoicemailOutcome>;
  private resolveFinished!: (outcome: VoicemailOutcome) => void;
  private state: RecorderState = 'listening';
  private negotiated: RecorderCodec | undefined;
  private source: { address: string; port: number } | undefined;
  private wav: WavWriter | undefined;
  private silence: SilenceDetector;
  private startedAt = 0;
  private lastPacketAt = 0;
  private lastSeq: number | undefined;
  private nextTimestamp: number | undefined;
  private ssrc: number | undefined;
  private readonly maxSamples: number;
  private readonly pcm = new Int16Array(MAX_RTP_PACKET_BYTES);
  private readonly gap = new Int16Array(MAX_GAP_SAMPLES);
  private readonly counters: VoicemailRecorderStats = { packets: 0, audioPackets: 0, ignored: 0 };
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly logger: Logger;
  private readonly now: () => number;
  private writeError: unknown;

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    readonly port: number,
    private readonly opts: VoicemailRecorderOptions,
  ) {
    this.logger = (opts.logger ?? silentLogger).child({ module: 'voicemail-recorder', mailbox: opts.mailbox });
    this.now = opts.now ?? Date.now;
    this.maxSamples = Math.round((opts.maxLengthMs * VOICEMAIL_SAMPLE_RATE) / 1000);
    this.silence = this.newSilenceDetector();
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
    socket.on('message', (msg, from) => this.onPacket(msg, from));
    socket.on('error', (err) => this.logger.warn({ err }, 'voicemail RTP socket error'));
  }

  /** Binds the RTP socket (an ephemeral port on bindAddress); recording starts with start(). */
  static async open(options: VoicemailRecorderOptions): Promise<VoicemailRecorder> {
    if (!(options.maxLengthMs > 0)) throw new SwitchboardError('SB_INTERNAL', `voicemail max length ${options.maxLengthMs} ms is not positive`);
    const address = options.bindAddress ?? '127.0.0.1';
    const socket = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new VoicemailRecorder(socket, address, socket.address().port, options);
  }

  get stats(): Readonly<VoicemailRecorderStats> {
    return this.counters;
  }

  /** The codec agreed in answer(), once called. */
  get codec(): RecorderCodec | undefined {
    return this.negotiated;
  }

  /** The local SDP answering rtpengine's offer; see recorderAnswer. */
  answer(rtpengineOffer: string): string {
    const { sdp, ...codec } = recorderAnswer(rtpengineOffer, this.address, this.port);
    this.negotiated = codec;
    return sdp;
  }

  /** Starts writing the caller's audio (after the beep). Call once, after answer(). */
  async start(): Promise<void> {
    if (this.state !== 'listening') throw new SwitchboardError('SB_INTERNAL', `voicemail recorder start() while ${this.state}`);
    if (this.negotiated === undefined) throw new SwitchboardError('SB_INTERNAL', 'voicemail recorder start() before answer()');
    await mkdir(this.opts.directory, { recursive: true });
    this.startedAt = this.now();
    const stamp = new Date(this.startedAt).toISOString().replace(/[-:]/g, '').replace('.', '-');
    const wav = await WavWriter.create(join(this.opts.directory, `msg-${stamp}-${randomBytes(3).toString('hex')}.wav`), VOICEMAIL_SAMPLE_RATE);
    if ((this.state as RecorderState) !== 'listening') {
      // stop() came while the file was being created.
      await wav.close();
      await unlink(wav.path).catch(() => undefined);
      return;
    }
    this.wav = wav;
    this.state = 'recording';
    this.silence = this.newSilenceDetector();
    this.lastPacketAt = performance.now();
    this.timers.push(setTimeout(() => this.end('max_length'), this.opts.maxLengthMs + BACKSTOP_SLACK_MS));
    this.armNoMedia(this.noMediaMs());
  }

  /** Ends the recording now (the caller hung up); resolves with the outcome. Idempotent. */
  stop(): Promise<VoicemailOutcome> {
    this.end('stopped');
    return this.finished;
  }

  private newSilenceDetector(): SilenceDetector {
    return new SilenceDetector({
      sampleRate: VOICEMAIL_SAMPLE_RATE,
      silenceMs: this.opts.silenceMs ?? 5000,
      ...(this.opts.silenceThreshold === undefined ? {} : { threshold: this.opts.silenceThreshold }),
    });
  }

  private noMediaMs(): number {
    return this.opts.noMediaTimeoutMs ?? this.opts.silenceMs ?? 5000;
  }

  /** One timer, re-armed for the remainder when packets came meanwhile (no per-packet timer work). */
  private armNoMedia(delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.splice(this.timers.indexOf(timer), 1);
      const idle = performance.now() - this.lastPacketAt;
      if (idle >= this.noMediaMs()) this.end('no_media');
      else if (this.state === 'recording') this.armNoMedia(this.noMediaMs() - idle);
    }, delayMs);
    this.timers.push(timer);
  }

  private onPacket(msg: Buffer, from: RemoteInfo): void {
    this.counters.packets++;
    const codec = this.negotiated;
    if (codec === undefined || this.state === 'ending' || this.state === 'done' || msg.length < 12 || msg.length > MAX_RTP_PACKET_BYTES || msg[0]! >> 6 !== 2) {
      this.counters.ignored++;
      return;
    }
    const payloadType = msg[1]! & 0x7f;
    if (payloadType !== codec.payloadType && payloadType !== codec.eventPayloadType) {
      this.counters.ignored++;
      return;
    }
    if (this.source === undefined) {
      this.source = { address: from.address, port: from.port };
    } else if (this.source.address !== from.address || this.source.port !== from.port) {
      this.counters.ignored++;
      return;
    }
    if (this.state !== 'recording') return;
    this.lastPacketAt = performance.now();
    if (payloadType !== codec.payloadType) return; // a telephone-event: not audio
    const payload = rtpPayload(msg);
    if (payload === undefined || !this.inSequence(msg)) {
      this.counters.ignored++;
      return;
    }
    this.counters.audioPackets++;
    this.fillGap(msg.readUInt32BE(4), payload.length);
    const n = decodeG711(codec.codec, payload, this.pcm);
    this.write(this.pcm, n);
  }

  /** Drops duplicates and packets older than the newest one (no reordering buffer). */
  private inSequence(msg: Buffer): boolean {
    const seq = msg.readUInt16BE(2);
    const ssrc = msg.readUInt32BE(8);
    if (ssrc !== this.ssrc) {
      // A new stream (e.g. rtpengine after a re-anchor): no sequence or timestamp history.
      this.ssrc = ssrc;
      this.lastSeq = undefined;
      this.nextTimestamp = undefined;
    }
    if (this.lastSeq !== undefined) {
      const ahead = (seq - this.lastSeq) & 0xffff;
      if (ahead === 0 || ahead >= 0x8000) return false;
    }
    this.lastSeq = seq;
    return true;
  }

  /** Lost packets become silence, so the message keeps its timing. */
  private fillGap(timestamp: number, samples: number): void {
    const expected = this.nextTimestamp;
    this.nextTimestamp = (timestamp + samples) >>> 0;
    if (expected === undefined) return;
    const gap = (timestamp - expected) >>> 0;
    if (gap > 0 && gap <= MAX_GAP_SAMPLES) this.write(this.gap, gap);
  }

  private write(samples: Int16Array, length: number): void {
    const wav = this.wav;
    if (wav === undefined || this.state !== 'recording') return;
    if (wav.error !== undefined) {
      this.writeError = wav.error;
      this.end('error');
      return;
    }
    const room = this.maxSamples - wav.sampleCount;
    const n = Math.min(length, room);
    try {
      wav.append(samples, n);
    } catch (err) {
      this.writeError = err;
      this.end('error');
      return;
    }
    if (this.silence.feed(samples, n)) this.end('silence');
    else if (n === room) this.end('max_length');
  }

  private end(why: RecordingEnd): void {
    if (this.state === 'ending' || this.state === 'done') return;
    const wasRecording = this.state === 'recording';
    this.state = 'ending';
    for (const timer of this.timers.splice(0)) clearTimeout(timer);
    this.socket.close();
    if (!wasRecording) {
      this.state = 'done';
      this.resolveFinished({ kind: 'discarded', end: why, reason: 'not_started', durationMs: 0 });
      return;
    }
    void this.finish(why).then((outcome) => {
      this.state = 'done';
      this.resolveFinished(outcome);
    });
  }

  private async finish(why: RecordingEnd): Promise<VoicemailOutcome> {
    const wav = this.wav!;
    const minLengthMs = this.opts.minLengthMs ?? 1000;
    try {
      if (why === 'error') throw this.writeError;
      const heard = this.silence.heardSound ? this.silence.lastSoundAt + TAIL_SAMPLES : 0;
      await wav.truncateTo(heard);
      const samples = await wav.close();
      const durationMs = Math.round((samples * 1000) / VOICEMAIL_SAMPLE_RATE);
      if (durationMs < minLengthMs) {
        await unlink(wav.path);
        return { kind: 'discarded', end: why, reason: 'too_short', durationMs };
      }
      const message: VoicemailMessage = {
        caller: this.opts.caller,
        callee: this.opts.callee,
        mailbox: this.opts.mailbox,
        startedAt: new Date(this.startedAt).toISOString(),
        durationMs,
        file: basename(wav.path),
      };
      const sidecarPath = wav.path.replace(/\.wav$/, '.json');
      // Written whole, then renamed: a reader never sees half a sidecar.
      await writeFile(`${sidecarPath}.tmp`, `${JSON.stringify(message, null, 2)}\n`);
      await rename(`${sidecarPath}.tmp`, sidecarPath);
      return { kind: 'saved', end: why, message, wavPath: wav.path, sidecarPath };
    } catch (err) {
      this.logger.error({ err, file: wav.path }, 'voicemail recording failed; message discarded');
      await wav.close().catch(() => undefined);
      await unlink(wav.path).catch(() => undefined);
      return { kind: 'discarded', end: 'error', reason: 'error', durationMs: wav.durationMs };
    }
  }
}

/** The payload of an RTP packet (after CSRCs and header extension, before padding). */
function rtpPayload(msg: Buffer): Buffer | undefined {
  let offset = 12 + 4 * (msg[0]! & 0x0f);
  if (msg[0]! & 0x10) {
    if (msg.length < offset + 4) return undefined;
    offset += 4 + 4 * msg.readUInt16BE(offset + 2);
  }
  let end = msg.length;
  if (msg[0]! & 0x20) end -= msg[end - 1]!;
  return offset <= end ? msg.subarray(offset, end) : undefined;
}
