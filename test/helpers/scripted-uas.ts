import { createSocket, type Socket } from 'node:dgram';
import { createResponse, parseMessage, type SipRequest, type SipResponse } from '../../src/engine/message/index.js';
import { SDP_B } from './mini-uas.js';

/**
 * How a scripted callee treats a new INVITE:
 * - answer: 180, then 200 after `afterMs`;
 * - ring: 180, then waits for the CANCEL (200, 487);
 * - reject: the status at once (with extra headers, e.g. Retry-After);
 * - silent: never answers (a dead gateway);
 * - answerOnCancel: 180; when the CANCEL comes, 200 for it and then 200 for the INVITE,
 *   as if the callee's answer crossed the CANCEL.
 */
export type UasBehaviour =
  | { readonly kind: 'answer'; readonly afterMs: number }
  | { readonly kind: 'ring' }
  | { readonly kind: 'reject'; readonly status: number; readonly headers?: ReadonlyArray<readonly [string, string]> }
  | { readonly kind: 'silent' }
  | { readonly kind: 'answerOnCancel' };

/**
 * A UDP callee on loopback whose behaviour the test picks, for the call-handling cases
 * SIPp cannot script (an answer crossing a CANCEL, a gateway that never responds) and
 * for checking the headers Switchboard sends. Answers INVITE retransmissions with its
 * last response, BYE with 200, and records every request.
 */
export class ScriptedUas {
  readonly requests: SipRequest[] = [];
  /** The SDP of its 200 OK (default SDP_B): e.g. an RtpEndpoint's, for media tests. */
  sdp = SDP_B;
  /** Responses to requests the test sent from this socket (REGISTER). */
  readonly responses: SipResponse[] = [];
  private readonly last = new Map<string, Buffer>();

  private constructor(
    private readonly socket: Socket,
    public behaviour: UasBehaviour,
  ) {
    socket.on('message', (bytes, rinfo) => {
      const r = parseMessage(bytes);
      if (!r.ok) return;
      if (!r.message.isRequest) {
        this.responses.push(r.message as SipResponse);
        return;
      }
      this.onRequest(r.message as SipRequest, rinfo.port, rinfo.address);
    });
  }

  static async start(behaviour: UasBehaviour): Promise<ScriptedUas> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    return new ScriptedUas(socket, behaviour);
  }

  get port(): number {
    return this.socket.address().port;
  }

  get uri(): string {
    return `sip:callee@127.0.0.1:${this.port}`;
  }

  /** New INVITEs received (retransmissions not counted). */
  invites(): SipRequest[] {
    const seen = new Set<string>();
    return this.requests.filter((r) => r.method === 'INVITE' && r.toTag === undefined && !seen.has(r.callId) && (seen.add(r.callId), true));
  }

  methods(callId?: string): string[] {
    return this.requests.filter((r) => callId === undefined || r.callId === callId).map((r) => r.method);
  }

  /** Sends a request of the test's own (e.g. REGISTER) from this socket. */
  sendRequest(text: string, port: number): void {
    this.socket.send(text, port, '127.0.0.1');
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private send(res: Buffer, port: number, address: string, callId?: string): void {
    if (callId !== undefined) this.last.set(callId, res);
    this.socket.send(res, port, address);
  }

  private onRequest(req: SipRequest, port: number, address: string): void {
    this.requests.push(req);
    const tag = `t${req.callId.length}x${this.port}`;
    const contact: Array<[string, string]> = [['Contact', `<sip:callee@127.0.0.1:${this.port}>`]];
    const ok = (): Buffer => {
      const res = createResponse(req, 200, { toTag: tag, headers: [...contact, ['Content-Type', 'application/sdp']] });
      res.body = Buffer.from(this.sdp);
      return res.toBuffer();
    };
    if (req.method === 'ACK') return;
    if (req.method === 'INVITE' && req.toTag === undefined) {
      const previous = this.last.get(req.callId);
      if (previous !== undefined) return this.send(previous, port, address);
      const b = this.behaviour;
      if (b.kind === 'silent') return;
      if (b.kind === 'reject') return this.send(createResponse(req, b.status, { toTag: tag, headers: b.headers ?? [] }).toBuffer(), port, address, req.callId);
      this.send(createResponse(req, 180, { toTag: tag, headers: contact }).toBuffer(), port, address, req.callId);
      if (b.kind === 'answer') {
        setTimeout(() => {
          if (this.last.get(req.callId)?.toString().startsWith('SIP/2.0 180')) this.send(ok(), port, address, req.callId);
        }, b.afterMs);
      }
      this.pending.set(req.callId, { invite: req, ok });
      return;
    }
    if (req.method === 'CANCEL') {
      this.send(createResponse(req, 200, { toTag: tag }).toBuffer(), port, address);
      const p = this.pending.get(req.callId);
      if (p === undefined) return;
      const final = this.behaviour.kind === 'answerOnCancel' ? p.ok() : createResponse(p.invite, 487, { toTag: tag }).toBuffer();
      return this.send(final, port, address, req.callId);
    }
    if (req.method === 'INVITE') {
      // A re-INVITE's 200 carries the answer.
      const res = createResponse(req, 200, { toTag: tag, headers: [...contact, ['Content-Type', 'application/sdp']] });
      res.body = Buffer.from(this.sdp);
      return this.send(res.toBuffer(), port, address);
    }
    this.send(createResponse(req, 200, { toTag: tag }).toBuffer(), port, address);
  }

  private readonly pending = new Map<string, { invite: SipRequest; ok: () => Buffer }>();
}
