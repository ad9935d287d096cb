import { createCancel, createResponse, SipRequest, type SipResponse } from '../message/index.js';
import type { Destination, MessageSource } from '../transport/index.js';
import {
  newBranch,
  type ClientHandler,
  type ClientTransaction,
  type ServerEndReason,
  type ServerTransaction,
  type TransactionTimers,
  type TransactionUser,
} from '../transaction/index.js';
import type { SipStack } from '../core/sip-stack.js';
import type { AppConnection } from '../wire/app-connection.js';
import type { RouteTable } from '../wire/route-table.js';
import type { WireHandler } from '../wire/wire-server.js';
import { Dialog, dialogId, DialogTable } from '../dialog/dialog.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import { LocalAddresses, uriOf, type LocalAddress } from './addressing.js';
import { appHeader, parseAppMessage, type AppMessage } from './app-message.js';
import { cdrFrame, networkFrame, requestEchoTokens, responseEchoTokens, unsolicitedFrame } from './frames.js';
import { buildResponse, hasOptionTag, isSdp, parseSessionExpires, replaceLocalhost, tagOf, withoutTag } from './headers.js';
import { initialCSeq, newCallId, newTag, newTxnId } from './ids.js';
import { AnswerDeadlines } from './answer-deadline.js';
import { AnsweredRing } from './answered-ring.js';
import { detachedCopy } from '../message/intern.js';
import { AppDialog, InboundRequest, InternalRequest, OutboundRequest, PendingCount, ReliableProvisional } from './records.js';
import { DEFAULT_OVERLOAD, OverloadGuard, type OverloadOptions } from '../core/overload.js';
import { ProxyBranch, ProxyOperation, type ProxyOptions } from './proxy.js';

export interface DrachtioCoreOptions {
  readonly logger?: Logger;
  readonly timers: TransactionTimers;
  /** drachtio's `<session-timers default-refresher>`: who refreshes when an INVITE names no refresher. */
  readonly defaultRefresher?: 'none' | 'uac' | 'uas';
  /** How long an application may take to answer a request it was given before the engine answers 500 (drachtio: 64 s). */
  readonly appAnswerTimeoutMs?: number;
  /** When to refuse new calls with 503 (see OverloadGuard). */
  readonly overload?: Partial<OverloadOptions>;
}

export interface DrachtioCoreStats {
  readonly inbound: number;
  readonly outbound: number;
  readonly dialogs: number;
  /** New calls waiting for an application's final answer. */
  readonly pendingCalls: number;
  /** New calls refused with 503 because the engine was overloaded. */
  readonly shedCalls: number;
  /** p99 event-loop delay of the last 250 ms window, ms. */
  readonly loopDelayMs: number;
}

/** RFC 4028 §5: the smallest session interval the engine accepts. */
const MIN_SE = 90;
/** Headers an application may not put on a CANCEL (they come from the INVITE). */
const CANCEL_EXCLUDED: ReadonlySet<string> = new Set(['from', 'to', 'contact', 'p-asserted-identity', 'call-id', 'cseq', 'max-forwards']);
/** Headers the engine writes itself on requests. */
const REQUEST_OWN: ReadonlySet<string> = new Set(['from', 'to', 'call-id', 'cseq', 'max-forwards', 'contact']);
/** In-dialog methods whose Contact is a target refresh we keep (RFC 3261 §12.2). */
const TARGET_REFRESH: ReadonlySet<string> = new Set(['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY']);

/**
 * The drachtio-server behaviour on top of the SIP stack: turns SIP transactions into
 * `sip` frames for drachtio-srf applications and their frames back into SIP, keeping
 * dialogs, 100rel, session timers and the automatic answers drachtio-srf relies on
 * (docs/drachtio-wire-protocol.md, docs/drachtio-server-behaviour.md).
 *
 * Everything is reached by map lookups keyed on transaction or dialog ids; per-call
 * state lives on the transaction's `context`, so a message never scans anything.
 *
 * @example
 *   const core = new DrachtioCore({ timers });
 *   const stack = await SipStack.start(config, core);
 *   const wire = new WireServer(opts, core);
 *   core.attach(stack, wire.routes);
 */
export class DrachtioCore implements TransactionUser, ClientHandler, WireHandler {
  readonly dialogs = new DialogTable<AppConnection>();
  private readonly inbound = new Map<string, InboundRequest>();
  /** Requests the application answered lately (a second answer is refused by name). */
  private readonly answeredIds = new AnsweredRing();
  private readonly outbound = new Map<string, OutboundRequest>();
  private stack!: SipStack;
  private routes: RouteTable<AppConnection> | undefined;
  private local!: LocalAddresses;
  private readonly logger: Logger;
  private readonly t1: number;
  private readonly deadlines: AnswerDeadlines<InboundRequest>;
  private readonly pending = new PendingCount();
  private readonly overload: OverloadGuard;

  constructor(private readonly opts: DrachtioCoreOptions) {
    this.logger = (opts.logger ?? silentLogger).child({ module: 'drachtio' });
    this.t1 = opts.timers.t1;
    this.deadlines = new AnswerDeadlines(opts.appAnswerTimeoutMs ?? 64_000, (inb) => this.unanswered(inb));
    this.overload = new OverloadGuard({ ...DEFAULT_OVERLOAD, ...opts.overload }, () => this.pending.value);
  }

  /** An application never answered a request it was given: 500, so the caller is not left hanging (behaviour doc §2.1). */
  private unanswered(inb: InboundRequest): void {
    if (this.inbound.get(inb.id) !== inb) return;
    this.inbound.delete(inb.id);
    inb.finalSent = true;
    this.stopReliable(inb);
    this.logger.warn({ method: inb.req.method, callId: inb.req.callId, app: inb.conn.id }, 'application did not answer a request in time; answered 500');
    try {
      inb.tx.respond(createResponse(inb.req, 500, { toTag: inb.req.toTag === undefined ? (inb.localTag ?? newTag()) : undefined }));
    } catch {
      // the transaction already ended
    }
    const d = inb.dialog;
    if (d !== undefined && inb.req.toTag === undefined) this.endDialog(d);
    else if (d !== undefined && d.pendingServerInvite === inb) d.pendingServerInvite = undefined;
    this.settled(inb, false);
  }

  /** Connects the core to the started stack and, when there is a control port, its route table. */
  attach(stack: SipStack, routes: RouteTable<AppConnection> | undefined, advertise?: string): void {
    this.stack = stack;
    this.routes = routes;
    this.local = new LocalAddresses(stack.listeners, advertise);
  }

  /** `proto/host:port,…` for the authenticate reply. */
  hostports(): string {
    return this.local.hostports();
  }

  stats(): DrachtioCoreStats {
    return {
      inbound: this.inbound.size,
      outbound: this.outbound.size,
      dialogs: this.dialogs.size,
      pendingCalls: this.pending.value,
      shedCalls: this.overload.shed,
      loopDelayMs: this.overload.loopDelayMs,
    };
  }

