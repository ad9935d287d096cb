import Srf from 'drachtio-srf';
import { InboundPolicy } from '../admission/index.js';
import type { CallRecord } from '../cdr/index.js';
import type { Config } from '../config/index.js';
import { InMemoryRegistrationStore, type RegistrationStore } from '../registrar/index.js';
import type { Decision, Router, RoutingState } from '../routing/index.js';
import { LogLimiter } from '../engine/core/log-limiter.js';
import type { MediaService } from '../media/index.js';
import { silentLogger, type Logger } from '../util/logger.js';
import type { Bridged } from './call/bridge.js';
import { CallFlow, type CallReport, type StepHandler } from './call/call-flow.js';
import { GatewayBlackouts } from './call/gateway-blackouts.js';
import { InviteBacklog } from './invite-backlog.js';
import { toCallRecord, refusedCallRecord } from './call-records.js';
import { refuse, requestFacts } from './inbound.js';
import { RegistrarService } from './registrar-service.js';
import { deferEarlyReinvites } from './call/early-reinvites.js';
import { callMediaOf } from './media/call-media.js';
import { ivrStep } from './media/ivr-step.js';
import { AcdService } from './queue/acd-service.js';
import { Callbacks } from './queue/callbacks.js';
import { queueStep } from './queue/queue-step.js';
import { voicemailStep } from './media/voicemail-step.js';
import { userOf } from './user-of.js';
import { tuneWireConnection } from './wire-socket.js';
import type { CallFlowContext, CallMedia } from './call/call-flow.js';
import type { DialContext } from './call/dial-plan.js';

export { userOf };

export interface DrachtioTarget {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
}

export interface B2buaOptions {
  readonly config: Config;
  readonly router: Router;
  readonly logger?: Logger;
  /** Injected clock for routing decisions and CDR times (tests, `--test-clock`). */
  readonly now?: () => number;
  /** Registrations (default: in memory, owned by the application). */
  readonly registrations?: RegistrationStore;
  /** Blocks a source in the engine (the embedded engine's `blockSource`); absent with an external drachtio-server. */
  readonly blockSource?: (address: string, forMs: number) => void;
  /** Receives one record per call attempt (the CDR writer). */
  readonly cdr?: { write(record: CallRecord): void };
  /** Queue lengths for routing; default: the ACD's. */
  readonly queueLength?: (queue: string) => number;
  /**
   * rtpengine (MediaService): calls are anchored, and voicemail and IVR steps run. Absent
   * or mode off: SDP passes end to end and steps needing media fail with 503.
   */
  readonly media?: MediaService;
  /** Steps that need media, replacing the built-in ones (voicemail, IVR) or adding one (queue). */
  readonly handlers?: Partial<Record<'voicemail' | 'ivr' | 'queue', StepHandler>>;
  /** Receives each finished call's report (the CDR writer). */
  readonly onCallEnd?: (report: CallReport) => void;
  /**
   * Once new INVITEs have waited longer than `afterMs` between the SIP server and the
   * application for `sustainMs`, those that wait so long are answered 503 + Retry-After
   * (invite-backlog.ts). Default 200 ms (as the engine's own loop-delay limit) for 1 s;
   * afterMs 0: never.
   */
  readonly shedInvites?: { readonly afterMs: number; readonly sustainMs: number };
  /** The real clock, compared with the server's frame stamps (tests move it); default Date.now. */
  readonly wallClock?: () => number;
}

/** What the application does with an INVITE before any B leg: refuse it, or run a decision. */
export type Admission = { readonly status: number; readonly reason: string } | { readonly decision: Decision };

/** drachtio-srf keeps the server's time stamp of a request's frame here (not in its typings). */
interface StampedRequest {
  readonly stackTime?: string;
}

const DEFAULT_SHED_INVITES = Object.freeze({ afterMs: 200, sustainMs: 1000 });

