import type { SipRequest, SipResponse } from '../message/index.js';
import type { Destination, MessageSource } from '../transport/index.js';
import { ClientTx, type ClientHost } from './client-transaction.js';
import { clientKey, responseKey, serverKey } from './matching.js';
import { ServerTx, type ServerHost } from './server-transaction.js';
import { StateCounts } from './state-counts.js';
import { Deadlines } from './deadlines.js';
import { SharedDestinations } from './shared-destinations.js';
import { CLIENT_SIDE, LINGER_ANSWER, LINGER_REACK, LingerTable, SERVER_SIDE, type LingerKind } from './linger-table.js';
import {
  DEFAULT_TIMERS,
  type ClientHandler,
  type ClientTransaction,
  type KeptAck,
  type ServerEndReason,
  type TransactionLayerConfig,
  type TransactionSender,
  type TransactionStats,
  type TransactionTimers,
  type TransactionUser,
  type ResponseRouter,
} from './types.js';

/**
 * RFC 3261 §17 transactions for the engine: matches every request and response to its
 * transaction with one Map lookup, runs the timers, absorbs retransmissions, ACKs
 * non-2xx finals, and hands the rest to the transaction user (docs/engine-transactions.md).
 *
 * @example
 *   const layer = new TransactionLayer({ sender: transports, responseRouter, user, timers: { t1: 500 } });
 *   layer.receiveRequest(req, source);              // → user.onRequest(tx, req, source)
 *   const tx = layer.request(invite, dest, handler); // → handler.onResponse(tx, res, source)
 */
export class TransactionLayer implements ServerHost, ClientHost {
  readonly timers: TransactionTimers;
  readonly counts = new StateCounts();
  readonly deadlines = new Deadlines();
  /** One object per UDP peer for every destination a transaction keeps (the core shares its in-dialog ones here too). */
  readonly destinations = new SharedDestinations();
  /** Finished transactions that only absorb or answer copies until Timer J/K/L/M, outside the heap. */
  readonly lingering = new LingerTable();
  private readonly server = new Map<string, ServerTx>();
  private readonly client = new Map<string, ClientTx>();
  private readonly sender: TransactionSender;
  private readonly responseRouter: ResponseRouter;
  private readonly user: TransactionUser;
  private closed = false;

  constructor(config: TransactionLayerConfig) {
    this.timers = Object.freeze({ ...DEFAULT_TIMERS, ...config.timers });
    this.sender = config.sender;
    this.responseRouter = config.responseRouter;
    this.user = config.user;
  }

  receiveRequest(req: SipRequest, source: MessageSource): void {
    if (this.closed) return;
    const method = req.method;
    const key = serverKey(req);
    if (key === undefined) return;
    const existing = this.server.get(key);
    if (method === 'ACK') {
      if (existing !== undefined && existing.isInvite && existing.ack()) return;
      this.user.onAck(req, source);
      return;
    }
    if (existing !== undefined) {
      existing.retransmission(req, source);
      return;
    }
    const late = this.lingering.find(SERVER_SIDE, key);
    if (late >= 0) {
      const bytes = this.lingering.kindAt(late) === LINGER_ANSWER ? this.lingering.bytesAt(late) : undefined;
      if (bytes !== undefined) this.sender.send(bytes, this.route(req, source));
      return;
    }
    const tx = new ServerTx(req, source, this);
    tx.key = key;
    this.server.set(key, tx);
    if (method === 'CANCEL') {
      const inviteKey = serverKey(req, 'INVITE');
      const invite = inviteKey === undefined ? undefined : this.server.get(inviteKey);
      this.user.onCancel(tx, req, invite !== undefined && invite.state !== 'terminated' ? invite : undefined, source);
      return;
    }
    this.user.onRequest(tx, req, source);
  }

  receiveResponse(res: SipResponse, source: MessageSource): void {
    if (this.closed) return;
    const key = responseKey(res);
    const tx = key === undefined ? undefined : this.client.get(key);
    if (tx !== undefined) return tx.receive(res, source);
    const late = key === undefined ? -1 : this.lingering.find(CLIENT_SIDE, key);
    if (late >= 0) return this.lateResponse(late, res, source);
    this.user.onStrayResponse(res, source);
  }

  /**
   * An answered INVITE client transaction whose dialog has ended: it only has to re-send
   * the dialog's last ACK when its 2xx comes again, and to hand a 2xx from another fork to
   * the TU, until Timer M. That moves to the linger table and the transaction ends now.
   * Does nothing unless `tx` is this layer's and still accepted.
   */
  lingerAnswered(tx: ClientTransaction, toTag: string, ack: KeptAck | undefined): void {
    if (!(tx instanceof ClientTx) || tx.state !== 'accepted' || this.client.get(tx.key) !== tx) return;
    this.lingering.add(CLIENT_SIDE, tx.key, LINGER_REACK, tx.deadlineAt, ack?.bytes, ack?.dest, toTag, ack?.cseq ?? 0);
    tx.terminate();
  }

  private lateResponse(at: number, res: SipResponse, source: MessageSource): void {
    const t = this.lingering;
    if (t.kindAt(at) !== LINGER_REACK || res.status < 200 || res.status >= 300) return;
    if (!t.tagIs(at, res.toTag)) return this.user.onLateFork?.(res, source);
    const ack = t.bytesAt(at);
    if (ack !== undefined && t.cseqAt(at) === res.cseq.seq) this.sender.send(ack, t.destinationAt(at)!);
  }

  request(request: SipRequest, destination: Destination, handler: ClientHandler): ClientTransaction {
    const branch = request.via?.branch ?? '';
    const key = clientKey(branch, request.method);
    const tx = new ClientTx(branch.length, request, this.destinations.get(destination), handler, this);
    tx.key = key;
    this.client.set(tx.key, tx);
    tx.start();
    return tx;
  }

  sendStateless(request: SipRequest, destination: Destination): void {
    this.sender.send(request.toBuffer(), destination);
  }

  stats(): TransactionStats {
    return { server: this.server.size, client: this.client.size, lingering: this.lingering.size, byState: this.counts.snapshot() };
  }

  close(): void {
    this.closed = true;
    for (const tx of [...this.server.values()]) tx.end('closed');
    for (const tx of [...this.client.values()]) tx.terminate();
    this.deadlines.close();
    this.lingering.close();
  }

  // ServerHost / ClientHost

  send(data: Buffer, dest: Destination, onError: (err: Error) => void): number {
    return this.sender.send(data, dest, onError);
  }

  route(request: SipRequest, source: MessageSource): Destination {
    return this.destinations.get(this.responseRouter(request, source));
  }

  linger(tx: ServerTx | ClientTx, kind: LingerKind, bytes: Buffer | undefined, expiresAt: number): void {
    const server = tx instanceof ServerTx;
    this.lingering.add(server ? SERVER_SIDE : CLIENT_SIDE, tx.key, kind, expiresAt, bytes);
    if (server) tx.end('completed');
    else tx.terminate();
  }

  ended(tx: ServerTx | ClientTx, reason?: ServerEndReason): void {
    if (tx instanceof ServerTx) {
      if (this.server.get(tx.key) === tx) this.server.delete(tx.key);
      this.user.onServerEnd?.(tx, reason ?? 'completed');
    } else {
      if (this.client.get(tx.key) === tx) this.client.delete(tx.key);
      tx.handler.onTerminated?.(tx);
    }
  }
}
