/**
 * DTMF digits as rtpengine reports them. rtpengine 10.5 has no ng command that streams
 * events to a UDP ng client; it sends one JSON datagram per finished RFC 4733 event to
 * the address given with `--dtmf-log-dest`:
 *
 *   {"callid":"…","source_tag":"…","tags":["…"],"type":"DTMF","timestamp":1795371509,
 *    "source_ip":"127.0.0.1","event":5,"duration":80,"volume":10}
 *
 * This module binds that address and hands each digit to whoever subscribed to the call.
 * In managed mode RtpengineProcess passes `--dtmf-log-dest` itself; an external rtpengine
 * must be started with it pointing here.
 *
 * @example
 *   const dtmf = await DtmfEvents.listen({ host: '127.0.0.1', port: 0 });
 *   const rtpengine = new RtpengineProcess({ ...opts, dtmfLogDest: dtmf.address });
 *   const off = dtmf.subscribe(callId, (d) => console.log(d.digit, 'from', d.fromTag));
 */
import { createSocket, type Socket } from 'node:dgram';
import { silentLogger, type Logger } from '../util/logger.js';
import type { NgAddress } from './ng-transport.js';

export interface DtmfDigit {
  callId: string;
  /** Dialog tag of the party that pressed the key. */
  fromTag: string;
  /** 0-9, *, #, A-D. */
  digit: string;
  durationMs: number;
  volume: number;
}

export type DtmfHandler = (digit: DtmfDigit) => void;

/** RFC 4733 section 3.2: event codes 0-15. */
const DIGITS = '0123456789*#ABCD';

export class DtmfEvents {
  private readonly handlers = new Map<string, Set<DtmfHandler>>();
  private malformed = 0;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    readonly address: NgAddress,
    private readonly logger: Logger,
  ) {
    socket.on('message', (msg) => this.onDatagram(msg));
    socket.on('error', (err) => logger.warn({ err }, 'DTMF event socket error'));
  }

  /** Binds the UDP address rtpengine reports digits to (port 0: any free port). */
  static async listen(address: NgAddress, logger: Logger = silentLogger): Promise<DtmfEvents> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(address.port, address.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const bound = { host: address.host, port: socket.address().port };
    return new DtmfEvents(socket, bound, logger.child({ module: 'dtmf' }));
  }

  /** Digits of this call go to `handler` until the returned function is called. */
  subscribe(callId: string, handler: DtmfHandler): () => void {
    let set = this.handlers.get(callId);
    if (set === undefined) {
      set = new Set();
      this.handlers.set(callId, set);
    }
    set.add(handler);
    return () => {
      const current = this.handlers.get(callId);
      if (current === undefined) return;
      current.delete(handler);
      if (current.size === 0) this.handlers.delete(callId);
    };
  }

  /** Calls with at least one subscriber (for leak checks). */
  get subscribedCalls(): number {
    return this.handlers.size;
  }

  /** Datagrams that were not a DTMF event rtpengine could have sent. */
  get malformedCount(): number {
    return this.malformed;
  }

  /** Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    this.socket.close();
  }

  private onDatagram(msg: Buffer): void {
    const digit = parseDtmfEvent(msg);
    if (digit === undefined) {
      // Counted, not logged: a flood of garbage must not become a flood of log lines.
      this.malformed++;
      return;
    }
    const set = this.handlers.get(digit.callId);
    if (set === undefined) return;
    for (const handler of set) {
      try {
        handler(digit);
      } catch (err) {
        this.logger.error({ err, callId: digit.callId }, 'DTMF handler threw');
      }
    }
  }
}

/**
 * One `--dtmf-log-dest` datagram to a digit; undefined for anything else.
 *
 * @example
 *   parseDtmfEvent(Buffer.from('{"callid":"c1","source_tag":"a","type":"DTMF","event":10,"duration":80,"volume":10}'));
 *   // { callId: 'c1', fromTag: 'a', digit: '*', durationMs: 80, volume: 10 }
 */
export function parseDtmfEvent(msg: Buffer): DtmfDigit | undefined {
  let value: unknown;
  try {
    value = JSON.parse(msg.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v.type !== 'DTMF' || typeof v.callid !== 'string' || typeof v.source_tag !== 'string') return undefined;
  if (typeof v.event !== 'number' || !Number.isInteger(v.event) || v.event < 0 || v.event >= DIGITS.length) return undefined;
  return {
    callId: v.callid,
    fromTag: v.source_tag,
    digit: DIGITS[v.event]!,
    durationMs: typeof v.duration === 'number' ? v.duration : 0,
    volume: typeof v.volume === 'number' ? v.volume : 0,
  };
}