  /** Stops every dialog timer (shutdown). */
  close(): void {
    this.deadlines.close();
    this.overload.close();
    for (const d of this.dialogs.values()) this.clearDialogTimers(d as AppDialog);
    for (const inb of this.inbound.values()) this.stopReliable(inb);
  }

  // ───────────────────────── SIP side (TransactionUser) ─────────────────────────

  onRequest(tx: ServerTransaction, req: SipRequest, source: MessageSource): void {
    const method = req.method;
    const toTag = req.toTag;
    if (toTag !== undefined && this.routedThroughUs(req)) return this.forwardInDialog(tx, req);
    if (toTag !== undefined) {
      const d = this.dialogs.match(req.callId, req.fromTag, toTag) as AppDialog | undefined;
      if (d !== undefined) return this.requestInDialog(d, tx, req, source);
      // RFC 3261 §12.2.2: a request for a dialog we do not know.
      if (method === 'INVITE' || method === 'BYE' || method === 'UPDATE' || method === 'PRACK' || method === 'REFER') {
        return this.answerAlone(tx, createResponse(req, 481));
      }
    } else if (method === 'BYE' || method === 'UPDATE' || method === 'PRACK') {
      return this.answerAlone(tx, createResponse(req, 481, { toTag: newTag() }));
    }
    if (method === 'INVITE') {
      if (this.overload.shouldShed()) {
        return this.answerAlone(tx, createResponse(req, 503, { toTag: newTag(), headers: [['Retry-After', String(this.opts.overload?.retryAfterSeconds ?? DEFAULT_OVERLOAD.retryAfterSeconds)]] }));
      }
      tx.respond(createResponse(req, 100));
    }
    const conn = this.routes?.pick(method.toLowerCase());
    if (method === 'INVITE') this.cdr('attempt', 'network', req);
    if (conn === undefined) {
      const res = createResponse(req, 503, { toTag: newTag() });
      this.answerAlone(tx, res);
      if (method === 'INVITE') this.cdr('stop', 'application', res, 'call-rejected');
      return;
    }
    const inb = new InboundRequest(newTxnId(), tx, req, conn, source);
    if (method === 'INVITE') inb.countIn(this.pending);
    this.admitted(inb);
    conn.notify(networkFrame(req.toString(), source, inb.id, '', source));
  }

  onAck(ack: SipRequest, source: MessageSource): void {
    if (this.routedThroughUs(ack)) return this.forwardAck(ack);
    const d = this.dialogs.match(ack.callId, ack.fromTag, ack.toTag) as AppDialog | undefined;
    const inv = d?.pendingServerInvite;
    if (d === undefined || inv === undefined || !inv.finalSent || inv.req.cseq.seq !== ack.cseq.seq) return;
    // The first ACK for this INVITE: stop the 2xx retransmissions and tell the application once.
    inv.tx.ackReceived();
    d.pendingServerInvite = undefined;
    this.settled(inv);
    if (d.owner.closed) return;
    d.owner.notify(networkFrame(ack.toString(), source, newTxnId(), d.id));
  }

  onCancel(cancelTx: ServerTransaction, cancel: SipRequest, inviteTx: ServerTransaction | undefined, source: MessageSource): void {
    if (inviteTx === undefined) return this.answerAlone(cancelTx, createResponse(cancel, 481, { toTag: newTag() }));
    const inb = inviteTx.context as InboundRequest | undefined;
    const final = inviteTx.finalStatus;
    if (final >= 200) {
      // RFC 3261 §9.2: too late to cancel; after a 2xx the caller ends the call with BYE.
      return this.answerAlone(cancelTx, createResponse(cancel, final < 300 ? 481 : 200, { toTag: inviteTx.finalToTag ?? newTag() }));
    }
    const tag = inb?.localTag ?? newTag();
    this.answerAlone(cancelTx, createResponse(cancel, 200, { toTag: tag }));
    const res487 = createResponse(inviteTx.request, 487, { toTag: tag });
    inviteTx.respond(res487);
    if (inb === undefined) return;
    if (inb.proxy !== undefined) {
      // drachtio-srf forgets a proxied INVITE; the proxy cancels its branches (RFC 3261 §16.10).
      inb.finalSent = true;
      this.inbound.delete(inb.id);
      return inb.proxy.cancel();
    }
    inb.finalSent = true;
    this.inbound.delete(inb.id);
    this.stopReliable(inb);
    const d = inb.dialog;
    const answered = inb.localTag !== undefined;
    if (d !== undefined) this.endDialog(d);
    if (!inb.conn.closed) inb.conn.notify(networkFrame(cancel.toString(), source, inb.id, answered ? dialogId(inb.req.callId, inb.req.fromTag ?? '') : ''));
    if (answered) this.cdr('stop', 'network', cancel, 'call-canceled');
    // The application never answered it: a late answer hears "unknown transaction" (behaviour doc §5.1).
    this.settled(inb, false);
  }

  /** A request handed to the application: reachable by its id until settled(). */
  private admitted(inb: InboundRequest): void {
    inb.tx.context = inb;
    this.inbound.set(inb.id, inb);
    inb.deadline = this.deadlines.add(inb);
    this.answeredIds.issued(inb.id);
  }

  /** A final answer the core gives by itself on a transaction nobody else holds: keep only what retransmissions need. */
  private answerAlone(tx: ServerTransaction, res: SipResponse): void {
    tx.respond(res);
    tx.release();
  }

  /**
   * An inbound request needs nothing more from the core (final answer sent and, for a
   * 2xx to INVITE, ACKed): out of the tables, and its transaction keeps only bytes for
   * the retransmissions it handles alone until Timer J/L.
   */
  private settled(inb: InboundRequest, answeredByApp = true): void {
    if (this.inbound.get(inb.id) === inb) this.inbound.delete(inb.id);
    AnswerDeadlines.forget(inb.deadline);
    inb.deadline = undefined;
    // Only the id stays, so a second answer still hears "final response already sent".
    if (answeredByApp) this.answeredIds.answered(inb.id);
    if (inb.tx.context === inb && inb.tx.state !== 'terminated') inb.tx.release();
  }

  onStrayResponse(res: SipResponse, _source: MessageSource): void {
    // A 2xx retransmitted after the INVITE transaction ended: repeat our ACK (RFC 3261 §13.2.2.4).
    if (res.status < 200 || res.status >= 300 || res.cseq.method !== 'INVITE') return;
    const d = this.dialogs.match(res.callId, res.toTag, res.fromTag) as AppDialog | undefined;
    if (d?.ack !== undefined && d.ack.cseq === res.cseq.seq) this.stack.transports.send(d.ack.bytes, d.ack.dest);
  }

