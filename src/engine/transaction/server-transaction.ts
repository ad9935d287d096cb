import type { SipRequest, SipResponse } from '../message/index.js';
import { reparse } from './reparse.js';
import { WithDeadline, type Deadlines } from './deadlines.js';
import type { StateCounts, TransactionKind } from './state-counts.js';
import { RELIABLE, type Destination, type MessageSource } from '../transport/index.js';
import { SwitchboardError } from '../../util/errors.js';
import { LINGER_ABSORB, LINGER_ANSWER, type LingerKind } from './linger-table.js';
import type { ServerEndReason, ServerState, ServerTransaction, TransactionTimers } from './types.js';

/** What a server transaction needs from its layer. */
export interface ServerHost {
  readonly timers: TransactionTimers;
  readonly counts: StateCounts;
  readonly deadlines: Deadlines;
  send(data: Buffer, dest: Destination, onError: (err: Error) => void): number;
  route(request: SipRequest, source: MessageSource): Destination;
  ended(tx: ServerTx, reason: ServerEndReason): void;
  /** Keeps what the transaction still does until its deadline outside the heap; the transaction then ends. */
  linger(tx: ServerTx, kind: LingerKind, bytes: Buffer | undefined, expiresAt: number): void;
}

let serverCounter = 0;

/**
 * The INVITE and non-INVITE server transactions (RFC 3261 §17.2.1, §17.2.2, RFC 6026).
 *
 * INVITE (reliable transports: no G; I = 0):
 * | state      | event                       | action                                 | next       |
 * | ---------- | --------------------------- | -------------------------------------- | ---------- |
 * | proceeding | request retransmission      | re-send last 1xx                       | proceeding |
 * | proceeding | TU 1xx                      | send                                   | proceeding |
 * | proceeding | TU 2xx                      | send; 2xx retransmit at T1…T2; L=64·T1 | accepted   |
 * | proceeding | TU 3xx–6xx                  | send; G=T1 (doubling, ≤T2); H=64·T1    | completed  |
 * | accepted   | request retransmission      | absorb                                 | accepted   |
 * | accepted   | TU 2xx                      | send (and retransmit that one)         | accepted   |
 * | accepted   | TU ackReceived()            | stop 2xx retransmission                | accepted   |
 * | accepted   | Timer L                     | end: 'completed', or 'no-ack' w/o ACK  | terminated |
 * | completed  | request retransmission      | re-send final                          | completed  |
 * | completed  | ACK                         | I=T4                                   | confirmed  |
 * | completed  | Timer G                     | re-send final, double G (≤T2)          | completed  |
 * | completed  | Timer H                     | end: 'no-ack'                          | terminated |
 * | confirmed  | ACK / retransmission        | absorb                                 | confirmed  |
 * | confirmed  | Timer I                     | end: 'completed'                       | terminated |
 *
 * non-INVITE (reliable transports: J = 0):
 * | state      | event                  | action             | next       |
 * | ---------- | ---------------------- | ------------------ | ---------- |
 * | trying     | request retransmission | absorb             | trying     |
 * | trying     | TU 1xx                 | send               | proceeding |
 * | proceeding | request retransmission | re-send last 1xx   | proceeding |
 * | trying/proceeding | TU final        | send; J=64·T1      | completed  |
 * | completed  | request retransmission | re-send final      | completed  |
 * | completed  | Timer J                | end: 'completed'   | terminated |
 *
 * Any send failure ends the transaction with 'transport-error'.
 *
 * release() moves what only absorbs or answers copies to the layer's linger table and
 * ends the object ('completed'): an INVITE in Accepted after ackReceived() (absorbs until
 * Timer L), a UDP non-INVITE in Completed (answers copies until Timer J).
 */
export class ServerTx extends WithDeadline implements ServerTransaction {
  /** Numbers the id, which is made only when read: a lingering transaction holds no string for it. */
  private readonly serial: number;
  readonly method: string;
  readonly reliable: boolean;
  private st: ServerState | undefined;
  private readonly kind: TransactionKind;
  context: unknown = undefined;
  private req: SipRequest | undefined;
  /** The request's bytes once the parsed request was released. */
  private reqBytes: Buffer | undefined;
  private lastRes: SipResponse | undefined;
  /** Status of the final response sent (0 before one). */
  finalStatus = 0;

