/**
 * SIP dialog state (RFC 3261 §12) as drachtio-srf sees it: identified by
 * `<Call-ID>;from-tag=<From tag of the dialog-forming request>` (docs/drachtio-wire-protocol.md §9).
 *
 * | state     | enters when                                          | leaves when                          |
 * | --------- | ---------------------------------------------------- | ------------------------------------ |
 * | early     | UAS: first 1xx sent; UAC: 1xx with To tag received  | 2xx → confirmed; ≥300 → terminated   |
 * | confirmed | UAS: 2xx sent; UAC: 2xx received (or reliable 1xx)   | BYE, Timer H, session expiry → terminated |
 * | terminated| —                                                    | removed from the table               |
 */
export type DialogRole = 'uas' | 'uac';
export type DialogState = 'early' | 'confirmed' | 'terminated';

/** Where in-dialog requests go: a transport flow (connection reuse, NAT). */
export interface Flow {
  transport: 'udp' | 'tcp';
  address: string;
  port: number;
  /** Stream connection the dialog was created on, reused while it is open. */
  connectionId?: number;
}

export class Dialog<Owner = unknown> {
  state: DialogState = 'early';
  /** Remote tag; empty until known (UAC before the first tagged response). */
  remoteTag: string;
  /** Remote target (RFC 3261 §12.1): the peer's Contact URI. */
  remoteTarget = '';
  /** Route set, in the order Route headers are written on requests we send. */
  routeSet: string[] = [];
  /** CSeq of the last request we sent in the dialog. */
  localCSeq: number;
  /** CSeq of the last request the peer sent, -1 until one arrives. */
  remoteCSeq = -1;
  /** Contact we advertise in the dialog. */
  localContact = '';
  /** Where to send in-dialog requests. */
  flow: Flow | undefined;
  /** Body and Content-Type of our last SDP, for session-refresh re-INVITEs. */
  lastLocalSdp: { body: Buffer; contentType: string } | undefined;

  constructor(
    readonly id: string,
    readonly role: DialogRole,
    readonly callId: string,
    readonly localTag: string,
    remoteTag: string,
    /** Our From (UAC) or To (UAS) name-addr, without tag. */
    readonly localUri: string,
    /** The peer's From (UAS) or To (UAC) name-addr, without tag. */
    readonly remoteUri: string,
    localCSeq: number,
    readonly owner: Owner,
  ) {
    this.remoteTag = remoteTag;
    this.localCSeq = localCSeq;
  }

  /** Next CSeq for a new request we send in the dialog. */
  nextCSeq(): number {
    this.localCSeq = (this.localCSeq + 1) >>> 0;
    return this.localCSeq;
  }
}

/** The dialog id drachtio-srf expects: `<Call-ID>;from-tag=<tag>`. */
export function dialogId(callId: string, fromTag: string): string {
  return `${callId};from-tag=${fromTag}`;
}

/**
 * All dialogs, by id. An in-dialog request from the peer is found with at most two
 * lookups: UAS dialogs are keyed by the peer's tag (their From), UAC dialogs by ours
 * (their To).
 */
export class DialogTable<Owner = unknown> {
  private readonly byId = new Map<string, Dialog<Owner>>();

  get size(): number {
    return this.byId.size;
  }

  add(d: Dialog<Owner>): void {
    this.byId.set(d.id, d);
  }

  get(id: string): Dialog<Owner> | undefined {
    return this.byId.get(id);
  }

  remove(d: Dialog<Owner>): void {
    d.state = 'terminated';
    if (this.byId.get(d.id) === d) this.byId.delete(d.id);
  }

  /** The dialog an in-dialog request from the peer belongs to (RFC 3261 §12.2.2). */
  match(callId: string, fromTag: string | undefined, toTag: string | undefined): Dialog<Owner> | undefined {
    if (fromTag === undefined || toTag === undefined) return undefined;
    const uas = this.byId.get(dialogId(callId, fromTag));
    if (uas !== undefined && uas.role === 'uas' && uas.localTag === toTag) return uas;
    const uac = this.byId.get(dialogId(callId, toTag));
    if (uac !== undefined && uac.role === 'uac' && (uac.remoteTag === fromTag || uac.remoteTag === '')) return uac;
    return undefined;
  }

  values(): IterableIterator<Dialog<Owner>> {
    return this.byId.values();
  }
}
