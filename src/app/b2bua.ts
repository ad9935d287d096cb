import Srf from 'drachtio-srf';
import type { Config } from '../config/index.js';
import { InMemoryRoutingState, type Action, type ResolvedTarget, type Router, type RoutingState } from '../routing/index.js';
import { silentLogger, type Logger } from '../util/logger.js';

export interface DrachtioTarget {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
}

export interface B2buaOptions {
  readonly config: Config;
  readonly router: Router;
  readonly state?: RoutingState;
  readonly logger?: Logger;
  /** Injected clock for routing decisions (tests). */
  readonly now?: () => number;
}

/** Where a decision sends the call, for the plain B2BUA: the first target it can dial, or a final status. */
export type BridgePlan = { readonly uri: string } | { readonly status: number; readonly reason: string };

/**
 * The call-handling application, written on the unmodified drachtio-srf: it connects to
 * a drachtio server (the embedded engine or a real drachtio-server), accepts INVITEs from
 * configured trunks, asks the routing engine where the call goes and bridges it there
 * with `createB2BUA`. Provisional responses, failures, CANCEL, BYE, re-INVITE and UPDATE
 * pass between the legs. Hunting, forking and queues arrive with the call-handling issue.
 *
 * @example
 *   const app = new B2buaApp({ config, router: compileRouter(config) });
 *   await app.connect({ host: '127.0.0.1', port: 9022, secret });
 *   …
 *   app.disconnect();
 */
export class B2buaApp {
  private readonly srf = new Srf();
  private readonly logger: Logger;
  private readonly state: RoutingState;
  private readonly now: () => number;
  private active = 0;

  constructor(private readonly opts: B2buaOptions) {
    this.logger = (opts.logger ?? silentLogger).child({ module: 'app' });
    this.state = opts.state ?? new InMemoryRoutingState();
    this.now = opts.now ?? Date.now;
    this.srf.invite((req, res) => {
      this.onInvite(req, res).catch((err: unknown) => this.logger.error({ err }, 'INVITE handling failed'));
    });
    // Carriers probe trunks with OPTIONS; answer them instead of the engine's 503.
    (this.srf as unknown as { options(h: (req: Srf.SrfRequest, res: Srf.SrfResponse) => void): void }).options((_req, res) => res.send(200));
    this.srf.on('error', (err) => this.logger.warn({ err: err.message }, 'drachtio connection error'));
  }

  /** Calls in progress (both legs up or being set up). */
  get activeCalls(): number {
    return this.active;
  }

  /** Connects to the drachtio server and resolves once authenticated. */
  connect(target: DrachtioTarget): Promise<void> {
    return new Promise((resolve, reject) => {
      const onConnect = (err: Error | null, hostport: string): void => {
        if (err) return reject(err);
        this.logger.info({ drachtio: `${target.host}:${target.port}`, sip: hostport }, 'connected to the SIP engine');
        resolve();
      };
      this.srf.once('connect', onConnect);
      void this.srf.connect({ host: target.host, port: target.port, secret: target.secret });
    });
  }

  /** Closes the control connection; safe when it is already gone (the server went first). */
  disconnect(): void {
    try {
      this.srf.disconnect();
    } catch {
      // drachtio-srf asserts when it has no socket left: nothing to close
    }
  }

  /** What to do with a call, from the routing decision. Pure, exported for tests. */
  plan(req: { uri: string; from: string; headers: Record<string, string>; sourceAddress: string }): BridgePlan {
    const trunk = this.opts.router.trunks.bySource(req.sourceAddress);
    if (trunk === undefined) return { status: 403, reason: 'Forbidden' };
    const decision = this.opts.router.decide(
      { to: userOf(req.uri), from: userOf(req.from), trunk: trunk.trunk, headers: req.headers, sourceAddress: req.sourceAddress },
      this.now(),
      this.state,
    );
    return firstDialable(decision.actions);
  }

