import { createCancel, createResponse, SipRequest, type SipResponse } from '../message/index.js';
import type { Destination, MessageSource } from '../transport/index.js';
import { newBranch, type ClientHandler, type ClientTransaction, type ServerTransaction, type TransactionLayer } from '../transaction/index.js';
import type { AppConnection } from '../wire/app-connection.js';
import { wireTime } from '../wire/wire-time.js';
import type { LocalAddresses } from './addressing.js';

/** How the application asked for the request to be proxied (wire protocol §7). */
export interface ProxyOptions {
  readonly recordRoute: boolean;
  readonly followRedirects: boolean;
  readonly simultaneous: boolean;
  /** Give up on a target that sends no response at all within this long (0: never). */
  readonly provisionalTimeoutMs: number;
  /** CANCEL a target that rang but sent no final response within this long (0: never). */
  readonly finalTimeoutMs: number;
  /** Headers the application adds to every forwarded copy. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /**
   * A request inside a dialog we record-routed (our Route already removed): the target is
   * only the next hop; Request-URI and the remaining Routes stay (loose routing, §16.12).
   */
  readonly inDialog?: boolean;
}

/** One target of a proxy operation. */
export class ProxyBranch {
  tx: ClientTransaction | undefined;
  timer: NodeJS.Timeout | undefined;
  done = false;
  cancelled = false;

  constructor(
    readonly op: ProxyOperation,
    readonly uri: string,
  ) {}
}

/**
 * A stateful proxy operation (RFC 3261 §16), as drachtio-server runs one for the
 * `proxy` command: serial or simultaneous forking, provisional and final timeouts,
 * redirects, Record-Route, best-response choice, CANCEL both ways. Reports each final
 * response to the application (`continue`) and the end (`done`); with no application
 * (`conn` undefined) it forwards in-dialog requests of a record-routed dialog.
 *
 * Deliberate difference: drachtio-server ignores `finalTimeout`; this honours it
 * (a swap back to drachtio-server silently loses it).
 */
export class ProxyOperation {
  private readonly branches: ProxyBranch[] = [];
  private next = 0;
  private best: SipResponse | undefined;
  private finished = false;
  private answered = false;

  constructor(
    private readonly tx: ServerTransaction,
    private readonly targets: string[],
    private readonly opts: ProxyOptions,
    private readonly transactions: TransactionLayer,
    private readonly local: LocalAddresses,
    private readonly handler: ClientHandler,
    private readonly conn: AppConnection | undefined,
    private readonly msgId: string,
  ) {}

  /** Starts forwarding; false when no target could be tried at all. */
  start(): boolean {
    if (this.opts.simultaneous) while (this.next < this.targets.length) this.launch();
    else this.launch();
    return this.branches.some((b) => !b.done) || this.finished;
  }

  /** The caller cancelled: 487 upstream (sent by the core), every branch cancelled. */
  cancel(): void {
    this.finish(undefined);
  }

  onResponse(branch: ProxyBranch, res: SipResponse, source: MessageSource): void {
    const status = res.status;
    if (branch.timer !== undefined && status >= 100) this.rearm(branch, status);
    if (status === 100) return;
    if (status < 200) {
      if (branch.cancelled) this.sendCancel(branch);
      if (!this.finished && !this.answered) this.upstream(res);
      return;
    }
    const first = !branch.done;
    branch.done = true;
    if (status < 300) {
      // The first 2xx wins; later ones (retransmissions, other forks) go upstream too (RFC 3261 §16.7 step 5).
      if (first) this.report(res, source);
      this.answered = true;
      this.upstream(res);
      this.tx.ackReceived(); // a proxy leaves 2xx retransmission to the UAS
      if (!this.finished) this.finish(undefined);
      return;
    }
    if (!first || this.finished) return;
    this.report(res, source);
    if (status === 401 || status === 407) return this.finish(res); // a challenge ends the search
    if (status < 400 && this.opts.followRedirects) {
      const contacts = res.getAll('contact').map((c) => c.replace(/^[^<]*<([^>]*)>.*$/, '$1').trim()).filter((u) => /^sips?:/i.test(u));
      this.targets.splice(this.next, 0, ...contacts);
    }
    if (this.best === undefined || rank(res.status) < rank(this.best.status)) this.best = res;
    this.advance();
  }

  /** A branch failed without a response (timeout, transport error). */
  onFailure(branch: ProxyBranch, status: 408 | 503): void {
    if (branch.done) return;
    branch.done = true;
    if (branch.timer !== undefined) clearTimeout(branch.timer);
    if (!this.finished) {
      const synthetic = createResponse(branch.tx!.request, status);
      // Reported like a received final, so the application learns why the target failed
      // (drachtio-server reports nothing for a generated 408: finalStatus stays unset there).
      this.report(synthetic, branch.tx!.destination);
      if (this.best === undefined || rank(status) < rank(this.best.status)) this.best = synthetic;
      this.advance();
    }
  }

  private advance(): void {
    if (this.finished) return;
    if (!this.opts.simultaneous && this.next < this.targets.length) {
      this.launch();
      return;
    }
    if (this.opts.simultaneous && this.next < this.targets.length) while (this.next < this.targets.length) this.launch();
    if (this.branches.every((b) => b.done)) this.finish(this.best ?? createResponse(this.tx.request, 408));
  }

