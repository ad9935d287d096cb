import Srf from 'drachtio-srf';
import type { Config } from '../config/index.js';
import type { Decision, Router, RoutingState } from '../routing/index.js';
import { silentLogger, type Logger } from '../util/logger.js';
import type { Bridged } from './call/bridge.js';
import { CallFlow, type CallReport, type StepHandler } from './call/call-flow.js';
import type { RegisteredContact } from './call/dial-plan.js';
import { GatewayBlackouts } from './call/gateway-blackouts.js';

export interface DrachtioTarget {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
}

/** Where registered contacts come from (the registrar); none: only static contacts ring. */
export interface ContactDirectory {
  contactsOf(user: string): readonly RegisteredContact[];
}

export interface B2buaOptions {
  readonly config: Config;
  readonly router: Router;
  readonly logger?: Logger;
  /** Injected clock for routing decisions and CDR times (tests, `--test-clock`). */
  readonly now?: () => number;
  readonly contacts?: ContactDirectory;
  /** Queue lengths for routing (the ACD); none: every queue is empty. */
  readonly queueLength?: (queue: string) => number;
  /** Steps that need media (voicemail, IVR, queue). */
  readonly handlers?: Partial<Record<'voicemail' | 'ivr' | 'queue', StepHandler>>;
  /** Receives each finished call's report (the CDR writer). */
  readonly onCallEnd?: (report: CallReport) => void;
}

/** What the application does with an INVITE before any B leg: refuse it, or run a decision. */
export type Admission = { readonly status: number; readonly reason: string } | { readonly decision: Decision };

/**
 * The call-handling application, written on the unmodified drachtio-srf: it connects to
 * a drachtio server (the embedded engine or a real drachtio-server), accepts INVITEs from
 * configured trunks, asks the routing engine where the call goes and carries it there
 * (src/app/call): single targets, simultaneous ring, hunts, gateway failover, forwards,
 * rejects. Provisional responses, failures, CANCEL, BYE, re-INVITE and UPDATE pass
 * between the legs.
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
  private readonly now: () => number;
  private readonly blackouts: GatewayBlackouts;
  private readonly state: RoutingState;
  private readonly bridges = new Set<Bridged>();
  private active = 0;

  constructor(private readonly opts: B2buaOptions) {
    this.logger = (opts.logger ?? silentLogger).child({ module: 'app' });
    this.now = opts.now ?? Date.now;
    this.blackouts = new GatewayBlackouts(this.now);
    const contacts = opts.contacts;
    const users = opts.config.users;
    this.state = {
      isRegistered: (user) => (contacts?.contactsOf(user).length ?? 0) > 0 || (users[user]?.contacts?.length ?? 0) > 0,
      isGatewayInService: (uri) => this.blackouts.isInService(uri),
      queueLength: opts.queueLength ?? (() => 0),
    };
    this.srf.invite((req, res) => {
      this.onInvite(req, res).catch((err: unknown) => this.logger.error({ err }, 'INVITE handling failed'));
    });
    // Carriers probe trunks with OPTIONS; answer them instead of the engine's 503.
    (this.srf as unknown as { options(h: (req: Srf.SrfRequest, res: Srf.SrfResponse) => void): void }).options((_req, res) => res.send(200));
    this.srf.on('error', (err) => this.logger.warn({ err: err.message }, 'drachtio connection error'));
  }

  /** The drachtio-srf instance (for other request handlers: REGISTER, the registrar). */
  get signalling(): Srf {
    return this.srf;
  }

  /** Calls in progress (being set up or bridged). */
  get activeCalls(): number {
    return this.active;
  }

  /** Gateways skipped now after 503 + Retry-After or no response. */
  get gatewaysSuspended(): string[] {
    return this.blackouts.suspended();
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

  /** Ends every bridged call (BYE on both legs); for a clean shutdown. */
  hangupAll(): void {
    for (const b of this.bridges) b.hangup();
  }

  /** Closes the control connection; safe when it is already gone (the server went first). */
  disconnect(): void {
    try {
      this.srf.disconnect();
    } catch {
      // drachtio-srf asserts when it has no socket left: nothing to close
    }
  }

  /** The routing decision for a call, or the refusal before routing. Pure apart from live state; exported for tests. */
  admit(req: { uri: string; from: string; headers: Record<string, string>; sourceAddress: string }): Admission {
    const trunk = this.opts.router.trunks.bySource(req.sourceAddress);
    if (trunk === undefined) return { status: 403, reason: 'Forbidden' };
    const decision = this.opts.router.decide(
      { to: userOf(req.uri), from: userOf(req.from), trunk: trunk.trunk, headers: req.headers, sourceAddress: req.sourceAddress },
      this.now(),
      this.state,
    );
    return { decision };
  }

  private async onInvite(req: Srf.SrfRequest, res: Srf.SrfResponse): Promise<void> {
    const maxForwards = Number(req.get('Max-Forwards') ?? '70');
    if (Number.isFinite(maxForwards) && maxForwards <= 0) return res.send(483);
    const admission = this.admit({ uri: req.uri, from: req.get('From') ?? '', headers: req.headers, sourceAddress: req.source_address });
    if ('status' in admission) return res.send(admission.status, admission.reason, {});
    this.active++;
    try {
      const flow = new CallFlow(this.srf, req, res, {
        config: this.opts.config,
        decision: admission.decision,
        dial: {
          contactsOf: (user) => this.opts.contacts?.contactsOf(user) ?? [],
          gatewayUsable: (g) => this.blackouts.isInService(g),
        },
        blackouts: this.blackouts,
        now: this.now,
        ...(this.opts.handlers === undefined ? {} : { handlers: this.opts.handlers }),
        onBridged: (b) => {
          this.bridges.add(b);
          void b.ended.then(() => this.bridges.delete(b));
        },
      });
      const report = await flow.run();
      this.opts.onCallEnd?.(report);
    } finally {
      this.active--;
    }
  }
}

/** The user part of a SIP URI or name-addr (the dialled number), or the whole text. */
export function userOf(text: string): string {
  const m = /sips?:([^@;>]+)@/i.exec(text) ?? /tel:([^;>]+)/i.exec(text);
  return m?.[1] ?? text;
}
