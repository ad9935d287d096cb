/**
 * Types of the transaction layer (RFC 3261 §17 with RFC 6026): what it needs from the
 * transports, what it gives the transaction user, and the transactions themselves.
 */
import type { SipRequest, SipResponse } from '../message/index.js';
import type { Destination, MessageSource } from '../transport/index.js';

export interface TransactionTimers {
  /** RTT estimate, default 500 ms. */
  readonly t1: number;
  /** Max non-INVITE request / INVITE response retransmit interval, default 4000 ms. */
  readonly t2: number;
  /** Max time a message stays in the network, default 5000 ms. */
  readonly t4: number;
}
export const DEFAULT_TIMERS: TransactionTimers = Object.freeze({ t1: 500, t2: 4000, t4: 5000 });

/**
 * What the layer needs from transports. Structurally satisfied by TransportLayer
 * (src/engine/transport): `send` returns the stream connection id used (0 for UDP);
 * a failure after return calls onError asynchronously.
 */
export interface TransactionSender {
  send(data: Buffer, dest: Destination, onError?: (err: Error, dest: Destination) => void): number;
}

/** Where a response to `request` (which arrived from `source`) goes: RFC 3261 §18.2.2. The core supplies it (it wraps transport's responseDestination). */
export type ResponseRouter = (request: SipRequest, source: MessageSource) => Destination;

export type ServerState = 'trying' | 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';
export type ClientState = 'calling' | 'trying' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

/** Why a server transaction ended; passed to TransactionUser.onServerEnd. */
export type ServerEndReason =
  | 'completed'        // normal end (Timer I/J/L, or terminated after a 2xx on non-INVITE, etc.)
  | 'no-ack'           // INVITE: Timer H fired (non-2xx never ACKed)
  | 'transport-error'  // a response could not be sent
  | 'closed';          // layer.close()

export interface ServerTransaction {
  /** Unique per live transaction, cheap to make (not a UUID); stable for its life. */
  readonly id: string;
  /** Request method (for CANCEL: 'CANCEL'). */
  readonly method: string;
  readonly request: SipRequest;
  /** Where the request came from; undefined once release() dropped it. */
  readonly source: MessageSource | undefined;
  readonly state: ServerState;
  readonly reliable: boolean;
  /** Last response sent, if any (parsed again from bytes after release(); gone once an ACKed INVITE is released). */
  readonly lastResponse: SipResponse | undefined;
  /** Status of the final response sent, 0 before one; kept through release(). */
  readonly finalStatus: number;
  /** To tag of the final response sent (undefined once an ACKed INVITE was released). */
  readonly finalToTag: string | undefined;
  /** Free slot for the TU (dialog, call, wire ids…), so the TU needs no side map. */
  context: unknown;
  /**
   * Sends a provisional or final response. Legal: 1xx while trying/proceeding (non-INVITE
   * servers go trying→proceeding on the first 1xx); one final; on INVITE after a 2xx
   * (state 'accepted') further 2xx responses are allowed (RFC 6026: forking/retransmission).
   * Illegal calls (1xx after final, a second non-2xx final, anything after terminated)
   * throw SwitchboardError('SB_TRANSACTION_STATE', …).
   * 100 Trying for INVITE is NOT sent automatically; the core sends it.
   *
   * Deliberate extension of RFC 6026 (it says the TU retransmits 2xx, RFC 3261 §13.3.1.4):
   * here the INVITE server transaction does it for the TU, to keep all SIP timers in one
   * place. After a 2xx, on unreliable transports, the LAST 2xx is retransmitted at T1, 2·T1, …
   * capped at T2, until ackReceived() is called or Timer L (64·T1) fires. If Timer L fires
   * without ackReceived(), onServerEnd(tx, 'no-ack') (the TU then sends BYE); with it,
   * onServerEnd(tx, 'completed'). On reliable transports, no retransmission, same Timer L rule.
   */
  respond(response: SipResponse): void;
  /**
   * INVITE server only, after a 2xx: the TU saw the ACK for the 2xx (matched by dialog,
   * since the ACK has a new branch). Stops 2xx retransmission; the transaction then ends
   * when Timer L fires (it keeps absorbing INVITE retransmissions until then).
   */
  ackReceived(): void;
  /**
   * The TU needs nothing more from this transaction than its own retransmission handling:
   * the parsed messages and `context` are dropped. What is left depends on what the
   * transaction still does: an INVITE waiting for the ACK of its non-2xx keeps its bytes
   * (`request`, `lastResponse` parsed again if read), and so does a non-INVITE, which may
   * have to answer a copy arriving another way; an ACKed INVITE keeps only `finalStatus`
   * (reading `request` then throws).
   */
  release(): void;
}