  onServerEnd(tx: ServerTransaction, reason: ServerEndReason): void {
    const inb = tx.context as InboundRequest | undefined;
    if (inb === undefined) return;
    tx.context = undefined;
    if (this.inbound.get(inb.id) === inb) this.inbound.delete(inb.id);
    inb.finalSent = true; // e.g. a transport error before any final: no longer pending
    this.stopReliable(inb);
    const d = inb.dialog;
    if (d === undefined || d.pendingServerInvite !== inb) return;
    d.pendingServerInvite = undefined;
    const status = tx.finalStatus;
    // No ACK for our 2xx within 64·T1: end the call (only an initial INVITE; a re-INVITE just stops retransmitting).
    if (reason === 'no-ack' && status >= 200 && status < 300 && inb.req.toTag === undefined && d.state !== 'terminated') {
      this.teardown(d, 'ACK timeout');
    }
  }

  // ───────────────────────── SIP side (ClientHandler) ─────────────────────────

  onResponse(tx: ClientTransaction, res: SipResponse, source: MessageSource): void {
    const ctx = tx.context;
    if (ctx instanceof OutboundRequest) this.responseToApp(ctx, res, source);
    else if (ctx instanceof ProxyBranch) ctx.op.onResponse(ctx, res, source);
    else if (ctx instanceof InternalRequest && res.status >= 200) ctx.onFinal?.(res.status, res, tx);
  }

  onTimeout(tx: ClientTransaction): void {
    this.clientFailed(tx, 408);
  }

  onTransportError(tx: ClientTransaction, err: Error): void {
    this.logger.debug({ err: err.message, dest: tx.destination }, 'request could not be sent');
    this.clientFailed(tx, 503);
  }

  onTerminated(tx: ClientTransaction): void {
    const ctx = tx.context;
    if (ctx instanceof OutboundRequest && this.outbound.get(ctx.id) === ctx) this.outbound.delete(ctx.id);
  }

  // ───────────────────────── application side (WireHandler) ─────────────────────────

  sip(conn: AppConnection, msgId: string, tokens: readonly string[], sipText: string): void {
    if (tokens.length < 4 || sipText.length === 0) return conn.reply(msgId, 'NOK|invalid sip message');
    const msg = parseAppMessage(sipText);
    if (typeof msg === 'string') return conn.reply(msgId, `NOK|Server error: ${msg}`);
    const txnId = tokens[2]!;
    const dlgId = tokens[3]!;
    try {
      if (msg.method === undefined) return this.appResponse(conn, msgId, txnId, msg);
      if (dlgId.length > 0) return this.appRequestInDialog(conn, msgId, dlgId, msg);
      if (txnId.length > 0) {
        if (msg.method === 'CANCEL') return this.appCancel(conn, msgId, txnId, msg);
        return conn.reply(msgId, 'NOK|only CANCEL may name a transaction');
      }
      this.appNewRequest(conn, msgId, msg, tokens[4]);
    } catch (err) {
      this.logger.error({ err }, 'failed to handle an application sip frame');
      conn.reply(msgId, 'NOK|Server error: internal error');
    }
  }

  proxy(conn: AppConnection, msgId: string, tokens: readonly string[], sipText: string): void {
    if (tokens.length < 10) return conn.reply(msgId, 'NOK|Invalid proxy request: not enough information provided');
    const txnId = tokens[2]!;
    const inb = this.inbound.get(txnId);
    if (inb === undefined || inb.finalSent || inb.proxy !== undefined) return conn.reply(msgId, `NOK|Unknown transaction id: ${txnId}`);
    const mf = Number(inb.req.get('max-forwards') ?? '70');
    if (Number.isFinite(mf) && mf <= 0) {
      inb.finalSent = true;
      inb.tx.respond(createResponse(inb.req, 483, { toTag: newTag() }));
      this.settled(inb, false);
      return conn.reply(msgId, 'NOK|Rejected with 483 Too Many Hops due to Max-Forwards value of 0');
    }
    const app = parseAppMessage(sipText.length > 0 ? sipText : `${inb.req.method} ${inb.req.uri} SIP/2.0\r\n\r\n`);
    const headers = typeof app === 'string' ? [] : app.headers.filter((h) => !REQUEST_OWN.has(h.key)).map((h) => [h.name, h.value] as const);
    const opts: ProxyOptions = {
      recordRoute: tokens[3] === 'remainInDialog',
      followRedirects: tokens[5] === 'followRedirects',
      simultaneous: tokens[6] === 'simultaneous',
      provisionalTimeoutMs: parseDuration(tokens[7]),
      finalTimeoutMs: parseDuration(tokens[8]),
      headers,
    };
    const targets = tokens.slice(9).filter((t) => t.length > 0).map((t) => (/^(sips?|tel):/i.test(t) ? t : `sip:${t}`));
    const op = new ProxyOperation(inb.tx, targets, opts, this.stack.transactions, this.local, this, conn, msgId);
    inb.proxy = op;
    inb.finalSent = true; // the application no longer answers it
    this.inbound.delete(inb.id);
    op.start();
  }

  /** True when the top Route names this engine (a dialog we record-routed as a proxy). */
  private routedThroughUs(req: SipRequest): boolean {
    const route = req.get('route');
    if (route === undefined) return false;
    const dest = this.local.resolve(uriOf(route.split(',')[0]!));
    return typeof dest !== 'string' && this.local.isSelf(dest);
  }

  /** Removes our Route and forwards the request statefully to the next Route or the Request-URI. */
  private forwardInDialog(tx: ServerTransaction, req: SipRequest): void {
    req.removeFirstValue('route');
    const next = req.get('route');
    const target = next !== undefined ? uriOf(next.split(',')[0]!) : req.uri;
    const op = new ProxyOperation(tx, [target], { recordRoute: false, followRedirects: false, simultaneous: false, provisionalTimeoutMs: 0, finalTimeoutMs: 0, headers: [], inDialog: true }, this.stack.transactions, this.local, this, undefined, '');
    op.start();
  }

  /** An ACK for a 2xx in a record-routed dialog: forwarded statelessly, as it has no response. */
  private forwardAck(ack: SipRequest): void {
    ack.removeFirstValue('route');
    const next = ack.get('route');
    const dest = this.local.resolve(next !== undefined ? uriOf(next.split(',')[0]!) : ack.uri);
    if (typeof dest === 'string' || this.local.isSelf(dest)) return;
    const la = this.local.forDestination(dest);
    if (la === undefined) return;
    const mf = Number(ack.get('max-forwards') ?? '70');
    ack.set('Max-Forwards', String(Number.isFinite(mf) ? Math.max(0, mf - 1) : 70));
    ack.prepend('Via', viaFor(la, newBranch()));
    this.stack.transports.send(ack.toBuffer(), dest);
  }