  /** Map key, set by the layer. */
  key = '';
  private lastBytes: Buffer | undefined;
  private dest: Destination | undefined;
  private retransmitTimer: NodeJS.Timeout | undefined;
  private retransmitInterval = 0;
  private acked = false;
  private sendErrorHandler: ((err: Error) => void) | undefined;

  source: MessageSource | undefined;

  constructor(
    request: SipRequest,
    source: MessageSource,
    private readonly host: ServerHost,
  ) {
    super();
    this.req = request;
    this.source = source;
    serverCounter = (serverCounter + 1) % Number.MAX_SAFE_INTEGER;
    this.serial = serverCounter;
    this.method = request.method;
    this.reliable = RELIABLE[source.transport];
    this.kind = this.method === 'INVITE' ? 'server:invite' : 'server:non-invite';
    this.state = this.method === 'INVITE' ? 'proceeding' : 'trying';
  }

  get id(): string {
    return 's' + this.serial.toString(36);
  }

  get state(): ServerState {
    return this.st!;
  }

  private set state(next: ServerState) {
    this.host.counts.move(this.kind, this.st, next);
    this.st = next;
  }

  get isInvite(): boolean {
    return this.method === 'INVITE';
  }

  /** The request; parsed again from its bytes if it was released (rare: a late CANCEL, a proxied 2xx retransmission). */
  get request(): SipRequest {
    if (this.req === undefined && this.reqBytes === undefined) throw new SwitchboardError('SB_INTERNAL', `the request of a released ${this.method} transaction was read`);
    return (this.req ??= reparse(this.reqBytes!) as SipRequest);
  }

  /** To tag of the final response sent; undefined before one, and once an ACKed INVITE was released. */
  get finalToTag(): string | undefined {
    return this.finalStatus === 0 ? undefined : this.lastResponse?.toTag;
  }

  get lastResponse(): SipResponse | undefined {
    if (this.lastRes === undefined && this.lastBytes !== undefined) this.lastRes = reparse(this.lastBytes) as SipResponse;
    return this.lastRes;
  }

  /**
   * The TU needs nothing more than the absorbing and retransmitting this transaction does
   * by itself. What only absorbs or answers copies moves to the layer's linger table and
   * the transaction ends (an ACKed INVITE; a UDP non-INVITE with its final sent): nothing
   * of it stays on the heap through Timer J/L. Otherwise the parsed request and response
   * and the TU's context go, and bytes stay. See ServerTransaction.release.
   */
  release(): void {
    const req = this.req;
    this.req = undefined;
    this.lastRes = undefined;
    this.context = undefined;
    this.sendErrorHandler = undefined;
    if (this.isInvite && this.acked && this.state === 'accepted') {
      this.source = undefined;
      this.dest = undefined;
      this.lastBytes = undefined;
      this.host.linger(this, LINGER_ABSORB, undefined, this.deadlineAt);
    } else if (this.isInvite && this.state === 'confirmed') {
      // Only absorbing ACKs for Timer I (T4) is left: nothing to answer, nowhere to send.
      this.reqBytes = undefined;
      this.source = undefined;
      this.lastBytes = undefined;
      this.dest = undefined;
    } else if (!this.reliable && !this.isInvite && this.state === 'completed') {
      // A copy of the request is answered where the copy came from (retransmission()).
      this.source = undefined;
      this.dest = undefined;
      this.host.linger(this, LINGER_ANSWER, this.lastBytes, this.deadlineAt);
    } else if (req !== undefined) {
      // Kept for `request` (a late CANCEL of an INVITE, a proxy's upstream copies).
      this.reqBytes = req._raw ?? req.toBuffer();
    }
  }

  respond(response: SipResponse): void {
    const status = response.status;
    const state = this.state;
    if (state === 'terminated') throw illegal(this, status, 'the transaction has ended');
    if (status < 200) {
      if (state !== 'trying' && state !== 'proceeding') throw illegal(this, status, 'a final response was already sent');
      this.transmit(response);
      this.state = 'proceeding';
      return;
    }
    if (status < 300 && this.isInvite) {
      if (state !== 'proceeding' && state !== 'accepted') throw illegal(this, status, 'a non-2xx final response was already sent');
      this.transmit(response);
      if (state === 'proceeding') {
        this.state = 'accepted';
        this.armDeadline(64 * this.host.timers.t1);
      }
      if (!this.reliable && !this.acked) this.startRetransmit();
      return;
    }
    if (state !== 'trying' && state !== 'proceeding') throw illegal(this, status, 'a final response was already sent');
    this.transmit(response);
    this.state = 'completed';
    const t1 = this.host.timers.t1;
    if (this.isInvite) {
      if (!this.reliable) this.startRetransmit();
      this.armDeadline(64 * t1);
    } else if (this.reliable) this.end('completed');
    else this.armDeadline(64 * t1);
  }

