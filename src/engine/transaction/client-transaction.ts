import { createNon2xxAck, type SipRequest, type SipResponse } from '../message/index.js';
import { reparse } from './reparse.js';
import { WithDeadline, type Deadlines } from './deadlines.js';
import type { StateCounts, TransactionKind } from './state-counts.js';
import { RELIABLE, type Destination, type MessageSource } from '../transport/index.js';
import { LINGER_ABSORB, type LingerKind } from './linger-table.js';
import type { ClientHandler, ClientState, ClientTransaction, TransactionTimers } from './types.js';

/** Timer C: longest wait for a final response after a provisional one (RFC 3261 §16.6: more than 3 minutes). */
export const TIMER_C_MS = 185_000;

/** What a client transaction needs from its layer. */
export interface ClientHost {
  readonly timers: TransactionTimers;
  readonly counts: StateCounts;
  readonly deadlines: Deadlines;
  send(data: Buffer, dest: Destination, onError: (err: Error) => void): number;
  ended(tx: ClientTx): void;
  /** Keeps what the transaction still does until its deadline outside the heap; the transaction then ends. */
  linger(tx: ClientTx, kind: LingerKind, bytes: Buffer | undefined, expiresAt: number): void;
}

/**
 * The INVITE and non-INVITE client transactions (RFC 3261 §17.1.1, §17.1.2, RFC 6026).
 *
 * INVITE (reliable transports: no A; D = 0):
 * | state      | event          | action                                       | next       |
 * | ---------- | -------------- | -------------------------------------------- | ---------- |
 * | calling    | Timer A        | re-send, double A                            | calling    |
 * | calling    | Timer B        | TU onTimeout                                 | terminated |
 * | calling    | 1xx            | stop A, B; C = 185 s; TU                     | proceeding |
 * | proceeding | 1xx            | re-arm C; TU                                 | proceeding |
 * | proceeding | Timer C        | TU onTimeout                                 | terminated |
 * | calling/proceeding | 2xx    | TU; M = 64·T1                                | accepted   |
 * | accepted   | 2xx            | TU (retransmission or another fork)          | accepted   |
 * | accepted   | Timer M        | —                                            | terminated |
 * | calling/proceeding | 3xx–6xx| ACK; TU; D = 32 s                            | completed  |
 * | completed  | 3xx–6xx        | re-send ACK (absorbed)                       | completed  |
 * | completed  | Timer D        | —                                            | terminated |
 *
 * non-INVITE (reliable transports: no E; K = 0):
 * | state      | event          | action                                       | next       |
 * | ---------- | -------------- | -------------------------------------------- | ---------- |
 * | trying     | Timer E        | re-send, E = min(2E, T2)                     | trying     |
 * | trying     | 1xx            | TU                                           | proceeding |
 * | proceeding | Timer E        | re-send, E = T2                              | proceeding |
 * | trying/proceeding | Timer F | TU onTimeout                                 | terminated |
 * | trying/proceeding | final   | TU; K = T4                                   | completed  |
 * | completed  | any response   | absorb                                       | completed  |
 * | completed  | Timer K        | —                                            | terminated |
 *
 * A send failure reports onTransportError and terminates.
 *
 * Moved to the layer's linger table (and terminated as an object): a UDP non-INVITE once
 * its final arrived (it absorbs until Timer K there), and an INVITE in Accepted once the
 * TU ends its dialog (TransactionLayer.lingerAnswered: the same 2xx gets the kept ACK,
 * another fork's 2xx goes to the TU's onLateFork, until Timer M).
 */
export class ClientTx extends WithDeadline implements ClientTransaction {
  readonly method: string;
  readonly reliable: boolean;
  private st: ClientState | undefined;
  private readonly kind: TransactionKind;
  provisionalReceived = false;
  finalStatus = 0;
  context: unknown = undefined;
  key = '';
  destination: Destination;
  private readonly bytes: Buffer;
  private ackBytes: Buffer | undefined;
  private retransmitTimer: NodeJS.Timeout | undefined;
  private interval: number;
  private sendErrorHandler: ((err: Error) => void) | undefined;

  /** The parsed request until a final response; afterwards parsed again from `bytes` if read (a late CANCEL). */
  private req: SipRequest | undefined;

  constructor(
    /** Length of the branch at the start of the key: the id is sliced from the key only when read. */
    private readonly idLength: number,
    request: SipRequest,
    destination: Destination,
    readonly handler: ClientHandler,
    private readonly host: ClientHost,
  ) {
    super();
    this.req = request;
    this.method = request.method;
    this.destination = destination;
    this.reliable = RELIABLE[destination.transport];
    this.kind = this.method === 'INVITE' ? 'client:invite' : 'client:non-invite';
    this.state = this.method === 'INVITE' ? 'calling' : 'trying';
    this.bytes = request.toBuffer();
    this.interval = host.timers.t1;
  }

  /** The branch; made when read, so a lingering transaction holds no string for it. */
  get id(): string {
    return this.key.slice(0, this.idLength);
  }

  get state(): ClientState {
    return this.st!;
  }

  private set state(next: ClientState) {
    this.host.counts.move(this.kind, this.st, next);
    this.st = next;
  }

