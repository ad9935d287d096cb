/**
 * A minimal RTP user agent for tests: one UDP socket on 127.0.0.1, PCMU audio at a 20 ms
 * pace, RFC 4733 telephone-events, and a record of what arrived.
 *
 * Every send is bounded by a packet count, and the endpoint only ever sends to the
 * loopback address it was given.
 *
 * @example
 *   const caller = await RtpEndpoint.open();
 *   caller.setRemote(portFromSdp(answerSdp));
 *   await caller.sendTone({ hz: 440, packets: 25 });
 *   await caller.sendDigit('5');
 *   await caller.waitFor((s) => s.audible >= 10, 2000);
 *   caller.close();
 */
import { createSocket, type Socket } from 'node:dgram';
import { isPcmuSilence, pcmuTone } from './g711.js';

export const PCMU = 0;
export const TELEPHONE_EVENT = 101;
const FRAME_SAMPLES = 160; // 20 ms at 8 kHz
const MAX_PACKETS_PER_SEND = 3000; // one minute of audio

export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

export interface TelephoneEvent {
  event: number;
  end: boolean;
  volume: number;
  duration: number;
}

export interface ReceivedStats {
  packets: number;
  /** Packets whose payload is not PCMU digital silence (only PCMU packets count). */
  audible: number;
  payloadTypes: Set<number>;
}

/** RFC 4733 event codes. */
const EVENT_CODES: Record<string, number> = {
  '0': 0, '1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '6': 6, '7': 7, '8': 8, '9': 9,
  '*': 10, '#': 11, A: 12, B: 13, C: 14, D: 15,
};

/** Parses an RTP packet (RFC 3550); undefined when it is not version 2 or is truncated. */
export function parseRtp(buf: Buffer): RtpPacket | undefined {
  if (buf.length < 12 || buf[0]! >> 6 !== 2) return undefined;
  const csrcCount = buf[0]! & 0x0f;
  let offset = 12 + 4 * csrcCount;
  if (buf[0]! & 0x10) {
    if (buf.length < offset + 4) return undefined;
    offset += 4 + 4 * buf.readUInt16BE(offset + 2);
  }
  let end = buf.length;
  if (buf[0]! & 0x20) end -= buf[end - 1]!;
  if (offset > end) return undefined;
  return {
    payloadType: buf[1]! & 0x7f,
    marker: (buf[1]! & 0x80) !== 0,
    sequence: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    payload: buf.subarray(offset, end),
  };
}

/** Parses an RFC 4733 telephone-event payload. */
export function parseTelephoneEvent(payload: Buffer): TelephoneEvent | undefined {
  if (payload.length < 4) return undefined;
  return { event: payload[0]!, end: (payload[1]! & 0x80) !== 0, volume: payload[1]! & 0x3f, duration: payload.readUInt16BE(2) };
}

/** The port of the first audio m-line of an SDP body. */
export function audioPortOf(sdp: string): number {
  const match = /^m=audio (\d+) /m.exec(sdp);
  if (match === null) throw new Error(`no audio m-line in SDP:\n${sdp}`);
  return Number(match[1]);
}

