/**
 * Executes one routing decision for one inbound INVITE: the actions in order, each ending
 * answered (the call is bridged), with an outcome that `continue_on` lets the next action
 * handle, or with a final status for the caller. The caller's CANCEL stops everything and
 * cancels every B leg.
 *
 * | action             | how                                                                  |
 * |--------------------|----------------------------------------------------------------------|
 * | ring simultaneous  | every target's legs at once (a number: its first usable gateway)    |
 * | ring sequential    | target after target, each with its own ring timeout                 |
 * | forward            | one target, Diversion reason=unconditional; redirect: 302 + Contact  |
 * | reject             | the configured status                                                |
 * | voicemail/ivr/queue| the step handlers given by the application (media); none: failure   |
 *
 * A user target rings all its contacts at once; a number target tries its trunk's gateways
 * in order: the next on 503 (Retry-After suspends the gateway) and on no response within
 * the trunk's failover_timeout.
 *
 * @example
 *   const flow = new CallFlow(srf, req, res, { decision, … });
 *   const report = await flow.run();   // for the CDR
 */
import type Srf from 'drachtio-srf';
import type { Config } from '../../config/index.js';
import type { Action, Decision, ResolvedTarget } from '../../routing/index.js';
import { bridge, type Bridged, type HangupParty } from './bridge.js';
import { Cancellation } from './cancellation.js';
import { dialGroup, type DialContext, type DialGroup } from './dial-plan.js';
import { retryAfterSeconds, type GatewayBlackouts } from './gateway-blackouts.js';
import { dialMany, dialOne, type DialResult, type LegRecord } from './legs.js';
import { callerStatusFor, strongerOutcome, type FailedStep, type LegOutcome } from './outcomes.js';

/** A gateway that did not respond at all is skipped this long. */
export const NO_RESPONSE_SUSPENSION_MS = 30_000;

/** What happened to a call, for the CDR and the logs. */
export interface CallReport {
  readonly callId: string;
  readonly from: string;
  readonly to: string;
  readonly trunk?: string;
  readonly rule: string | null;
  /** The actions run, e.g. ["ring:sequential", "voicemail:sales"]. */
  readonly path: string[];
  readonly legs: LegRecord[];
  readonly startedAt: number;
  answeredAt?: number;
  endedAt: number;
  status: number;
  reason: string;
  hungUpBy?: HangupParty;
}

/** A step the application implements with media (voicemail, IVR, queue). */
export type StepHandler = (action: Action, call: CallFlow) => Promise<StepResult>;
export type StepResult = { readonly kind: 'done'; readonly status: number; readonly reason: string } | { readonly kind: 'failed'; readonly step: FailedStep };

export interface CallFlowContext {
  readonly config: Config;
  readonly decision: Decision;
  readonly dial: DialContext;
  readonly blackouts: GatewayBlackouts;
  readonly now: () => number;
  readonly handlers?: Partial<Record<'voicemail' | 'ivr' | 'queue', StepHandler>>;
  /** Called with each bridged call, so the application can end them all on shutdown. */
  readonly onBridged?: (b: Bridged) => void;
}

const DIVERSION_REASON: Readonly<Record<LegOutcome, string>> = {
  busy: 'user-busy',
  no_answer: 'no-answer',
  unavailable: 'unavailable',
  failure: 'unknown',
  cancelled: 'unknown',
};

export class CallFlow {
  readonly caller = new Cancellation();
  readonly report: CallReport;
  private diversions = 0;

  constructor(
    readonly srf: Srf,
    readonly req: Srf.SrfRequest,
    readonly res: Srf.SrfResponse,
    private readonly ctx: CallFlowContext,
  ) {
    const d = ctx.decision;
    this.report = {
      callId: req.get('Call-ID') ?? '',
      from: d.call.from,
      to: d.call.to,
      ...(d.call.trunk === undefined ? {} : { trunk: d.call.trunk }),
      rule: d.rule,
      path: [],
      legs: [],
      startedAt: ctx.now(),
      endedAt: 0,
      status: 0,
      reason: '',
    };
    req.on('cancel', () => this.caller.cancel());
  }