export interface ClientTransaction {
  /** The branch of the top Via (the caller put it there). */
  readonly id: string;
  readonly method: string;
  readonly request: SipRequest;
  readonly destination: Destination;
  readonly state: ClientState;
  readonly reliable: boolean;
  /** True once any provisional response arrived: the TU may send CANCEL only then (RFC 3261 §9.1). */
  readonly provisionalReceived: boolean;
  /** Final status received so far (0 when none). */
  readonly finalStatus: number;
  /** Free slot for the TU. */
  context: unknown;
}

/** Per-request callbacks, usually ONE long-lived object for the whole TU (use tx.context for per-call state): no closure per request. */
export interface ClientHandler {
  /** Every response the TU must see: each provisional (retransmissions of the same 1xx too; the TU may ignore), the final, and on INVITE each further 2xx while 'accepted' (RFC 6026). Non-2xx final retransmissions are absorbed (the layer re-ACKs them). */
  onResponse(tx: ClientTransaction, response: SipResponse, source: MessageSource): void;
  /** Timer B or F fired with no final response (the TU maps it to 408). */
  onTimeout(tx: ClientTransaction): void;
  /** The request (or a retransmission) could not be sent (TU maps it to 503). The transaction is terminated. */
  onTransportError(tx: ClientTransaction, err: Error): void;
  /** Optional: the transaction left the tables. */
  onTerminated?(tx: ClientTransaction): void;
}

/** The transaction user: the engine core. */
export interface TransactionUser {
  /** A new request that is neither ACK nor CANCEL, with its new server transaction. */
  onRequest(tx: ServerTransaction, request: SipRequest, source: MessageSource): void;
  /**
   * A CANCEL with its own (non-INVITE) server transaction, and the INVITE server
   * transaction it targets (§9.2 matching), or undefined → the TU answers 481.
   * The layer sends nothing by itself: the TU answers 200 to the CANCEL and 487 to the INVITE.
   */
  onCancel(cancelTx: ServerTransaction, cancel: SipRequest, invite: ServerTransaction | undefined, source: MessageSource): void;
  /**
   * An ACK that is not absorbed: the ACK for a 2xx (never matches a transaction in RFC 3261
   * matching, since it has its own branch) or an ACK matching nothing. The TU matches it to its dialog.
   */
  onAck(ack: SipRequest, source: MessageSource): void;
  /** A response matching no client transaction (e.g. a 2xx retransmission after Timer M, or a stray). */
  onStrayResponse(response: SipResponse, source: MessageSource): void;
  /**
   * A 2xx from another fork of an INVITE whose dialog had ended (its transaction handed
   * to TransactionLayer.lingerAnswered, before Timer M): the TU ACKs it and ends it with
   * BYE (RFC 3261 §13.2.2.4).
   */
  onLateFork?(response: SipResponse, source: MessageSource): void;
  /** A server transaction left the tables. For INVITE 2xx with no ackReceived() before Timer L: reason 'no-ack' too. */
  onServerEnd?(tx: ServerTransaction, reason: ServerEndReason): void;
}

export interface TransactionLayerConfig {
  readonly sender: TransactionSender;
  readonly responseRouter: ResponseRouter;
  readonly user: TransactionUser;
  readonly timers?: Partial<TransactionTimers>;
}

/** An ACK for a 2xx as the UAC core keeps it, to send again when the 2xx comes again. */
export interface KeptAck {
  readonly bytes: Buffer;
  readonly dest: Destination;
  /** CSeq number of the INVITE it acknowledges. */
  readonly cseq: number;
}

export interface TransactionStats {
  readonly server: number;
  readonly client: number;
  /** Finished transactions kept outside the heap until Timer J/K/L/M (expired ones not yet swept included). */
  readonly lingering: number;
  /** Count by state, e.g. { 'server:invite:proceeding': 3, 'client:non-invite:completed': 1 }. */
  readonly byState: Readonly<Record<string, number>>;
}