  closed(conn: AppConnection): void {
    // Release the far ends now instead of after minutes (behaviour doc §2.2).
    for (const inb of [...this.inbound.values()]) {
      if (inb.conn !== conn || inb.finalSent) continue;
      this.inbound.delete(inb.id);
      this.stopReliable(inb);
      inb.finalSent = true;
      try {
        inb.tx.respond(createResponse(inb.req, 503, { toTag: inb.req.toTag === undefined ? (inb.localTag ?? newTag()) : undefined }));
      } catch {
        // the transaction already ended
      }
      if (inb.dialog !== undefined && inb.req.toTag === undefined) this.endDialog(inb.dialog);
      this.settled(inb, false);
    }
    for (const out of this.outbound.values()) {
      if (out.conn !== conn || out.tx.finalStatus !== 0) continue;
      out.orphaned = true;
      if (out.method === 'INVITE') this.cancelOutbound(out, createCancel(out.tx.request));
    }
  }

  // ───────────────────────── incoming requests in a dialog ─────────────────────────

  private requestInDialog(d: AppDialog, tx: ServerTransaction, req: SipRequest, source: MessageSource): void {
    const method = req.method;
    const conn = d.owner;
    if (conn.closed) return this.answerAlone(tx, createResponse(req, 481));
    if (method === 'INVITE') {
      tx.respond(createResponse(req, 100));
      if (d.pendingClientInvite !== undefined) return this.answerAlone(tx, createResponse(req, 491));
      if (d.pendingServerInvite !== undefined && !d.pendingServerInvite.finalSent) {
        return this.answerAlone(tx, createResponse(req, 500, { headers: [['Retry-After', String(Math.floor(Math.random() * 11))]] }));
      }
    }
    if (method === 'INVITE' || method === 'UPDATE') {
      const se = parseSessionExpires(req.get('session-expires'));
      if (se !== undefined && se.seconds < MIN_SE) return this.answerAlone(tx, createResponse(req, 422, { headers: [['Min-SE', String(MIN_SE)]] }));
      this.stopSessionTimer(d);
    }
    if (TARGET_REFRESH.has(method)) {
      const contact = req.get('contact');
      if (contact !== undefined) d.remoteTarget = uriOf(contact);
    }
    if (method === 'PRACK') this.prackReceived(d, req);
    const inb = new InboundRequest(newTxnId(), tx, req, conn, source);
    inb.dialog = d;
    this.admitted(inb);
    if (method === 'INVITE') d.pendingServerInvite = inb;
    if (method === 'BYE') {
      this.endDialog(d);
      this.cdr('stop', 'network', req, 'normal-release');
    }
    conn.notify(networkFrame(req.toString(), source, inb.id, d.id));
  }

  private prackReceived(d: AppDialog, prack: SipRequest): void {
    const rack = prack.get('rack');
    const inv = d.pendingServerInvite;
    const rel = inv?.reliable;
    if (rack === undefined || rel === undefined) return;
    const [rseq, cseq] = rack.trim().split(/\s+/);
    if (Number(rseq) === rel.rseq && Number(cseq) === inv!.req.cseq.seq) this.stopReliable(inv!);
  }

  // ───────────────────────── application responses ─────────────────────────

  private appResponse(conn: AppConnection, msgId: string, txnId: string, msg: AppMessage): void {
    if (txnId.length === 0) return conn.reply(msgId, 'NO|transaction id missing');
    const inb = this.inbound.get(txnId);
    if (inb === undefined) return conn.reply(msgId, this.answeredIds.has(txnId) ? 'NOK|final response already sent' : 'NOK|Response not sent due to unknown transaction');
    if (inb.finalSent) return conn.reply(msgId, 'NOK|final response already sent');
    const req = inb.req;
    const status = msg.status;
    const method = req.method;
    const forming = (method === 'INVITE' || method === 'SUBSCRIBE') && req.toTag === undefined;
    let reliable = false;
    if (method === 'INVITE' && status > 100 && status < 200) {
      const asked = hasOptionTag(msg.headers.filter((h) => h.key === 'require').map((h) => h.value), '100rel');
      const required = hasOptionTag(req.getAll('require'), '100rel');
      if (asked && !required && !hasOptionTag(req.getAll('supported'), '100rel')) {
        return conn.reply(msgId, 'NOK|Remote endpoint does not support 100rel');
      }
      reliable = asked || required;
    }
    if (status > 100 && req.toTag === undefined && inb.localTag === undefined) inb.localTag = tagOf(appHeader(msg, 'to') ?? '') ?? newTag();
    const local = this.local.forTransport(inb.source.transport, inb.source.family) as LocalAddress;
    let d = inb.dialog;
    if (forming && status > 100 && d === undefined && status < 300) d = this.createUasDialog(inb, local);
    const needsContact = (status > 100 && status < 300 && forming) || (d !== undefined && !forming && method === 'INVITE' && status < 300);
    const rseq = reliable && d !== undefined ? (d.nextRSeq = d.nextRSeq === 0 ? 1 + Math.floor(Math.random() * 0x7ffffffe) : d.nextRSeq + 1) : undefined;
    const extra: Array<[string, string]> = [];
    if (reliable && !hasOptionTag(msg.headers.filter((h) => h.key === 'require').map((h) => h.value), '100rel')) extra.push(['Require', '100rel']);
    const session = status >= 200 && status < 300 && (method === 'INVITE' || method === 'UPDATE') && d !== undefined ? this.uasSessionTimer(req, msg) : undefined;
    if (session?.header !== undefined) extra.push(['Session-Expires', session.header]);
    const res = buildResponse(req, msg, {
      localTag: inb.localTag,
      defaultContact: needsContact ? (d?.localContact || contactFor(local)) : undefined,
      hostport: local.hostport,
      rseq,
      extra,
    });
    const bytes = res.freeze();
    try {
      inb.tx.respond(res);
    } catch {
      this.inbound.delete(inb.id);
      return conn.reply(msgId, 'NOK|Response not sent due to unknown transaction');
    }
    if (status >= 200) {
      inb.finalSent = true;
      this.stopReliable(inb);
    }
    const shownDialogId = forming && status > 100 ? dialogId(req.callId, req.fromTag ?? '') : d !== undefined && d.state !== 'terminated' ? d.id : '';
    if (d !== undefined) {
      if (forming) {
        if (status >= 300) this.endDialog(d);
        else if (status >= 200) {
          d.state = 'confirmed';
          d.localContact = res.get('contact') ?? d.localContact;
        }
      } else if (method === 'INVITE' && status >= 300 && d.pendingServerInvite === inb) d.pendingServerInvite = undefined;
      if (status >= 200 && status < 300 && isSdp(msg.body)) d.lastLocalSdp = { body: msg.body, contentType: appHeader(msg, 'content-type') ?? 'application/sdp' };
      if (session !== undefined && d.state !== 'terminated') this.startSessionTimer(d, session.interval, session.weRefresh);
      if (reliable && rseq !== undefined) this.startReliable(inb, res, rseq);
    }
    if (method === 'INVITE' && forming && status >= 200) {
      if (status < 300) this.cdr('start', 'application', res, 'uas');
      else this.cdr('stop', 'application', res, 'call-rejected');
    }
    const text = bytes.toString('utf8');
    conn.reply(msgId, responseEchoTokens(text, inb.source, txnId, shownDialogId), text);
    // A 2xx to INVITE waits for its ACK (onAck); any other final ends the core's part.
    if (status >= 200 && (method !== 'INVITE' || status >= 300)) this.settled(inb);
  }