export class RtpEndpoint {
  readonly received: RtpPacket[] = [];
  private readonly stats: ReceivedStats = { packets: 0, audible: 0, payloadTypes: new Set() };
  private remotePort: number | undefined;
  private sequence = Math.floor(Math.random() * 0xffff);
  private timestamp = Math.floor(Math.random() * 0xffffffff);
  private readonly ssrc = Math.floor(Math.random() * 0xffffffff);
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly socket: Socket,
    readonly port: number,
  ) {
    socket.on('message', (msg) => this.onPacket(msg));
  }

  static async open(): Promise<RtpEndpoint> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new RtpEndpoint(socket, socket.address().port);
  }

  /** An SDP offer/answer for this endpoint: PCMU and telephone-event/8000 on 127.0.0.1. */
  sdp(sessionId = this.port): string {
    return [
      'v=0',
      `o=- ${sessionId} 1 IN IP4 127.0.0.1`,
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio ${this.port} RTP/AVP ${PCMU} ${TELEPHONE_EVENT}`,
      `a=rtpmap:${PCMU} PCMU/8000`,
      `a=rtpmap:${TELEPHONE_EVENT} telephone-event/8000`,
      `a=fmtp:${TELEPHONE_EVENT} 0-16`,
      'a=ptime:20',
      'a=sendrecv',
      '',
    ].join('\r\n');
  }

  /** Where to send: always 127.0.0.1, at the port the peer's SDP gave. */
  setRemote(port: number): void {
    this.remotePort = port;
  }

  get receivedStats(): Readonly<ReceivedStats> {
    return this.stats;
  }

  /** Forgets what arrived so far (e.g. before checking a playback). */
  resetReceived(): void {
    this.received.length = 0;
    this.stats.packets = 0;
    this.stats.audible = 0;
    this.stats.payloadTypes.clear();
  }

  /** Sends `packets` 20 ms PCMU frames of a sine tone, paced at 20 ms. */
  async sendTone(opts: { hz: number; packets: number }): Promise<void> {
    const count = boundCount(opts.packets);
    for (let i = 0; i < count; i++) {
      this.send(PCMU, pcmuTone(opts.hz, FRAME_SAMPLES, i * FRAME_SAMPLES), i === 0);
      this.timestamp = (this.timestamp + FRAME_SAMPLES) >>> 0;
      await sleep(20);
    }
  }

  /** Sends `packets` frames of PCMU digital silence (0xFF), paced at 20 ms. */
  async sendSilence(packets: number): Promise<void> {
    const frame = Buffer.alloc(FRAME_SAMPLES, 0xff);
    const count = boundCount(packets);
    for (let i = 0; i < count; i++) {
      this.send(PCMU, frame, i === 0);
      this.timestamp = (this.timestamp + FRAME_SAMPLES) >>> 0;
      await sleep(20);
    }
  }

  /**
   * Sends one RFC 4733 digit: a start packet with the marker bit, continuation packets
   * every 20 ms with a growing duration, and the end packet three times (RFC 4733 2.5.1.4),
   * all with the event's start timestamp.
   */
  async sendDigit(digit: string, opts: { durationMs?: number; volume?: number } = {}): Promise<void> {
    const event = EVENT_CODES[digit];
    if (event === undefined) throw new Error(`not a DTMF digit: ${digit}`);
    const frames = Math.max(1, Math.round((opts.durationMs ?? 100) / 20));
    const volume = opts.volume ?? 10;
    for (let i = 1; i <= frames; i++) {
      this.send(TELEPHONE_EVENT, eventPayload(event, false, volume, i * FRAME_SAMPLES), i === 1);
      await sleep(20);
    }
    const end = eventPayload(event, true, volume, frames * FRAME_SAMPLES);
    for (let i = 0; i < 3; i++) this.send(TELEPHONE_EVENT, end, false);
    this.timestamp = (this.timestamp + frames * FRAME_SAMPLES) >>> 0;
    await sleep(20);
  }

  /** Resolves once `predicate` holds for what arrived; rejects after `timeoutMs`. */
  async waitFor(predicate: (stats: Readonly<ReceivedStats>) => boolean, timeoutMs: number): Promise<void> {
    if (predicate(this.stats)) return;
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!predicate(this.stats)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`RTP endpoint ${this.port}: condition not met within ${timeoutMs} ms (${this.describe()})`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Telephone-events that arrived, one per distinct event (start timestamp). */
  receivedDigits(): string[] {
    const byTimestamp = new Map<number, number>();
    for (const p of this.received) {
      if (p.payloadType !== TELEPHONE_EVENT) continue;
      const ev = parseTelephoneEvent(p.payload);
      if (ev !== undefined) byTimestamp.set(p.timestamp, ev.event);
    }
    const names = Object.keys(EVENT_CODES);
    return [...byTimestamp.values()].map((code) => names[code] ?? `?${code}`);
  }

  describe(): string {
    return `packets=${this.stats.packets} audible=${this.stats.audible} pts=[${[...this.stats.payloadTypes].join(',')}]`;
  }

  close(): void {
    this.socket.close();
  }

  private send(payloadType: number, payload: Buffer, marker: boolean): void {
    if (this.remotePort === undefined) throw new Error('RTP endpoint: setRemote() first');
    const header = Buffer.allocUnsafe(12);
    header[0] = 0x80;
    header[1] = (marker ? 0x80 : 0) | payloadType;
    header.writeUInt16BE(this.sequence, 2);
    header.writeUInt32BE(this.timestamp, 4);
    header.writeUInt32BE(this.ssrc, 8);
    this.sequence = (this.sequence + 1) & 0xffff;
    this.socket.send(Buffer.concat([header, payload]), this.remotePort, '127.0.0.1');
  }

  private onPacket(msg: Buffer): void {
    const packet = parseRtp(msg);
    if (packet === undefined) return;
    this.received.push(packet);
    this.stats.packets++;
    this.stats.payloadTypes.add(packet.payloadType);
    if (packet.payloadType === PCMU && !isPcmuSilence(packet.payload)) this.stats.audible++;
    for (const waiter of this.waiters) waiter();
  }
}

function eventPayload(event: number, end: boolean, volume: number, duration: number): Buffer {
  const payload = Buffer.allocUnsafe(4);
  payload[0] = event;
  payload[1] = (end ? 0x80 : 0) | (volume & 0x3f);
  payload.writeUInt16BE(duration, 2);
  return payload;
}

function boundCount(packets: number): number {
  if (!Number.isInteger(packets) || packets < 0 || packets > MAX_PACKETS_PER_SEND) {
    throw new Error(`packet count ${packets} outside 0..${MAX_PACKETS_PER_SEND}`);
  }
  return packets;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