  /** Runs the decision to the end of the call; resolves with the report. Never rejects. */
  async run(): Promise<CallReport> {
    let previous: FailedStep | undefined;
    const actions = this.ctx.decision.actions;
    for (let i = 0; i < actions.length && !this.caller.cancelled; i++) {
      const action = actions[i]!;
      this.report.path.push(describe(action));
      const result = await this.runAction(action, previous);
      if (result.kind === 'answered') return this.bridged(result);
      if (result.kind === 'done') return this.finish(result.status, result.reason);
      previous = result.step;
      const continueOn = 'continueOn' in action ? action.continueOn : [];
      if (result.step.outcome === 'cancelled' || !(continueOn as readonly string[]).includes(result.step.outcome)) break;
    }
    if (this.caller.cancelled) return this.finish(487, 'Request Terminated', 'caller');
    const { status, reason } = callerStatusFor(previous ?? { outcome: 'unavailable' });
    this.res.send(status, reason, {});
    return this.finish(status, reason);
  }

  private async runAction(action: Action, previous: FailedStep | undefined): Promise<DialResult | StepResult> {
    switch (action.kind) {
      case 'reject':
        this.res.send(action.status, action.reason, {});
        return { kind: 'done', status: action.status, reason: action.reason };
      case 'ring':
        return action.mode === 'simultaneous' ? this.ringAll(action.targets, previous) : this.hunt(action.targets, previous);
      case 'forward': {
        const group = dialGroup(action.target, this.ctx.dial);
        if (action.redirect) return this.redirect(group);
        return this.ringGroup(group, 'unconditional');
      }
      case 'voicemail':
      case 'ivr':
      case 'queue': {
        const handler = this.ctx.handlers?.[action.kind];
        if (handler === undefined) return { kind: 'failed', step: { outcome: 'failure' } };
        return handler(action, this);
      }
    }
  }

  private async ringAll(targets: readonly ResolvedTarget[], previous: FailedStep | undefined): Promise<DialResult> {
    const legs = targets.flatMap((t) => {
      const g = dialGroup(t, this.ctx.dial);
      const usable = g.mode === 'failover' ? g.legs.slice(0, 1) : g.legs;
      return usable.map((leg) => ({ ...leg, target: g.label, timeoutMs: g.timeoutMs }));
    });
    if (legs.length === 0) return unreachable();
    const reason = previous === undefined ? undefined : DIVERSION_REASON[previous.outcome];
    if (legs.length === 1) return this.ringGroup({ label: legs[0]!.target, mode: 'parallel', legs, timeoutMs: legs[0]!.timeoutMs }, reason);
    return dialMany(this.srf, this.req, this.res, legs, this.dialOptions(reason, 0));
  }

  private async hunt(targets: readonly ResolvedTarget[], previous: FailedStep | undefined): Promise<DialResult> {
    let worst: FailedStep | undefined;
    let reason = previous === undefined ? undefined : DIVERSION_REASON[previous.outcome];
    for (const t of targets) {
      if (this.caller.cancelled) break;
      const r = await this.ringGroup(dialGroup(t, this.ctx.dial), reason);
      if (r.kind === 'answered') return r;
      if (worst === undefined || strongerOutcome(worst.outcome, r.step.outcome) !== worst.outcome) worst = r.step;
      reason = DIVERSION_REASON[r.step.outcome];
    }
    return { kind: 'failed', step: this.caller.cancelled ? { outcome: 'cancelled' } : (worst ?? { outcome: 'unavailable' }), noResponse: false };
  }

