import { parseMessage, createResponse, type SipRequest, type SipResponse } from '../../../src/engine/message/index.js';
import {
  TransactionLayer,
  type ClientHandler,
  type ClientTransaction,
  type ServerEndReason,
  type ServerTransaction,
  type TransactionUser,
} from '../../../src/engine/transaction/index.js';
import type { Destination, MessageSource } from '../../../src/engine/transport/index.js';

/** One send the layer made. */
export interface Sent {
  readonly text: string;
  readonly dest: Destination;
  readonly at: number;
}

export const UDP_SOURCE: MessageSource = {
  transport: 'udp',
  address: '127.0.0.1',
  port: 5061,
  family: 4,
  localAddress: '127.0.0.1',
  localPort: 5060,
  connectionId: undefined,
};

export const TCP_SOURCE: MessageSource = { ...UDP_SOURCE, transport: 'tcp', connectionId: 7 };

export const UDP_DEST: Destination = { transport: 'udp', address: '127.0.0.1', port: 5062 };
export const TCP_DEST: Destination = { transport: 'tcp', address: '127.0.0.1', port: 5062 };

/**
 * A TransactionLayer with a recording sender and a recording TU, for fake-timer tests.
 * T1 = 500 ms, T2 = 4 s, T4 = 5 s (the defaults) unless given.
 */
export class Harness implements TransactionUser, ClientHandler {
  readonly sent: Sent[] = [];
  readonly requests: Array<{ tx: ServerTransaction; req: SipRequest }> = [];
  readonly acks: SipRequest[] = [];
  readonly cancels: Array<{ tx: ServerTransaction; invite: ServerTransaction | undefined }> = [];
  readonly strays: SipResponse[] = [];
  readonly lateForks: SipResponse[] = [];
  readonly serverEnds: Array<{ tx: ServerTransaction; reason: ServerEndReason }> = [];
  readonly responses: Array<{ tx: ClientTransaction; status: number }> = [];
  readonly timeouts: ClientTransaction[] = [];
  readonly transportErrors: ClientTransaction[] = [];
  readonly terminated: ClientTransaction[] = [];
  readonly layer: TransactionLayer;
  /** When set, every send fails asynchronously with this error. */
  failSends: Error | undefined;
  private readonly start = Date.now();

  constructor(timers: { t1?: number; t2?: number; t4?: number } = {}) {
    this.layer = new TransactionLayer({
      sender: {
        send: (data, dest, onError) => {
          this.sent.push({ text: data.toString('utf8'), dest, at: Date.now() - this.start });
          const err = this.failSends;
          if (err !== undefined && onError !== undefined) queueMicrotask(() => onError(err, dest));
          return dest.transport === 'tcp' ? 7 : 0;
        },
      },
      responseRouter: (_req, source) => ({ transport: source.transport, address: source.address, port: source.port, connectionId: source.connectionId }),
      user: this,
      timers,
    });
  }

  onRequest(tx: ServerTransaction, req: SipRequest): void {
    this.requests.push({ tx, req });
  }
  onCancel(tx: ServerTransaction, _cancel: SipRequest, invite: ServerTransaction | undefined): void {
    this.cancels.push({ tx, invite });
  }
  onAck(ack: SipRequest): void {
    this.acks.push(ack);
  }
  onStrayResponse(res: SipResponse): void {
    this.strays.push(res);
  }
  onLateFork(res: SipResponse): void {
    this.lateForks.push(res);
  }
  onServerEnd(tx: ServerTransaction, reason: ServerEndReason): void {
    this.serverEnds.push({ tx, reason });
  }
  onResponse(tx: ClientTransaction, res: SipResponse): void {
    this.responses.push({ tx, status: res.status });
  }
  onTimeout(tx: ClientTransaction): void {
    this.timeouts.push(tx);
  }
  onTransportError(tx: ClientTransaction): void {
    this.transportErrors.push(tx);
  }
  onTerminated(tx: ClientTransaction): void {
    this.terminated.push(tx);
  }

  /** Start lines of everything sent, in order. */
  startLines(): string[] {
    return this.sent.map((s) => s.text.slice(0, s.text.indexOf('\r\n')));
  }

  /** Send times (ms since the harness started) of messages whose start line begins with `prefix`. */
  timesOf(prefix: string): number[] {
    return this.sent.filter((s) => s.text.startsWith(prefix)).map((s) => s.at);
  }

  respond(tx: ServerTransaction, status: number, toTag = 'srv1'): void {
    tx.respond(createResponse(tx.request, status, { toTag }));
  }
}

/** A request from text with `\n` line ends. */
export function request(
  method: string,
  opts: { branch?: string; callId?: string; cseq?: number; cseqMethod?: string; toTag?: string; viaHost?: string } = {},
): SipRequest {
  const branch = opts.branch ?? 'z9hG4bK-test-1';
  const text =
    `${method} sip:bob@127.0.0.1 SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP ${opts.viaHost ?? '127.0.0.1:5061'};branch=${branch}\r\n` +
    `Max-Forwards: 70\r\n` +
    `From: <sip:alice@127.0.0.1>;tag=a1\r\n` +
    `To: <sip:bob@127.0.0.1>${opts.toTag ? `;tag=${opts.toTag}` : ''}\r\n` +
    `Call-ID: ${opts.callId ?? 'call-1'}\r\n` +
    `CSeq: ${opts.cseq ?? 1} ${opts.cseqMethod ?? method}\r\n` +
    `Content-Length: 0\r\n\r\n`;
  const r = parseMessage(Buffer.from(text));
  if (!r.ok || !r.message.isRequest) throw new Error(`bad test request: ${r.ok ? 'response' : r.failure.reason}`);
  return r.message as SipRequest;
}

/** A response to `req` with a given status, as a peer would send it. */
export function responseTo(req: SipRequest, status: number, toTag = 'peer1'): SipResponse {
  const res = createResponse(req, status, { toTag });
  const r = parseMessage(res.toBuffer());
  if (!r.ok || r.message.isRequest) throw new Error('bad test response');
  return r.message as SipResponse;
}