  private launch(): void {
    const uri = this.targets[this.next++]!;
    const branch = new ProxyBranch(this, uri);
    this.branches.push(branch);
    const dest = this.local.resolve(uri);
    const la = typeof dest === 'string' ? undefined : this.local.forDestination(dest);
    if (typeof dest === 'string' || la === undefined || this.local.isSelf(dest)) {
      branch.done = true;
      const res = createResponse(this.tx.request, 503);
      if (this.best === undefined || rank(503) < rank(this.best.status)) this.best = res;
      if (!this.opts.simultaneous) this.advance();
      else if (this.next >= this.targets.length && this.branches.every((b) => b.done)) this.finish(this.best);
      return;
    }
    const req = this.forwardedCopy(uri, dest, la);
    const tx = this.transactions.request(req, dest, this.handler);
    tx.context = branch;
    branch.tx = tx;
    if (this.opts.provisionalTimeoutMs > 0) branch.timer = setTimeout(() => this.giveUp(branch), this.opts.provisionalTimeoutMs);
  }

  /** RFC 3261 §16.6: the request as it leaves towards one target. */
  private forwardedCopy(uri: string, dest: Destination, la: { transport: string; hostport: string }): SipRequest {
    const orig = this.tx.request;
    const origTarget = this.local.resolve(orig.uri);
    // The Request-URI names us when the caller addressed the proxy: then it becomes the target.
    const requestUri = !this.opts.inDialog && typeof origTarget !== 'string' && this.local.isSelf(origTarget) ? uri : orig.uri;
    const req = new SipRequest(orig.method, requestUri, [...orig.headers]);
    req.body = orig.body;
    // A preloaded Route set is dropped, as drachtio does; inside a dialog the rest of it is the path.
    if (!this.opts.inDialog && req.has('route')) req.remove('route');
    const mf = Number(orig.get('max-forwards') ?? '70');
    req.set('Max-Forwards', String(Number.isFinite(mf) ? Math.max(0, mf - 1) : 70));
    req.prepend('Via', `SIP/2.0/${la.transport.toUpperCase()} ${la.hostport};rport;branch=${newBranch()}`);
    if (this.opts.recordRoute && !this.opts.inDialog) {
      const rr = `<sip:${la.hostport}${dest.transport === 'tcp' ? ';transport=tcp' : ''};lr>`;
      if (orig.method === 'REGISTER') {
        req.prepend('Path', rr);
        req.append('Require', 'path');
      } else req.prepend('Record-Route', rr);
    }
    for (const [name, value] of this.opts.headers) req.append(name, value);
    return req;
  }

  private rearm(branch: ProxyBranch, status: number): void {
    clearTimeout(branch.timer);
    branch.timer = undefined;
    if (status >= 100 && status < 200 && this.opts.finalTimeoutMs > 0) branch.timer = setTimeout(() => this.giveUp(branch), this.opts.finalTimeoutMs);
  }

  /** A target that is too slow: CANCEL it if it rang, then try the next one. */
  private giveUp(branch: ProxyBranch): void {
    branch.timer = undefined;
    if (branch.done) return;
    branch.cancelled = true;
    if (branch.tx?.provisionalReceived) this.sendCancel(branch);
    this.onFailure(branch, 408);
  }

  private sendCancel(branch: ProxyBranch): void {
    const tx = branch.tx;
    if (tx === undefined || tx.method !== 'INVITE' || tx.finalStatus !== 0 || !tx.provisionalReceived) return;
    this.transactions.request(createCancel(tx.request), tx.destination, this.handler).context = undefined;
    branch.cancelled = false;
  }

  /** Ends the operation: the final response upstream (unless a 2xx went), CANCELs, `done`. */
  private finish(final: SipResponse | undefined): void {
    if (this.finished) return;
    this.finished = true;
    for (const b of this.branches) {
      if (b.timer !== undefined) clearTimeout(b.timer);
      b.timer = undefined;
      if (!b.done && b.tx !== undefined) {
        if (b.tx.provisionalReceived) this.sendCancel(b);
        else b.cancelled = true; // CANCEL as soon as it rings
      }
    }
    if (final !== undefined && !this.answered) this.upstream(final);
    this.conn?.reply(this.msgId, 'OK|done');
  }

  /** Sends a target's response (or one we made) to the caller, without our Via. */
  private upstream(res: SipResponse): void {
    const out = copyForUpstream(res, this.tx.request);
    try {
      this.tx.respond(out);
    } catch {
      // the caller's transaction has already ended
    }
  }

  private report(res: SipResponse, source: Pick<MessageSource, 'transport' | 'address' | 'port'>): void {
    const conn = this.conn;
    if (conn === undefined) return;
    const text = res.toString();
    conn.reply(this.msgId, `OK|network|${Buffer.byteLength(text)}|${source.transport}|${source.address}|${source.port}|${wireTime()}|||continue`, text);
  }
}

/** A response from downstream as it goes upstream: our top Via removed (RFC 3261 §16.7 step 9). */
function copyForUpstream(res: SipResponse, upstreamRequest: SipRequest): SipResponse {
  // Responses we made from the upstream request already carry only upstream Vias.
  if (res.getAll('via').length === upstreamRequest.getAll('via').length) return res;
  res.removeFirstValue('via');
  return res;
}

/** RFC 3261 §16.7.6 as drachtio orders it: lower is better. */
function rank(status: number): number {
  if (status >= 600) return 0;
  if (status === 401 || status === 407 || status === 415 || status === 420 || status === 484) return 1;
  if (status >= 400 && status < 500) return 2;
  if (status >= 500) return 3;
  return 4;
}
