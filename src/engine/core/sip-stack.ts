import { createResponse, parseMessage, type SipRequest, type SipResponse } from '../message/index.js';
import {
  responseDestination,
  TransportLayer,
  type Destination,
  type Listener,
  type ListenSpec,
  type MessageSource,
  type TransportOptions,
} from '../transport/index.js';
import { TransactionLayer, type TransactionTimers, type TransactionUser } from '../transaction/index.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import { checkRequest } from './ingress.js';
import { IngressFilter, type IngressFilterOptions } from './ingress-filter.js';
import { LogLimiter } from './log-limiter.js';
import { stampVia } from './via-stamp.js';

export interface SipStackConfig {
  /** Listen specs, e.g. `udp:127.0.0.1:5060`. */
  readonly listen: ReadonlyArray<ListenSpec | string>;
  readonly transport?: Partial<TransportOptions>;
  readonly timers?: Partial<TransactionTimers>;
  readonly logger?: Logger;
  /** Scanners and blocked sources, turned away before any transaction exists. */
  readonly ingress?: IngressFilterOptions;
}

export interface SipStackStats {
  readonly transactions: number;
  readonly serverTransactions: number;
  readonly clientTransactions: number;
  /** Finished transactions kept outside the heap until Timer J/K/L/M: they only absorb or answer copies. */
  readonly lingeringTransactions: number;
  /** Live transactions by kind and state, e.g. `server:invite:accepted`. */
  readonly transactionsByState: Readonly<Record<string, number>>;
  readonly connections: number;
  /** Messages refused before reaching a transaction (400, 505, 501, 416, 420, 513, drops). */
  readonly rejected: number;
  /** Requests from scanners and blocked sources, turned away before any transaction. */
  readonly filtered: number;
}

/**
 * The SIP stack below the application logic: transports, the codec, the stateless
 * checks every request passes (RFC 3261 §8.2, §18.2.1) and the transaction layer.
 * Whatever survives reaches the transaction user (the drachtio core).
 *
 * Per message: one parse, at most one Via rewrite, O(1) lookups; bad input costs a
 * rate-limited log line and never creates state.
 *
 * @example
 *   const stack = await SipStack.start({ listen: ['udp:127.0.0.1:5060'] }, user);
 *   stack.transactions.request(invite, dest, handler);
 *   await stack.close();
 */
export class SipStack {
  private rejected = 0;
  private readonly warnBad: LogLimiter;

  private constructor(
    readonly transports: TransportLayer,
    readonly transactions: TransactionLayer,
    logger: Logger,
    /** Scanners and blocked sources; `block()` is the engine's `blockSource`. */
    readonly filter: IngressFilter,
  ) {
    this.warnBad = new LogLimiter(logger, 20);
  }

  static async start(config: SipStackConfig, user: TransactionUser): Promise<SipStack> {
    const logger = (config.logger ?? silentLogger).child({ module: 'sip' });
    // The transport handlers need the stack, and the stack needs the started transports.
    let stack: SipStack | undefined;
    const transports = await TransportLayer.start({
      listen: config.listen,
      options: config.transport,
      logger,
      handlers: {
        onMessage: (data, source) => stack?.receive(data, source),
        onOversize: (data, source) => stack?.oversize(data, source),
        onFramingError: (detail, source) => stack?.warnBad.warn({ source: describe(source), detail }, 'SIP stream framing error; connection closed'),
      },
    });
    const transactions = new TransactionLayer({
      sender: transports,
      responseRouter: (request, source) => responseDestination(request.via!, source),
      user,
      timers: config.timers,
    });
    stack = new SipStack(transports, transactions, logger, new IngressFilter(config.ingress));
    return stack;
  }

  get listeners(): ReadonlyArray<Listener> {
    return this.transports.listeners;
  }

  /** Answers a request without a transaction (errors, and ACK-less cases such as 100 to a retransmission). */
  respondStatelessly(req: SipRequest, source: MessageSource, response: SipResponse): void {
    const via = req.via;
    if (via === null) return;
    this.transports.send(response.toBuffer(), responseDestination(via, source));
  }

  /** Sends a request with no transaction (ACK for a 2xx). */
  sendStateless(req: SipRequest, dest: Destination): number {
    return this.transports.send(req.toBuffer(), dest);
  }

  stats(): SipStackStats {
    const t = this.transactions.stats();
    return {
      transactions: t.server + t.client,
      serverTransactions: t.server,
      clientTransactions: t.client,
      lingeringTransactions: t.lingering,
      transactionsByState: t.byState,
      connections: this.transports.stats().connections,
      rejected: this.rejected,
      filtered: this.filter.dropped,
    };
  }

  async close(): Promise<void> {
    this.transactions.close();
    await this.transports.close();
  }

  private receive(data: Buffer, source: MessageSource): void {
    const parsed = parseMessage(data, { stream: source.connectionId !== undefined });
    if (!parsed.ok) {
      const { reason, status, partial } = parsed.failure;
      this.rejected++;
      this.warnBad.warn({ source: describe(source), reason, status }, 'malformed SIP message');
      if (status !== undefined && partial !== undefined && partial.method !== 'ACK') {
        stampVia(partial, source);
        this.respondStatelessly(partial, source, createResponse(partial, status, { reason: badRequestReason(status, reason) }));
      }
      return;
    }
    const msg = parsed.message;
    if (!msg.isRequest) {
      this.transactions.receiveResponse(msg as SipResponse, source);
      return;
    }
    const req = msg as SipRequest;
    const verdict = this.filter.check(req, source.address);
    if (verdict === 'drop') return;
    stampVia(req, source);
    if (verdict === 'reject' && req.method !== 'ACK') {
      this.respondStatelessly(req, source, createResponse(req, 403, { reason: 'Forbidden' }));
      return;
    }
    const rejection = checkRequest(req);
    if (rejection !== undefined) {
      this.rejected++;
      this.respondStatelessly(req, source, createResponse(req, rejection.status, { reason: rejection.reason, headers: rejection.headers }));
      return;
    }
    this.transactions.receiveRequest(req, source);
  }

  /** RFC 3261 §21.5.14: 513 when the datagram can still be read well enough to answer. */
  private oversize(data: Buffer, source: MessageSource): void {
    this.rejected++;
    this.warnBad.warn({ source: describe(source), bytes: data.length }, 'SIP message too large');
    if (source.connectionId !== undefined) return;
    const parsed = parseMessage(data);
    const req = parsed.ok ? (parsed.message.isRequest ? (parsed.message as SipRequest) : undefined) : parsed.failure.partial;
    if (req === undefined || req.method === 'ACK') return;
    stampVia(req, source);
    this.respondStatelessly(req, source, createResponse(req, 513));
  }
}

/** A reason phrase that tells the sender what was wrong, kept to one short line. */
function badRequestReason(status: number, reason: string): string | undefined {
  if (status !== 400) return undefined;
  const clean = reason.replace(/[^\x20-\x7e]/g, '?');
  return `Bad Request (${clean.length > 80 ? clean.slice(0, 80) : clean})`;
}

function describe(source: MessageSource): string {
  return `${source.transport}:${source.address}:${source.port}`;
}