  /** One target: its contacts at once, or its gateways one after another. */
  private async ringGroup(group: DialGroup, diversion: string | undefined): Promise<DialResult> {
    if (group.legs.length === 0) return unreachable();
    if (group.mode === 'parallel') {
      if (group.legs.length === 1) return dialOne(this.srf, this.req, this.res, group.legs[0]!, { ...this.dialOptions(diversion, 0), timeoutMs: group.timeoutMs, target: group.label });
      return dialMany(
        this.srf,
        this.req,
        this.res,
        group.legs.map((l) => ({ ...l, target: group.label, timeoutMs: group.timeoutMs })),
        this.dialOptions(diversion, 0),
      );
    }
    const failoverMs = this.ctx.config.trunks[group.trunk ?? '']?.outbound?.failover_timeout ?? 0;
    let last: DialResult = unreachable();
    for (const leg of group.legs) {
      if (this.caller.cancelled) break;
      if (leg.gateway !== undefined && !this.ctx.blackouts.isInService(leg.gateway)) continue;
      last = await dialOne(this.srf, this.req, this.res, leg, { ...this.dialOptions(diversion, failoverMs), timeoutMs: group.timeoutMs, target: group.label });
      if (last.kind === 'answered') return last;
      const gw = leg.gateway;
      if (last.noResponse) {
        if (gw !== undefined) this.ctx.blackouts.suspend(gw, NO_RESPONSE_SUSPENSION_MS);
        continue;
      }
      if (last.step.status === 503) {
        const after = retryAfterSeconds(last.retryAfter);
        if (gw !== undefined && after !== undefined && after > 0) this.ctx.blackouts.suspend(gw, after * 1000);
        continue;
      }
      break; // busy, no answer, a refusal: an answer about the callee, not the gateway
    }
    return last;
  }

  private redirect(group: DialGroup): StepResult {
    const leg = group.legs[0];
    if (leg === undefined) return { kind: 'failed', step: { outcome: 'unavailable' } };
    this.res.send(302, 'Moved Temporarily', { headers: { Contact: `<${leg.uri}>`, Diversion: this.diversion('unconditional') } });
    return { kind: 'done', status: 302, reason: 'Moved Temporarily' };
  }

  private dialOptions(diversion: string | undefined, noResponseMs: number) {
    const maxForwards = Number(this.req.get('Max-Forwards') ?? '70');
    const headers: Record<string, string> = { 'Max-Forwards': String(Math.min(69, Math.max(0, (Number.isFinite(maxForwards) ? maxForwards : 70) - 1))) };
    if (diversion !== undefined) headers['Diversion'] = this.diversion(diversion);
    return {
      timeoutMs: 0,
      noResponseMs,
      caller: this.caller,
      headers,
      copyHeaders: this.ctx.config.sip.headers.copy,
      target: '',
      now: this.ctx.now,
      legs: this.report.legs,
    };
  }

  /** RFC 5806 Diversion naming the number the caller dialled. */
  private diversion(reason: string): string {
    this.diversions = Math.min(this.diversions + 1, 99);
    return `<sip:${this.ctx.decision.call.to}@localhost>;reason=${reason};counter=${this.diversions}`;
  }

  private async bridged(r: Extract<DialResult, { kind: 'answered' }>): Promise<CallReport> {
    this.report.answeredAt = this.ctx.now();
    this.report.status = 200;
    this.report.reason = 'OK';
    const b = bridge(r.uas, r.uac);
    this.ctx.onBridged?.(b);
    const by = await b.ended;
    return this.finish(200, 'OK', by);
  }

  private finish(status: number, reason: string, hungUpBy?: HangupParty): CallReport {
    this.report.endedAt = this.ctx.now();
    if (this.report.status === 0) {
      this.report.status = status;
      this.report.reason = reason;
    }
    if (hungUpBy !== undefined) this.report.hungUpBy = hungUpBy;
    return this.report;
  }
}

function unreachable(): DialResult {
  return { kind: 'failed', step: { outcome: 'unavailable' }, noResponse: false };
}

function describe(action: Action): string {
  switch (action.kind) {
    case 'ring':
      return action.targets.length === 1 ? 'ring' : `ring:${action.mode}`;
    case 'forward':
      return action.redirect ? 'forward:redirect' : 'forward';
    case 'voicemail':
      return `voicemail:${action.box}`;
    case 'ivr':
      return `ivr:${action.menu}`;
    case 'queue':
      return `queue:${action.queue}`;
    case 'reject':
      return `reject:${action.status}`;
  }
}