/** Calls from trunks hold a slot of the trunk's max_calls until they end. */
type Release = () => void;

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
  private readonly policy: InboundPolicy;
  readonly registrations: RegistrationStore;
  private readonly ownsRegistrations: boolean;
  private readonly registrar: RegistrarService;
  private readonly media: CallMedia | undefined;
  private readonly handlers: Partial<Record<'voicemail' | 'ivr' | 'queue', StepHandler>>;
  /** Rules and queues whose calls are recorded. */
  private readonly recordedRules: ReadonlySet<string>;
  private readonly flowContext: Omit<CallFlowContext, 'decision' | 'record'>;
  private active = 0;
  /** Queues, agents and their events; present when the configuration has queues. */
  readonly acd: AcdService | undefined;
  private readonly callbacks: Callbacks | undefined;
  private readonly backlog: InviteBacklog | undefined;
  private readonly wallClock: () => number;

  constructor(private readonly opts: B2buaOptions) {
    this.logger = (opts.logger ?? silentLogger).child({ module: 'app' });
    this.now = opts.now ?? Date.now;
    this.wallClock = opts.wallClock ?? Date.now;
    const shed = opts.shedInvites ?? DEFAULT_SHED_INVITES;
    this.backlog = shed.afterMs > 0 ? new InviteBacklog(shed.afterMs, shed.sustainMs) : undefined;
    this.blackouts = new GatewayBlackouts(this.now);
    this.policy = new InboundPolicy(opts.config, { trunks: opts.router.trunks });
    this.ownsRegistrations = opts.registrations === undefined;
    this.registrations = opts.registrations ?? new InMemoryRegistrationStore({ clock: { now: this.now, monotonic: () => performance.now() }, logger: this.logger });
    this.registrar = new RegistrarService({
      config: opts.config,
      store: this.registrations,
      policy: this.policy,
      now: this.now,
      ...(opts.blockSource === undefined ? {} : { blockSource: opts.blockSource }),
    });
    this.media = opts.media === undefined ? undefined : callMediaOf(opts.media, opts.config);
    const dial: DialContext = { contactsOf: (user) => this.registrar.contactsOf(user), gatewayUsable: (g) => this.blackouts.isInService(g) };
    const acd = Object.keys(opts.config.queues).length === 0 ? undefined : new AcdService({ config: opts.config, registrations: this.registrations, clock: { now: this.now, monotonic: () => performance.now() }, logger: this.logger });
    this.acd = acd;
    this.callbacks =
      acd === undefined
        ? undefined
        : new Callbacks({
            srf: this.srf,
            acd,
            config: opts.config,
            dial,
            ...(this.media === undefined ? {} : { media: this.media }),
            onBridged: (b) => this.track(b),
            onCallEnd: (report) => {
              this.opts.onCallEnd?.(report);
              this.opts.cdr?.write(toCallRecord(report));
            },
            now: this.now,
            logger: this.logger,
          });
    const callbacks = this.callbacks;
    this.handlers = {
      ...(this.media === undefined ? {} : { voicemail: voicemailStep({ directory: opts.config.media.voicemail, logger: this.logger }), ivr: ivrStep({ logger: this.logger }) }),
      ...(acd === undefined ? {} : { queue: queueStep(acd, { logger: this.logger, ...(callbacks === undefined ? {} : { callbacks }) }) }),
      ...opts.handlers,
    };
    this.recordedRules = new Set(opts.config.routes.filter((r) => r.record).map((r) => r.name));
    const mediaWarnings = new LogLimiter(this.logger, 5);
    // What every call flow shares; a call adds its decision.
    this.flowContext = {
      config: opts.config,
      dial,
      blackouts: this.blackouts,
      now: this.now,
      handlers: this.handlers,
      ...(this.media === undefined ? {} : { media: this.media }),
      resolveChain: (id) => this.opts.router.resolveChain(id, this.now(), this.state),
      warn: (fields, message) => mediaWarnings.warn(fields, message),
      onBridged: (b) => this.track(b),
    };
    const users = opts.config.users;
    this.state = {
      isRegistered: (user) => this.registrations.isRegistered(user) || (users[user]?.contacts?.length ?? 0) > 0,
      isGatewayInService: (uri) => this.blackouts.isInService(uri),
      queueLength: opts.queueLength ?? (acd === undefined ? () => 0 : (queue) => acd.queueSize(queue)),
    };
    deferEarlyReinvites(this.srf);
    this.srf.invite((req, res) => {
      this.onInvite(req, res).catch((err: unknown) => this.logger.error({ err }, 'INVITE handling failed'));
    });
    // drachtio-srf registers these verbs at run time; its typings only declare invite().
    const verbs = this.srf as unknown as Record<'register' | 'options', (h: (req: Srf.SrfRequest, res: Srf.SrfResponse) => void) => void>;
    verbs.register((req, res) => this.registrar.handle(req, res));
    // Carriers probe trunks with OPTIONS; answer them instead of the engine's 503.
    verbs.options((_req, res) => res.send(200));
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

  /** New calls answered 503 because they waited too long for the application (invite-backlog.ts). */
  get shedCalls(): number {
    return this.backlog?.shed ?? 0;
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
      tuneWireConnection(this.srf);
    });
  }

  private track(b: Bridged): void {
    this.bridges.add(b);
    void b.ended.then(() => this.bridges.delete(b));
  }

  /** Ends every bridged call (BYE on both legs); for a clean shutdown. */
  hangupAll(): void {
    for (const b of this.bridges) b.hangup();
  }

  /** disconnect(), then waits until the queue log is flushed. */
  async shutdown(): Promise<void> {
    this.disconnect();
    await this.acd?.close();
  }

  /** Closes the control connection; safe when it is already gone (the server went first). */
  disconnect(): void {
    this.callbacks?.close();
    void this.acd?.close().catch((err: unknown) => this.logger.warn({ err }, 'queue log could not be flushed'));
    if (this.ownsRegistrations) this.registrations.close();
    try {
      this.srf.disconnect();
    } catch {
      // drachtio-srf asserts when it has no socket left: nothing to close
    }
  }

  /** The routing decision for a call from a trunk or user. Pure apart from live state; exported for tests. */
  decide(req: { uri: string; from: string; headers: Record<string, string>; sourceAddress: string }, trunk: string | undefined): Decision {
    return this.opts.router.decide(
      { to: userOf(req.uri), from: userOf(req.from), ...(trunk === undefined ? {} : { trunk }), headers: req.headers, sourceAddress: req.sourceAddress },
      this.now(),
      this.state,
    );
  }

  private async onInvite(req: Srf.SrfRequest, res: Srf.SrfResponse): Promise<void> {
    if (this.backlog?.tooLate((req as StampedRequest).stackTime, this.wallClock())) {
      return res.send(503, { headers: { 'Retry-After': '1' } });
    }
    const maxForwards = Number(req.get('Max-Forwards') ?? '70');
    if (Number.isFinite(maxForwards) && maxForwards <= 0) return res.send(483);
    const now = this.now();
    const a = this.policy.admit(requestFacts(req), now);
    if (a.kind !== 'trunk' && a.kind !== 'user') return refuse(res, a, req.source_address, this.opts.blockSource, this.opts.config.security.auth.block_for);
    let release: Release | undefined;
    if (a.kind === 'trunk') {
      const slot = this.policy.acquireCall(a.trunk, now);
      if (slot.kind === 'refuse') {
        refuse(res, slot, req.source_address, undefined, 0);
        this.opts.cdr?.write(refusedCallRecord(req, a.trunk, slot.status, now));
        return;
      }
      release = slot.release;
    }
    const decision = this.decide({ uri: req.uri, from: req.get('From') ?? '', headers: req.headers, sourceAddress: req.source_address }, a.kind === 'trunk' ? a.trunk : undefined);
    this.active++;
    try {
      const flow = new CallFlow(this.srf, req, res, { ...this.flowContext, decision, record: decision.rule !== null && this.recordedRules.has(decision.rule) });
      const report = await flow.run();
      this.opts.onCallEnd?.(report);
      this.opts.cdr?.write(toCallRecord(report));
    } finally {
      this.active--;
      release?.();
    }
  }
}