  private async onInvite(req: Srf.SrfRequest, res: Srf.SrfResponse): Promise<void> {
    const maxForwards = Number(req.get('Max-Forwards') ?? '70');
    if (Number.isFinite(maxForwards) && maxForwards <= 0) return res.send(483);
    const plan = this.plan({ uri: req.uri, from: req.get('From') ?? '', headers: req.headers, sourceAddress: req.source_address });
    if ('status' in plan) return res.send(plan.status, plan.reason, {});
    const copy = this.opts.config.sip.headers.copy;
    this.active++;
    try {
      const { uas, uac } = await this.srf.createB2BUA(req, res, plan.uri, {
        headers: { 'Max-Forwards': String(Math.min(69, Math.max(0, maxForwards - 1))) },
        // 100rel end to end: the B leg learns the caller supports it, and a reliable
        // provisional from B is relayed reliably (lower-case `require` is the key
        // drachtio-srf checks before it waits for the caller's PRACK).
        proxyRequestHeaders: [...copy, 'Supported'],
        responseHeaders: (uacRes: Srf.SipMessageHeaders, headers: Srf.SipMessageHeaders) => {
          const require = (uacRes as unknown as Srf.SipMessage).get('Require');
          return require === undefined ? headers : { ...headers, require };
        },
      });
      this.bridge(uas, uac);
    } catch (err) {
      this.active--;
      const status = (err as { status?: number }).status;
      if (status === undefined) this.logger.warn({ err, callId: req.get('Call-ID') }, 'B leg failed');
    }
  }

  /** Joins the two dialogs: BYE on one ends the other; re-INVITE and UPDATE pass through. */
  private bridge(uas: Srf.Dialog, uac: Srf.Dialog): void {
    let ended = false;
    const end = (other: Srf.Dialog) => () => {
      if (ended) return;
      ended = true;
      this.active--;
      other.destroy();
    };
    uas.on('destroy', end(uac));
    uac.on('destroy', end(uas));
    // A BYE that arrived in the same read as the ACK ended a leg before these listeners
    // existed (createB2BUA resolves on the ACK): end the other one now.
    const connected = (d: Srf.Dialog): boolean => (d as unknown as { connected: boolean }).connected;
    if (!connected(uas)) end(uac)();
    else if (!connected(uac)) end(uas)();
    for (const [from, to] of [[uas, uac], [uac, uas]] as const) {
      from.on('modify', (req, res) => {
        to.modify(req.body).then(
          (sdp) => res.send(200, { body: sdp, headers: { 'Content-Type': 'application/sdp' } }),
          (err: { status?: number }) => res.send(err.status ?? 500),
        );
      });
      from.on('update', (req, res) => {
        const headers: Record<string, string> = req.body ? { 'Content-Type': req.get('Content-Type') ?? 'application/sdp' } : {};
        (to.request({ method: 'UPDATE', headers, body: req.body } as unknown as Srf.SrfRequest) as Promise<Srf.SrfResponse>).then(
          (r) => res.send(r.status, r.body ? { body: r.body, headers: { 'Content-Type': r.get('Content-Type') ?? 'application/sdp' } } : {}),
          () => res.send(500),
        );
      });
    }
  }
}

/** The user part of a SIP URI or name-addr (the dialled number), or the whole text. */
export function userOf(text: string): string {
  const m = /sips?:([^@;>]+)@/i.exec(text) ?? /tel:([^;>]+)/i.exec(text);
  return m?.[1] ?? text;
}

/** The first target of the decision the plain B2BUA can dial. */
export function firstDialable(actions: readonly Action[]): BridgePlan {
  for (const action of actions) {
    if (action.kind === 'reject') return { status: action.status, reason: action.reason };
    const targets = action.kind === 'ring' ? action.targets : action.kind === 'forward' ? [action.target] : [];
    for (const t of targets) {
      const uri = targetUri(t);
      if (uri !== undefined) return { uri };
    }
  }
  return { status: 480, reason: 'Temporarily Unavailable' };
}

function targetUri(t: ResolvedTarget): string | undefined {
  if (t.kind === 'uri') return t.uri;
  if (t.kind === 'user') return t.contacts[0];
  const gw = t.gateways[0];
  if (gw === undefined) return undefined;
  return gw.replace(/^(sips?:)/i, `$1${t.number}@`);
}