  /** Timer L (accepted), H (completed INVITE), J (completed non-INVITE) or I (confirmed). */
  onDeadline(seq: number): void {
    if (!this.deadlineIsCurrent(seq)) return;
    const state = this.state;
    if (state === 'accepted') this.end(this.acked ? 'completed' : 'no-ack');
    else if (state === 'completed') this.end(this.isInvite ? 'no-ack' : 'completed');
    else if (state === 'confirmed') this.end('completed');
  }

  protected get deadlines(): Deadlines {
    return this.host.deadlines;
  }

  protected get ended(): boolean {
    return this.state === 'terminated';
  }

  ackReceived(): void {
    this.acked = true;
    this.stopRetransmit();
  }

  /**
   * The request arrived again (same key): the last response goes back the way this copy
   * came, routed by the copy itself (the same request). So a copy over a new TCP
   * connection, over TCP after UDP or from a NAT's new port (rport) is answered there,
   * and a released transaction needs neither the request nor its first source for it.
   * Copies are rare; a UDP route is a shared object.
   */
  retransmission(copy: SipRequest, source: MessageSource): void {
    if (this.lastBytes === undefined || this.state === 'accepted' || this.state === 'confirmed') return;
    this.dest = this.host.route(copy, source);
    this.resend();
  }

  /** An ACK matched this INVITE transaction (ACK for a non-2xx final). Returns false when the TU must see it. */
  ack(): boolean {
    if (this.state === 'accepted') return false;
    if (this.state !== 'completed') return true;
    this.state = 'confirmed';
    this.stopRetransmit();
    this.cancelDeadline();
    if (this.reliable) this.end('completed');
    else this.armDeadline(this.host.timers.t4);
    return true;
  }

  /** Leaves the tables; idempotent. */
  end(reason: ServerEndReason): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.stopRetransmit();
    this.cancelDeadline();
    this.sendErrorHandler = undefined;
    this.host.ended(this, reason);
  }

  private transmit(response: SipResponse): void {
    this.lastRes = response;
    if (response.status >= 200) this.finalStatus = response.status;
    this.lastBytes = response.toBuffer();
    this.dest ??= this.host.route(this.request, this.source!);
    this.resend();
  }

  private resend(): void {
    // Made per transaction only when it sends, and dropped on release().
    this.sendErrorHandler ??= (): void => this.end('transport-error');
    const connectionId = this.host.send(this.lastBytes!, this.dest!, this.sendErrorHandler);
    // Later copies go over the same connection while it is open.
    if (connectionId > 0 && this.dest!.connectionId !== connectionId) this.dest = { ...this.dest!, connectionId };
  }

  private startRetransmit(): void {
    this.stopRetransmit();
    this.retransmitInterval = this.host.timers.t1;
    this.retransmitTimer = setTimeout(retransmitServer, this.retransmitInterval, this);
  }

  /** Timer G, or the 2xx retransmission: `this` is passed to a shared function, so no closure per transaction. */
  retransmitTick(): void {
    this.retransmitTimer = undefined;
    if (this.state !== 'completed' && this.state !== 'accepted') return;
    this.resend();
    this.retransmitInterval = Math.min(2 * this.retransmitInterval, this.host.timers.t2);
    this.retransmitTimer = setTimeout(retransmitServer, this.retransmitInterval, this);
  }

  private stopRetransmit(): void {
    if (this.retransmitTimer !== undefined) clearTimeout(this.retransmitTimer);
    this.retransmitTimer = undefined;
  }
}

function retransmitServer(tx: ServerTx): void {
  tx.retransmitTick();
}

function illegal(tx: ServerTx, status: number, why: string): SwitchboardError {
  return new SwitchboardError('SB_TRANSACTION_STATE', `cannot send ${status} on ${tx.method} server transaction in state ${tx.state}: ${why}`);
}