  private createUasDialog(inb: InboundRequest, local: LocalAddress): AppDialog {
    const req = inb.req;
    const fromTag = req.fromTag ?? '';
    const d = new AppDialog(
      dialogId(req.callId, fromTag),
      'uas',
      req.callId,
      inb.localTag!,
      fromTag,
      withoutTag(req.get('to') ?? ''),
      withoutTag(req.get('from') ?? ''),
      req.cseq.seq,
      inb.conn,
    );
    d.remoteCSeq = req.cseq.seq;
    const contact = req.get('contact');
    d.remoteTarget = contact === undefined ? req.uri : uriOf(contact);
    d.routeSet = req.getAll('record-route');
    d.flow = { transport: inb.source.transport, address: inb.source.address, port: inb.source.port, connectionId: inb.source.connectionId };
    d.localContact = contactFor(local);
    d.pendingServerInvite = inb;
    inb.dialog = d;
    this.dialogs.add(d);
    return d;
  }

  // ───────────────────────── application requests ─────────────────────────

  private appNewRequest(conn: AppConnection, msgId: string, msg: AppMessage, routeUri: string | undefined): void {
    const method = msg.method!;
    if (method === 'ACK' || method === 'PRACK' || method === 'CANCEL') return conn.reply(msgId, `NOK|Server error: ${method} needs a dialog or transaction`);
    const hop = routeUri !== undefined && routeUri.length > 0 ? (/^(sip|sips|tel):/i.test(routeUri) ? routeUri : `sip:${routeUri}`) : msg.uri;
    const dest = this.local.resolve(hop);
    if (typeof dest === 'string') return conn.reply(msgId, `NOK|${dest}`);
    if (this.local.isSelf(dest)) return conn.reply(msgId, 'NOK|can not send request to myself');
    const local = this.local.forDestination(dest);
    if (local === undefined) return conn.reply(msgId, 'NOK|requested protocol/transport not available');
    if (msg.body.length > 0 && appHeader(msg, 'content-type') === undefined && !isSdp(msg.body)) return conn.reply(msgId, 'NOK|missing content-type');

    const req = new SipRequest(method, msg.uri);
    req.append('Via', viaFor(local, newBranch()));
    req.append('Max-Forwards', appHeader(msg, 'max-forwards') ?? '70');
    const appFrom = appHeader(msg, 'from');
    let from = appFrom === undefined ? `<sip:${local.hostport}>` : replaceLocalhost(appFrom, local.hostport);
    let fromTag = tagOf(from);
    if (fromTag === undefined) {
      fromTag = newTag();
      from += `;tag=${fromTag}`;
    }
    req.append('From', from);
    const appTo = appHeader(msg, 'to');
    req.append('To', appTo === undefined ? `<${msg.uri}>` : replaceLocalhost(appTo, local.hostport));
    const callId = appHeader(msg, 'call-id') ?? newCallId();
    req.append('Call-ID', callId);
    const appCSeq = Number(appHeader(msg, 'cseq')?.trim().split(/\s+/)[0]);
    const cseq = Number.isInteger(appCSeq) && appCSeq > 0 ? appCSeq : initialCSeq();
    req.append('CSeq', `${cseq} ${method}`);
    const appContact = appHeader(msg, 'contact');
    if (appContact !== undefined) req.append('Contact', replaceLocalhost(appContact, local.hostport));
    else if (method === 'INVITE' || method === 'SUBSCRIBE' || method === 'REFER') req.append('Contact', contactFor(local));
    this.appendAppHeaders(req, msg, local);

    const forms = method === 'INVITE' || method === 'SUBSCRIBE';
    const out = new OutboundRequest(newTxnId(), conn, method, forms ? dialogId(callId, fromTag) : '');
    if (forms) {
      out.formsDialog = true;
      const d = new AppDialog(out.dialogId, 'uac', callId, fromTag, '', withoutTag(from), withoutTag(req.get('to')!), cseq, conn);
      d.inviteCSeq = cseq;
      d.localContact = req.get('contact') ?? contactFor(local);
      d.remoteTarget = msg.uri;
      if (isSdp(msg.body)) d.lastLocalSdp = { body: msg.body, contentType: req.get('content-type') ?? 'application/sdp' };
      out.dialog = d;
      d.initialRequest = out;
      if (method === 'INVITE') d.pendingClientInvite = out;
    }
    this.sendOutbound(conn, msgId, out, req, dest);
    if (method === 'INVITE') this.cdr('attempt', 'application', req);
  }

  private appRequestInDialog(conn: AppConnection, msgId: string, dlgId: string, msg: AppMessage): void {
    const d = this.dialogs.get(dlgId) as AppDialog | undefined;
    if (d === undefined || d.state === 'terminated') return conn.reply(msgId, 'NOK|Server error: unable to find dialog for dialog id provided');
    const method = msg.method!;
    if (method === 'ACK') return this.appAck(conn, msgId, d, msg);
    if (method === 'PRACK' && d.pendingClientInvite === undefined) return conn.reply(msgId, 'NOK|Server error: unable to find IIP when sending PRACK');
    if (msg.body.length > 0 && appHeader(msg, 'content-type') === undefined && !isSdp(msg.body)) return conn.reply(msgId, 'NOK|Server error: missing content-type');
    const dest = this.dialogDestination(d);
    if (typeof dest === 'string') return conn.reply(msgId, `NOK|Server error: ${dest}`);
    const local = this.local.forDestination(dest);
    if (local === undefined) return conn.reply(msgId, 'NOK|Server error: requested protocol/transport not available');
    if (method === 'BYE' && d.pendingClientInvite !== undefined) {
      // An app BYE while its re-INVITE is pending cancels the re-INVITE first (drachtio).
      const pending = d.pendingClientInvite;
      this.cancelOutbound(pending, createCancel(pending.tx.request));
    }
    const uri = method === 'PRACK' || msg.uri.includes('placeholder') ? d.remoteTarget : msg.uri;
    const req = this.dialogRequest(d, method, uri, local);
    const appContact = appHeader(msg, 'contact');
    if (appContact !== undefined) {
      req.append('Contact', replaceLocalhost(appContact, local.hostport));
      if (method === 'INVITE') d.localContact = req.get('contact')!;
    } else if (method === 'INVITE' || method === 'SUBSCRIBE' || method === 'REFER') req.append('Contact', d.localContact);
    this.appendAppHeaders(req, msg, local);
    const out = new OutboundRequest(newTxnId(), conn, method, d.id);
    out.dialog = d;
    if (method === 'INVITE') {
      d.pendingClientInvite = out;
      d.inviteCSeq = req.cseq.seq;
      d.inviteSucceeded = false;
      this.stopSessionTimer(d);
      if (isSdp(msg.body)) d.lastLocalSdp = { body: msg.body, contentType: req.get('content-type') ?? 'application/sdp' };
    }
    if (method === 'BYE') {
      this.endDialog(d);
      this.cdr('stop', 'application', req, 'normal-release');
    }
    this.sendOutbound(conn, msgId, out, req, dest);
  }