  get request(): SipRequest {
    return (this.req ??= reparse(this.bytes) as SipRequest);
  }

  /** Sends the request and arms the timers; called once by the layer after the tables know the transaction. */
  start(): void {
    this.send(this.bytes);
    if (this.state === 'terminated') return;
    const t1 = this.host.timers.t1;
    if (!this.reliable) this.retransmitTimer = setTimeout(retransmitClient, t1, this);
    this.armDeadline(64 * t1);
  }

  /** Timer B, C or F: no final response in time; D, K or M: the end of the absorbing window. */
  onDeadline(seq: number): void {
    if (!this.deadlineIsCurrent(seq)) return;
    const state = this.state;
    if (state === 'terminated') return;
    this.terminate();
    if (state === 'calling' || state === 'trying' || state === 'proceeding') this.handler.onTimeout(this);
  }

  protected get deadlines(): Deadlines {
    return this.host.deadlines;
  }

  protected get ended(): boolean {
    return this.state === 'terminated';
  }

  receive(res: SipResponse, source: MessageSource): void {
    const status = res.status;
    const state = this.state;
    if (state === 'terminated') return;
    if (status < 200) {
      if (state === 'completed' || state === 'accepted') return;
      this.provisionalReceived = true;
      if (this.method === 'INVITE') {
        // Timer B gives way to Timer C (RFC 3261 §16.6 item 11, as drachtio-server runs it):
        // a callee that rings for ever still ends the transaction, re-armed by each 1xx.
        this.stopRetransmit();
        this.armDeadline(TIMER_C_MS);
      }
      this.state = 'proceeding';
      this.handler.onResponse(this, res, source);
      return;
    }
    if (this.method === 'INVITE') return this.inviteFinal(res, source);
    if (state === 'completed') return;
    this.finalStatus = status;
    this.state = 'completed';
    this.stopRetransmit();
    this.cancelDeadline();
    this.handler.onResponse(this, res, source);
    this.settle();
    if (this.state !== 'completed') return;
    if (this.reliable) return this.terminate();
    // Timer K only swallows copies of the final: that needs no object on the heap (nor an armed deadline).
    this.host.linger(this, LINGER_ABSORB, undefined, this.host.deadlines.at(this.host.timers.t4));
  }

  private inviteFinal(res: SipResponse, source: MessageSource): void {
    const status = res.status;
    const state = this.state;
    if (status < 300) {
      if (state === 'completed') return;
      if (state !== 'accepted') {
        this.finalStatus = status;
        this.state = 'accepted';
        this.stopRetransmit();
        this.armDeadline(64 * this.host.timers.t1);
      }
      this.handler.onResponse(this, res, source);
      this.settle();
      return;
    }
    if (state === 'accepted') return;
    if (state === 'completed') {
      this.send(this.ackBytes!);
      return;
    }
    this.finalStatus = status;
    this.state = 'completed';
    this.stopRetransmit();
    this.cancelDeadline();
    this.ackBytes = createNon2xxAck(this.request, res).toBuffer();
    this.send(this.ackBytes);
    this.handler.onResponse(this, res, source);
    this.settle();
    if (this.state !== 'completed') return;
    if (this.reliable) this.terminate();
    else this.armDeadline(32_000);
  }

  /** A final response passed: only bytes stay for the absorbing window. */
  private settle(): void {
    this.req = undefined;
    this.sendErrorHandler = undefined;
  }

  /** Leaves the tables without telling the handler anything but onTerminated; idempotent. */
  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.stopRetransmit();
    this.cancelDeadline();
    this.sendErrorHandler = undefined;
    this.host.ended(this);
  }

  private send(bytes: Buffer): void {
    // Made per transaction only when it sends, and dropped after the final response.
    this.sendErrorHandler ??= (err: Error): void => {
      if (this.state === 'terminated') return;
      this.terminate();
      this.handler.onTransportError(this, err);
    };
    const connectionId = this.host.send(bytes, this.destination, this.sendErrorHandler);
    if (connectionId > 0 && this.destination.connectionId !== connectionId) this.destination = { ...this.destination, connectionId };
  }

  /** Timer A or E: `this` is passed to a shared function, so no closure per transaction. */
  retransmitTick(): void {
    this.retransmitTimer = undefined;
    const state = this.state;
    if (state !== 'calling' && state !== 'trying' && state !== 'proceeding') return;
    if (this.method === 'INVITE' && state !== 'calling') return;
    this.send(this.bytes);
    // Timer A doubles without bound (it ends with B); Timer E is capped at T2, and is T2 once a 1xx arrived.
    const t2 = this.host.timers.t2;
    this.interval = this.method === 'INVITE' ? 2 * this.interval : state === 'proceeding' ? t2 : Math.min(2 * this.interval, t2);
    this.retransmitTimer = setTimeout(retransmitClient, this.interval, this);
  }

  private stopRetransmit(): void {
    if (this.retransmitTimer !== undefined) clearTimeout(this.retransmitTimer);
    this.retransmitTimer = undefined;
  }
}

function retransmitClient(tx: ClientTx): void {
  tx.retransmitTick();
}
