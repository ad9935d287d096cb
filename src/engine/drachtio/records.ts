import type { SipRequest, SipResponse } from '../message/index.js';
import type { MessageSource } from '../transport/index.js';
import type { ClientTransaction, KeptAck, ServerTransaction } from '../transaction/index.js';
import type { AppConnection } from '../wire/app-connection.js';
import { Dialog } from '../dialog/dialog.js';
import type { ProxyOperation } from './proxy.js';
import type { DeadlineEntry } from './answer-deadline.js';

/**
 * A request received from the network and handed to an application, until its final
 * response. Reached by the transaction id the application answers with.
 */
/** How many new calls wait for an application's final answer (the overload guard reads it). */
export class PendingCount {
  value = 0;
}

export class InboundRequest {
  /** Our To tag, fixed by the first response with one. */
  localTag: string | undefined;
  /** The dialog it belongs to (in-dialog requests) or creates (INVITE/SUBSCRIBE). */
  dialog: AppDialog | undefined;
  private final = false;
  /** Set when the request is counted in a PendingCount until its final answer. */
  private counter: PendingCount | undefined;

  get finalSent(): boolean {
    return this.final;
  }

  set finalSent(value: boolean) {
    if (value && !this.final && this.counter !== undefined) {
      this.counter.value--;
      this.counter = undefined;
    }
    this.final = value;
  }

  /** Counts this request as pending in `counter` until its final answer. */
  countIn(counter: PendingCount): void {
    counter.value++;
    this.counter = counter;
  }
  /** Outstanding reliable provisional (RFC 3262), retransmitted until PRACKed. */
  reliable: ReliableProvisional | undefined;
  /** Set once the application proxied the request: the engine then owns it (CANCEL included). */
  proxy: ProxyOperation | undefined;
  /** Its place in the answer-deadline queue. */
  deadline: DeadlineEntry<InboundRequest> | undefined;

  /** The application gave a final answer, or the engine answered for it. */
  get answered(): boolean {
    return this.finalSent;
  }

  constructor(
    readonly id: string,
    readonly tx: ServerTransaction,
    readonly req: SipRequest,
    readonly conn: AppConnection,
    readonly source: MessageSource,
  ) {}
}

/** A request an application sent, until its transaction ends. Reached by its transaction id (CANCEL). */
export class OutboundRequest {
  tx!: ClientTransaction;
  /** The dialog this request creates (new INVITE/SUBSCRIBE) or runs in. */
  dialog: AppDialog | undefined;
  /** True for an out-of-dialog INVITE or SUBSCRIBE: every response carries the new dialog's id. */
  formsDialog = false;
  /** The application cancelled it; the CANCEL waits here until a provisional arrives (RFC 3261 §9.1). */
  pendingCancel: SipRequest | undefined;
  cancelRequested = false;
  /** The connection closed before a final response: any 2xx is ACKed and ended with BYE. */
  orphaned = false;
  /** To tag of the 2xx delivered; a 2xx with another tag comes from a second fork. */
  answeredTag: string | undefined;
  lastRSeq = 0;

  constructor(
    readonly id: string,
    readonly conn: AppConnection,
    readonly method: string,
    /** The dialog id shown with every response (empty when none). */
    readonly dialogId: string,
  ) {}
}

/** A request the engine sends on its own (BYE on teardown, CANCEL, session refresh). */
export class InternalRequest {
  constructor(readonly onFinal?: (status: number, res: SipResponse | undefined, tx: ClientTransaction) => void) {}
}

/** A reliable provisional response in flight (RFC 3262 §3). */
export class ReliableProvisional {
  timer: NodeJS.Timeout | undefined;
  interval: number;
  elapsed = 0;

  constructor(
    readonly inbound: InboundRequest,
    readonly response: SipResponse,
    readonly rseq: number,
    t1: number,
  ) {
    this.interval = t1;
  }
}

/** Session timer state (RFC 4028) of a dialog. */
export interface SessionTimer {
  readonly interval: number;
  /** True when the engine sends the refreshes; false when it only watches the peer's. */
  readonly weRefresh: boolean;
  timer: NodeJS.Timeout | undefined;
}

/**
 * A dialog as the drachtio core keeps it: RFC 3261 state plus what drachtio-server
 * tracks for its applications (pending INVITEs both ways, the ACK to repeat when a 2xx
 * is retransmitted, session timers).
 */
export class AppDialog extends Dialog<AppConnection> {
  /** An INVITE from the peer without final response, or with a 2xx not yet ACKed. */
  pendingServerInvite: InboundRequest | undefined;
  /** An INVITE the application sent in this dialog without final response. */
  pendingClientInvite: OutboundRequest | undefined;
  /** CSeq of the last INVITE we sent (the ACK reuses it). */
  inviteCSeq = 0;
  /** Whether the last INVITE we sent got a 2xx (only then may the application ACK it). */
  inviteSucceeded = false;
  /** Our last ACK, re-sent when the peer retransmits its 2xx. */
  ack: KeptAck | undefined;
  /** RSeq of the last reliable provisional received (UAC, RFC 3262 §4). */
  lastRSeq = 0;
  /** RSeq of the next reliable provisional we send (UAS). */
  nextRSeq = 0;
  session: SessionTimer | undefined;
  /** A 2xx arrived for an INVITE the application had cancelled: its ACK is followed by BYE. */
  cancelRace = false;
  /** The application's INVITE/SUBSCRIBE that made this dialog (UAC), until the dialog ends. */
  initialRequest: OutboundRequest | undefined;
}