  private appAck(conn: AppConnection, msgId: string, d: AppDialog, msg: AppMessage): void {
    if (!d.inviteSucceeded) return conn.reply(msgId, 'NOK|Server error: ACK for non-success final response is automatically generated by server');
    const dest = this.dialogDestination(d);
    if (typeof dest === 'string') return conn.reply(msgId, `NOK|Server error: ${dest}`);
    const local = this.local.forDestination(dest);
    if (local === undefined) return conn.reply(msgId, 'NOK|Server error: requested protocol/transport not available');
    const ack = this.dialogRequest(d, 'ACK', d.remoteTarget, local, d.inviteCSeq);
    this.appendAppHeaders(ack, msg, local);
    const bytes = ack.freeze();
    this.stack.transports.send(bytes, dest);
    d.ack = { bytes, dest, cseq: d.inviteCSeq };
    const text = bytes.toString('utf8');
    conn.reply(msgId, requestEchoTokens(text, dest, newTxnId()), text);
    if (d.cancelRace) this.teardown(d, 'ACK-BYE due to cancel race condition');
  }

  private appCancel(conn: AppConnection, msgId: string, txnId: string, msg: AppMessage): void {
    const out = this.outbound.get(txnId);
    if (out === undefined || out.method !== 'INVITE') return conn.reply(msgId, `NOK|unable to cancel unknown transaction id: ${txnId}`);
    const extra: Array<[string, string]> = [];
    for (const h of msg.headers) if (!CANCEL_EXCLUDED.has(h.key)) extra.push([h.name, h.value]);
    const cancel = createCancel(out.tx.request, extra);
    const bytes = cancel.freeze();
    this.cancelOutbound(out, cancel);
    const text = bytes.toString('utf8');
    conn.reply(msgId, requestEchoTokens(text, out.tx.destination, newTxnId()), text);
  }

  /** Sends the CANCEL now, or once a provisional response arrives (RFC 3261 §9.1). */
  private cancelOutbound(out: OutboundRequest, cancel: SipRequest): void {
    if (out.cancelRequested || out.tx.finalStatus !== 0) return;
    out.cancelRequested = true;
    if (out.tx.provisionalReceived) this.stack.transactions.request(cancel, out.tx.destination, this).context = new InternalRequest();
    else out.pendingCancel = cancel;
  }

  private sendOutbound(conn: AppConnection, msgId: string, out: OutboundRequest, req: SipRequest, dest: Destination): void {
    const bytes = req.freeze();
    const tx = this.stack.transactions.request(req, dest, this);
    tx.context = out;
    out.tx = tx;
    this.outbound.set(out.id, out);
    const text = bytes.toString('utf8');
    conn.reply(msgId, requestEchoTokens(text, dest, out.id), text);
  }

  /** A request inside a dialog with the headers the dialog dictates (RFC 3261 §12.2.1.1). */
  private dialogRequest(d: Dialog, method: string, uri: string, local: LocalAddress, cseq?: number): SipRequest {
    const req = new SipRequest(method, uri);
    req.append('Via', viaFor(local, newBranch()));
    req.append('Max-Forwards', '70');
    req.append('From', `${d.localUri};tag=${d.localTag}`);
    req.append('To', d.remoteTag.length > 0 ? `${d.remoteUri};tag=${d.remoteTag}` : d.remoteUri);
    req.append('Call-ID', d.callId);
    req.append('CSeq', `${cseq ?? d.nextCSeq()} ${method}`);
    for (const r of d.routeSet) req.append('Route', r);
    return req;
  }

  private appendAppHeaders(req: SipRequest, msg: AppMessage, local: LocalAddress): void {
    let hasType = false;
    for (const h of msg.headers) {
      if (REQUEST_OWN.has(h.key)) {
        if (h.key === 'max-forwards') req.set('Max-Forwards', h.value);
        continue;
      }
      if (h.key === 'content-type') hasType = true;
      req.append(h.name, h.key === 'p-asserted-identity' ? replaceLocalhost(h.value, local.hostport) : h.value);
    }
    if (msg.body.length > 0) {
      if (!hasType && isSdp(msg.body)) req.append('Content-Type', 'application/sdp');
      req.body = msg.body;
    }
  }

  /** Next hop for a request in the dialog: the first Route, else the flow the dialog was made on, else the remote target. */
  private dialogDestination(d: Dialog): Destination | string {
    const dest = this.nextHop(d);
    // Shared: the dialog's ACK and its BYE's transaction keep it for up to 32 s.
    return typeof dest === 'string' ? dest : this.stack.transactions.destinations.get(dest);
  }

  private nextHop(d: Dialog): Destination | string {
    const first = d.routeSet[0];
    if (first !== undefined) return this.local.resolve(uriOf(first));
    const flow = d.flow;
    if (flow !== undefined) {
      const open = flow.connectionId !== undefined && this.stack.transports.isOpen(flow.connectionId);
      if (flow.transport === 'udp' || open) return { transport: flow.transport, address: flow.address, port: flow.port, connectionId: open ? flow.connectionId : undefined };
    }
    return this.local.resolve(d.remoteTarget);
  }

  // ───────────────────────── responses to application requests ─────────────────────────

  private responseToApp(out: OutboundRequest, res: SipResponse, source: MessageSource): void {
    const status = res.status;
    if (status === 100) return;
    if (out.pendingCancel !== undefined && status < 200) {
      const cancel = out.pendingCancel;
      out.pendingCancel = undefined;
      this.stack.transactions.request(cancel, out.tx.destination, this).context = new InternalRequest();
    }
    const d = out.dialog;
    if (d !== undefined && out.formsDialog) {
      if (!this.uacDialogResponse(out, d, res, source)) return;
    } else if (d !== undefined && out.method === 'INVITE') {
      if (!this.reInviteResponse(out, d, res)) return;
    } else if (d !== undefined && out.method === 'BYE' && status >= 200 && status !== 401 && status !== 407) {
      this.endDialog(d);
    }
    if (status >= 200 && out.method !== 'INVITE') {
      // Only an INVITE can still be cancelled or see another final (2xx retransmission, fork).
      if (this.outbound.get(out.id) === out) this.outbound.delete(out.id);
      out.tx.context = undefined;
    }
    if (out.orphaned) return;
    out.conn.notify(networkFrame(res.toString(), source, out.id, out.dialogId));
  }

  /** Dialog bookkeeping for a response to the application's INVITE/SUBSCRIBE; false when it must not be delivered. */
  private uacDialogResponse(out: OutboundRequest, d: AppDialog, res: SipResponse, source: MessageSource): boolean {
    const status = res.status;
    const toTag = res.toTag;
    if (status >= 200 && d.pendingClientInvite === out) d.pendingClientInvite = undefined;
    if (status >= 200 && status < 300) {
      if (out.answeredTag !== undefined) {
        // A retransmission (repeat our ACK) or a second fork (ACK and BYE it, RFC 3261 §13.2.2.4).
        if (toTag === out.answeredTag) {
          if (d.ack !== undefined && d.ack.cseq === res.cseq.seq) this.stack.transports.send(d.ack.bytes, d.ack.dest);
        } else this.endStrayFork(res, source);
        return false;
      }
      out.answeredTag = toTag === undefined ? undefined : detachedCopy(toTag);
      this.establishUac(d, res, source);
      d.state = 'confirmed';
      d.inviteSucceeded = true;
      if (out.method === 'INVITE') {
        const se = parseSessionExpires(res.get('session-expires'));
        if (se !== undefined) this.startSessionTimer(d, se.seconds, se.refresher !== 'uas');
        this.cdr('start', 'network', res, 'uac');
      }
      if (out.cancelRequested) d.cancelRace = true;
      if (out.orphaned) {
        // The application is gone: ACK and end the call ourselves.
        const local = this.local.forDestination(out.tx.destination);
        if (local !== undefined) {
          const ack = this.dialogRequest(d, 'ACK', d.remoteTarget, local, d.inviteCSeq);
          const dest = this.dialogDestination(d);
          if (typeof dest !== 'string') this.stack.transports.send(ack.toBuffer(), dest);
        }
        this.teardown(d, 'application disconnected');
      }
      return true;
    }
    if (status < 200) {
      if (res.get('rseq') !== undefined && hasOptionTag(res.getAll('require'), '100rel')) {
        const rseq = Number(res.get('rseq'));
        if (out.lastRSeq !== 0 && rseq !== out.lastRSeq + 1) return false;
        out.lastRSeq = rseq;
        if (d.remoteTag.length === 0) this.establishUac(d, res, source);
      }
      return true;
    }
    if (status >= 300) {
      if (this.dialogs.get(d.id) === d) this.endDialog(d);
      else d.state = 'terminated';
      if (out.method === 'INVITE') this.cdr('stop', 'network', res, status === 487 ? 'call-canceled' : 'call-rejected');
    }
    return true;
  }

  /** Remote tag, target and route set from a 2xx or reliable 1xx (RFC 3261 §12.1.2). */
  private establishUac(d: AppDialog, res: SipResponse, source: MessageSource): void {
    d.remoteTag = res.toTag ?? '';
    const contact = res.get('contact');
    if (contact !== undefined) d.remoteTarget = uriOf(contact);
    d.routeSet = res.getAll('record-route').reverse();
    d.flow = { transport: source.transport, address: source.address, port: source.port, connectionId: source.connectionId };
    if (this.dialogs.get(d.id) === undefined) this.dialogs.add(d);
  }

  private reInviteResponse(out: OutboundRequest, d: AppDialog, res: SipResponse): boolean {
    const status = res.status;
    if (status < 200) return true;
    if (status < 300) {
      if (out.answeredTag !== undefined) {
        if (d.ack !== undefined && d.ack.cseq === res.cseq.seq) this.stack.transports.send(d.ack.bytes, d.ack.dest);
        return false;
      }
      out.answeredTag = detachedCopy(res.toTag ?? '');
      d.inviteSucceeded = true;
      const contact = res.get('contact');
      if (contact !== undefined) d.remoteTarget = uriOf(contact);
      const se = parseSessionExpires(res.get('session-expires'));
      if (se !== undefined) this.startSessionTimer(d, se.seconds, se.refresher !== 'uas');
    }
    if (d.pendingClientInvite === out) d.pendingClientInvite = undefined;
    return true;
  }

  /** A 2xx from another fork of an INVITE whose dialog has ended (the transaction moved to the linger table). */
  onLateFork(res: SipResponse, source: MessageSource): void {
    this.endStrayFork(res, source);
  }

  /** ACK and BYE for a 2xx from a fork other than the one answered (RFC 3261 §13.2.2.4): it came the way our INVITE went. */
  private endStrayFork(res: SipResponse, source: MessageSource): void {
    const local = this.local.forDestination(source);
    const contact = res.get('contact');
    if (local === undefined || contact === undefined) return;
    const d = new Dialog<undefined>('', 'uac', res.callId, res.fromTag ?? '', res.toTag ?? '', withoutTag(res.get('from')!), withoutTag(res.get('to')!), res.cseq.seq, undefined);
    d.remoteTarget = uriOf(contact);
    d.routeSet = res.getAll('record-route').reverse();
    d.flow = { transport: source.transport, address: source.address, port: source.port, connectionId: source.connectionId };
    const dest = this.dialogDestination(d);
    if (typeof dest === 'string') return;
    this.stack.transports.send(this.dialogRequest(d, 'ACK', d.remoteTarget, local, res.cseq.seq).toBuffer(), dest);
    this.stack.transactions.request(this.dialogRequest(d, 'BYE', d.remoteTarget, local), dest, this).context = new InternalRequest();
  }

  private clientFailed(tx: ClientTransaction, status: 408 | 503): void {
    const ctx = tx.context;
    if (ctx instanceof InternalRequest) return ctx.onFinal?.(status, undefined, tx);
    if (ctx instanceof ProxyBranch) return ctx.op.onFailure(ctx, status);
    if (!(ctx instanceof OutboundRequest)) return;
    const res = createResponse(tx.request, status);
    const d = ctx.dialog;
    if (d !== undefined && ctx.formsDialog && this.dialogs.get(d.id) === d) this.endDialog(d);
    if (d !== undefined && d.pendingClientInvite === ctx) d.pendingClientInvite = undefined;
    if (ctx.orphaned || ctx.conn.closed) return;
    ctx.conn.notify(networkFrame(res.toString(), tx.destination, ctx.id, ctx.dialogId));
  }

  // ───────────────────────── dialogs: teardown, 100rel, session timers ─────────────────────────

  /** The engine ends a dialog on its own: BYE to the peer, `unsolicited` BYE to the application. */
  private teardown(d: AppDialog, reasonText: string): void {
    if (d.state === 'terminated') return;
    const dest = this.dialogDestination(d);
    this.endDialog(d);
    if (typeof dest === 'string') return;
    const local = this.local.forDestination(dest);
    if (local === undefined) return;
    const bye = this.dialogRequest(d, 'BYE', d.remoteTarget, local);
    bye.append('Reason', `SIP ;cause=200 ;text="${reasonText}"`);
    const bytes = bye.freeze();
    this.stack.transactions.request(bye, dest, this).context = new InternalRequest();
    if (reasonText === 'Session timer expired') this.cdr('stop', 'application', bye, 'session-expired');
    if (!d.owner.closed) d.owner.notify(unsolicitedFrame(bytes.toString('utf8'), dest, d.id));
  }

  private endDialog(d: AppDialog): void {
    this.clearDialogTimers(d);
    this.dialogs.remove(d);
    // The answered INVITE's transaction lingers (Timer M) outside the heap: it keeps our ACK, not the dialog.
    const out = d.initialRequest;
    d.initialRequest = undefined;
    if (out !== undefined && out.answeredTag !== undefined && out.dialog === d) {
      out.dialog = undefined;
      this.stack.transactions.lingerAnswered(out.tx, out.answeredTag, d.ack);
    }
  }

  private clearDialogTimers(d: AppDialog): void {
    this.stopSessionTimer(d);
    const inv = d.pendingServerInvite;
    if (inv !== undefined) this.stopReliable(inv);
  }

  private startReliable(inb: InboundRequest, res: SipResponse, rseq: number): void {
    this.stopReliable(inb);
    const rel = new ReliableProvisional(inb, res, rseq, this.t1);
    inb.reliable = rel;
    const limit = 64 * this.t1;
    const retransmit = inb.source.transport === 'udp';
    const tick = (): void => {
      rel.elapsed += rel.interval;
      if (rel.elapsed >= limit) {
        // RFC 3262 §3: never PRACKed — give up on the INVITE.
        inb.reliable = undefined;
        if (!inb.finalSent) {
          inb.finalSent = true;
          this.inbound.delete(inb.id);
          try {
            inb.tx.respond(createResponse(inb.req, 503, { reason: 'Reliable Response Time-Out', toTag: inb.localTag }));
          } catch {
            // already ended
          }
          if (inb.dialog !== undefined) this.endDialog(inb.dialog);
          this.settled(inb, false);
        }
        return;
      }
      if (retransmit && !inb.finalSent) {
        try {
          inb.tx.respond(res);
        } catch {
          return;
        }
      }
      rel.interval = retransmit ? rel.interval * 2 : limit - rel.elapsed;
      rel.timer = setTimeout(tick, Math.min(rel.interval, limit - rel.elapsed));
    };
    rel.timer = setTimeout(tick, retransmit ? rel.interval : limit);
    if (!retransmit) rel.interval = limit;
  }

  private stopReliable(inb: InboundRequest): void {
    const rel = inb.reliable;
    if (rel === undefined) return;
    if (rel.timer !== undefined) clearTimeout(rel.timer);
    inb.reliable = undefined;
  }

  /** RFC 4028 for a 2xx we send (behaviour doc §10 table). */
  private uasSessionTimer(req: SipRequest, msg: AppMessage): { interval: number; weRefresh: boolean; header: string | undefined } | undefined {
    const fromApp = parseSessionExpires(appHeader(msg, 'session-expires'));
    if (fromApp !== undefined) return { interval: Math.max(MIN_SE, fromApp.seconds), weRefresh: fromApp.refresher === 'uas', header: undefined };
    const fromReq = parseSessionExpires(req.get('session-expires'));
    if (fromReq === undefined) return undefined;
    const refresher = fromReq.refresher ?? (this.opts.defaultRefresher === 'uac' || this.opts.defaultRefresher === 'uas' ? this.opts.defaultRefresher : undefined);
    if (refresher === undefined) return undefined;
    const interval = Math.max(MIN_SE, fromReq.seconds);
    return { interval, weRefresh: refresher === 'uas', header: `${interval};refresher=${refresher}` };
  }

  private startSessionTimer(d: AppDialog, interval: number, weRefresh: boolean): void {
    this.stopSessionTimer(d);
    const ms = weRefresh ? Math.max(1, interval / 2 - 5 + Math.random() * 10) * 1000 : interval * 1000;
    const session = { interval, weRefresh, timer: undefined as NodeJS.Timeout | undefined };
    session.timer = setTimeout(() => {
      session.timer = undefined;
      if (weRefresh) this.refreshSession(d, interval);
      else this.teardown(d, 'Session timer expired');
    }, ms);
    d.session = session;
  }

  private stopSessionTimer(d: AppDialog): void {
    const s = d.session;
    if (s === undefined) return;
    if (s.timer !== undefined) clearTimeout(s.timer);
    d.session = undefined;
  }

  /** Our turn to refresh: a re-INVITE with the current SDP, never shown to the application. */
  private refreshSession(d: AppDialog, interval: number): void {
    if (d.state === 'terminated') return;
    const dest = this.dialogDestination(d);
    const local = typeof dest === 'string' ? undefined : this.local.forDestination(dest);
    if (typeof dest === 'string' || local === undefined) return this.teardown(d, 'Session timer expired');
    const invite = this.dialogRequest(d, 'INVITE', d.remoteTarget, local);
    invite.append('Contact', d.localContact);
    invite.append('Session-Expires', `${interval};refresher=uac`);
    invite.append('Min-SE', String(MIN_SE));
    if (d.lastLocalSdp !== undefined) {
      invite.append('Content-Type', d.lastLocalSdp.contentType);
      invite.body = d.lastLocalSdp.body;
    }
    const cseq = invite.cseq.seq;
    this.stack.transactions.request(invite, dest, this).context = new InternalRequest((status, res) => {
      if (d.state === 'terminated') return;
      if (status >= 200 && status < 300 && res !== undefined) {
        this.stack.transports.send(this.dialogRequest(d, 'ACK', d.remoteTarget, local, cseq).toBuffer(), dest);
        const se = parseSessionExpires(res.get('session-expires'));
        this.startSessionTimer(d, se?.seconds ?? interval, se?.refresher !== 'uas');
      } else if (status === 491) this.startSessionTimer(d, interval, true);
      else this.teardown(d, 'Session timer expired');
    });
  }

  // ───────────────────────── CDRs ─────────────────────────

  private cdr(event: 'attempt' | 'start' | 'stop', source: 'network' | 'application', msg: SipRequest | SipResponse, extra?: string): void {
    const routes = this.routes;
    if (routes === undefined || !routes.has(`cdr:${event}`)) return;
    routes.pick(`cdr:${event}`)?.notify(cdrFrame(event, source, msg.toString(), extra));
  }
}

function viaFor(local: LocalAddress, branch: string): string {
  return `SIP/2.0/${local.transport === 'udp' ? 'UDP' : 'TCP'} ${local.hostport};rport;branch=${branch}`;
}

function contactFor(local: LocalAddress): string {
  return local.transport === 'tcp' ? `<sip:${local.hostport};transport=tcp>` : `<sip:${local.hostport}>`;
}

/** `2s`, `500ms` or `` (none) from a proxy frame. */
function parseDuration(token: string | undefined): number {
  const m = /^(\d+)(ms|s)?$/.exec(token ?? '');
  if (m === null) return 0;
  return Number(m[1]) * (m[2] === 'ms' ? 1 : 1000);
}
