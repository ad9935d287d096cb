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
import type { AnchorOptions, CallRecorder, MediaSession, MediaSessions } from '../../media/index.js';
import type { Action, ChainId, ChainResolution, Decision, ResolvedTarget } from '../../routing/index.js';
import { isSwitchboardError } from '../../util/errors.js';
import { bridge, hangUp, type BridgeMedia, type Bridged, type HangupParty } from './bridge.js';
import { answerWithCurrentSdp, claimReinvites } from './early-reinvites.js';
import { Cancellation } from './cancellation.js';
import { dialGroup, type DialContext, type DialGroup } from './dial-plan.js';
import { retryAfterSeconds, type GatewayBlackouts } from './gateway-blackouts.js';
import { dialMany, dialOne, type DialResult, type LegRecord, type SdpHooks } from './legs.js';
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
export type StepResult =
  | { readonly kind: 'done'; readonly status: number; readonly reason: string }
  | { readonly kind: 'failed'; readonly step: FailedStep }
  /** Go on with these actions (an IVR option, a queue's overflow chain). */
  | { readonly kind: 'continue'; readonly chain: ChainId }
  /** Go on with the next action of the current chain (after a `play`). */
  | { readonly kind: 'next' }
  /** Bridge this answered leg (an ACD agent); `onEnded` runs when the call is over. */
  | { readonly kind: 'bridge'; readonly result: AnsweredDial; readonly record: boolean; readonly onEnded: () => void };

type AnsweredDial = Extract<DialResult, { kind: 'answered' }>;

/** rtpengine for this call flow; absent: media is not anchored (media.rtpengine.mode: off). */
export interface CallMedia {
  readonly sessions: MediaSessions;
  /** Whether rtpengine is up now; when it is not, calls that need media fail fast with 503. */
  available(): boolean;
  /** Anchor options (codecs, transcoding) for the caller's trunk leg and for B legs. */
  options(trunk: string | undefined): AnchorOptions;
  /** Records bridged calls whose rule or queue asks for it; absent: no recording directory. */
  readonly recorder?: CallRecorder;
}

/** The tag rtpengine knows Switchboard's own end by (queue music, IVR prompts, voicemail). */
export const LOCAL_MEDIA_TAG = 'switchboard';

export interface CallFlowContext {
  readonly config: Config;
  readonly decision: Decision;
  readonly dial: DialContext;
  readonly blackouts: GatewayBlackouts;
  readonly now: () => number;
  readonly handlers?: Partial<Record<'voicemail' | 'ivr' | 'queue', StepHandler>>;
  /** Called with each bridged call, so the application can end them all on shutdown. */
  readonly onBridged?: (b: Bridged) => void;
  readonly media?: CallMedia;
  /** Resolves an IVR option's or an overflow's chain at the current instant. */
  readonly resolveChain?: (id: ChainId) => ChainResolution;
  /** Rate-limited warnings (media failures). */
  readonly warn?: (fields: Record<string, unknown>, message: string) => void;
  /** Record the call once bridged (the rule's or queue's `record`). */
  readonly record?: boolean;
}

/** Thrown inside a step when media is needed and rtpengine cannot give it: the call ends with 503. */
class MediaUnavailable extends Error {}
/** Thrown inside a step when the caller hung up before Switchboard could answer. */
class CallerGone extends Error {}

/** A DTMF key from the caller, by RFC 4733 event (through rtpengine) or SIP INFO. */
export type DigitHandler = (digit: string) => void;

/** Anchors the caller's SDP against Switchboard's own end of the media; resolves with the SDP for the caller. */
export type CallerAnchor = (session: MediaSession, callerSdp: string) => Promise<string>;

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
  private mediaSession: MediaSession | undefined;
  /** The caller's dialog once Switchboard answered it itself (IVR, voicemail, queue). */
  private answeredCaller: Srf.Dialog | undefined;
  /** Set once the caller's answered dialog is over or handed to a bridge (which ends it). */
  private callerDone = false;
  private readonly digitHandlers: DigitHandler[] = [];
  /** The tag rtpengine knows the bridged B leg by (for re-INVITEs through it). */
  private bMediaTag: string | undefined;
  /** Anchoring is being skipped for this call (rtpengine down): SDP passes end to end. */
  private unanchored = false;
  private sentRinging = false;
  /** The outbound trunk of the bridged B leg, if it went through one. */
  private bTrunk: string | undefined;
  /** The caller's latest SDP: the INVITE's, then each re-INVITE's that was anchored. */
  private callerSdp: string;
  /** What Switchboard's end of an answered caller's media is (sink, recorder): re-run for a re-INVITE. */
  private anchor: CallerAnchor | undefined;
  /**
   * Every rtpengine step on an answered caller's media (anchoring, re-anchoring for a
   * re-INVITE, joining a B leg) runs after the previous one, so a re-INVITE's sink answer
   * can never land after an agent's answer, nor the sink's after the recorder's.
   */
  private anchoring: Promise<unknown> = Promise.resolve();
  /** A B leg was joined to the answered caller: its re-INVITEs are the bridge's from now on. */
  private joined = false;

  constructor(
    readonly srf: Srf,
    readonly req: Srf.SrfRequest,
    readonly res: Srf.SrfResponse,
    private readonly ctx: CallFlowContext,
  ) {
    const d = ctx.decision;
    this.callerSdp = req.body as string;
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
    try {
      return await this.runActions(this.ctx.decision.actions);
    } catch (err) {
      if (err instanceof CallerGone) return this.finish(487, 'Request Terminated', 'caller');
      if (err instanceof MediaUnavailable) {
        this.ctx.warn?.({ callId: this.report.callId, err: err.message }, 'call refused: media unavailable');
        return this.end(503, 'Service Unavailable');
      }
      // A bug in a step must still end the call cleanly for the caller.
      this.ctx.warn?.({ callId: this.report.callId, err }, 'call failed: unexpected error');
      return this.end(500, 'Server Internal Error');
    } finally {
      if (this.answeredCaller !== undefined && !this.callerDone) {
        // Answered by Switchboard and never bridged: our side ends it.
        hangUp(this.answeredCaller);
      }
      await this.mediaSession?.close();
    }
  }

  private async runActions(actions: readonly Action[]): Promise<CallReport> {
    let previous: FailedStep | undefined;
    for (let i = 0; i < actions.length && !this.caller.cancelled; i++) {
      const action = actions[i]!;
      this.report.path.push(describe(action));
      const result = await this.runAction(action, previous);
      if (result.kind === 'answered') return this.bridged(result);
      if (result.kind === 'done') return this.finish(result.status, result.reason, this.answeredCaller === undefined ? undefined : 'system');
      if (result.kind === 'continue') {
        const next = this.ctx.resolveChain?.(result.chain);
        if (next === undefined) break;
        return this.runActions(next.actions);
      }
      if (result.kind === 'next') continue;
      if (result.kind === 'bridge') {
        try {
          return await this.bridged(result.result, result.record);
        } finally {
          result.onEnded();
        }
      }
      previous = result.step;
      const continueOn = 'continueOn' in action ? action.continueOn : [];
      if (result.step.outcome === 'cancelled' || !(continueOn as readonly string[]).includes(result.step.outcome)) break;
    }
    if (this.caller.cancelled) return this.finish(this.answeredCaller === undefined ? 487 : 200, 'Request Terminated', 'caller');
    const { status, reason } = callerStatusFor(previous ?? { outcome: 'unavailable' });
    return this.end(status, reason);
  }

  /** Ends an unbridged call: a final status to a caller still ringing; BYE (later, in run) to one we answered. */
  private end(status: number, reason: string): CallReport {
    if (this.answeredCaller !== undefined) return this.finish(200, 'OK', 'system');
    if (!this.caller.cancelled) this.res.send(status, reason, {});
    return this.finish(status, reason);
  }

  /** The call's rtpengine session (opened on first use); throws MediaUnavailable when media is off or down. */
  mediaFor(): MediaSession {
    const media = this.ctx.media;
    if (media === undefined) throw new MediaUnavailable('media.rtpengine.mode is off');
    if (!media.available()) throw new MediaUnavailable('rtpengine is not answering');
    this.mediaSession ??= media.sessions.open(this.report.callId, this.callerTag);
    return this.mediaSession;
  }

  /** The caller's dialog tag (From tag of the INVITE). */
  get callerTag(): string {
    return /;\s*tag=([^;>\s]+)/i.exec(this.req.get('From') ?? '')?.[1] ?? '';
  }

  /** Whether Switchboard has answered the caller itself. */
  get answered(): boolean {
    return this.answeredCaller !== undefined;
  }

  get config(): Config {
    return this.ctx.config;
  }

  /** The caller's anchor options (its trunk's media settings). */
  get callerMediaOptions(): AnchorOptions {
    return this.ctx.media?.options(this.report.trunk) ?? {};
  }

  /**
   * Answers the caller from rtpengine (no bridged party yet): audio reaches the caller
   * only through playback until a B leg is joined. The caller hanging up cancels the flow.
   */
  answerLocally(): Promise<MediaSession> {
    if (this.answeredCaller !== undefined) return Promise.resolve(this.mediaFor());
    return this.answerCaller((session, sdp) => session.answerLocally(sdp, { localTag: LOCAL_MEDIA_TAG, options: this.callerMediaOptions }));
  }

  /**
   * Points Switchboard's end of the caller's media at what `anchor` sets up (a sink, the
   * voicemail recorder) and answers the caller with the SDP it returns; a caller answered
   * already keeps its dialog and media path. Until a bridge takes the dialog over, the
   * caller's re-INVITEs are anchored the same way, so a caller who moves its media keeps
   * hearing what is played. Throws MediaUnavailable, or CallerGone when the caller hung
   * up meanwhile.
   */
  async answerCaller(anchor: CallerAnchor): Promise<MediaSession> {
    const session = this.mediaFor();
    let sdp: string;
    try {
      sdp = await this.inAnchorTurn(() => {
        this.anchor = anchor;
        return anchor(session, this.callerSdp);
      });
    } catch (err) {
      throw asMediaError(err);
    }
    if (this.answeredCaller !== undefined) return session;
    if (this.caller.cancelled) throw new CallerGone();
    let uas: Srf.Dialog;
    try {
      uas = await this.srf.createUAS(this.req, this.res, { localSdp: sdp });
    } catch {
      throw new CallerGone();
    }
    this.answeredCaller = uas;
    this.report.answeredAt = this.ctx.now();
    claimReinvites(uas);
    uas.on('modify', (req: Srf.SrfRequest, res: Srf.SrfResponse) => this.reanchorCaller(uas, session, req, res));
    uas.on('destroy', () => {
      this.callerDone = true;
      this.report.hungUpBy ??= 'caller';
      this.caller.cancel();
    });
    uas.on('info', (req: Srf.SrfRequest, res: Srf.SrfResponse) => {
      res.send(200);
      const digit = infoDigit(req.get('Content-Type'), req.body);
      if (digit !== undefined) for (const h of this.digitHandlers) h(digit);
    });
    return session;
  }

  /**
   * A re-INVITE from a caller Switchboard answered: its new SDP is anchored against the
   * current end (sink or recorder), in turn with the other rtpengine steps of the caller's
   * media; one without SDP (or once the media session is gone) gets the current SDP. Once
   * a B leg is joined (the bridge is about to take the dialog over), 491, and the bridge
   * answers the retry. A failed re-anchor is undone with the caller's previous SDP, so the
   * session is as it was (RFC 3261 §14.2).
   */
  private reanchorCaller(uas: Srf.Dialog, session: MediaSession, req: Srf.SrfRequest, res: Srf.SrfResponse): void {
    const offer = req.body as string | undefined;
    if (!offer || session.state !== 'open') return answerWithCurrentSdp(uas, res);
    const local = (uas as unknown as { local: { sdp: string } }).local;
    this.inAnchorTurn(async () => {
      const anchor = this.anchor;
      if (this.joined) return undefined;
      if (anchor === undefined || session.state !== 'open') return local.sdp;
      try {
        const sdp = await anchor(session, offer);
        this.callerSdp = offer;
        // drachtio-srf keeps the dialog's local SDP for re-INVITEs without SDP; it does not learn ours.
        local.sdp = sdp;
        return sdp;
      } catch (err) {
        await anchor(session, this.callerSdp).catch(() => undefined);
        throw err;
      }
    }).then(
      (sdp) => (sdp === undefined ? res.send(491) : res.send(200, { body: sdp, headers: { 'Content-Type': 'application/sdp' } })),
      (err: unknown) => {
        const refused = isSwitchboardError(err, 'SB_MEDIA_REFUSED');
        this.ctx.warn?.({ callId: this.report.callId, err: (err as Error).message }, 're-INVITE of an answered caller could not be anchored');
        res.send(refused ? 488 : 500);
      },
    );
  }

  /** Runs `step` once every earlier rtpengine step on the caller's media has settled. */
  private inAnchorTurn<T>(step: () => Promise<T>): Promise<T> {
    const result = this.anchoring.then(step);
    this.anchoring = result.catch(() => undefined);
    return result;
  }

  /** Calls `handler` with each key the caller presses (RFC 4733 through rtpengine, or SIP INFO once answered). */
  onDigit(handler: DigitHandler): () => void {
    const session = this.mediaFor();
    const tag = this.callerTag;
    let live = true;
    session.onDigit((d) => {
      if (live && d.fromTag === tag) handler(d.digit);
    });
    this.digitHandlers.push(handler);
    return () => {
      live = false;
      const i = this.digitHandlers.indexOf(handler);
      if (i >= 0) this.digitHandlers.splice(i, 1);
    };
  }

  private async runAction(action: Action, previous: FailedStep | undefined): Promise<DialResult | StepResult> {
    switch (action.kind) {
      case 'reject':
        // A caller we answered already cannot get a status: it is hung up instead.
        if (this.answeredCaller === undefined) this.res.send(action.status, action.reason, {});
        return { kind: 'done', status: action.status, reason: action.reason };
      case 'ring':
        return action.mode === 'simultaneous' ? this.ringAll(action.targets, previous) : this.hunt(action.targets, previous);
      case 'forward': {
        const group = dialGroup(action.target, this.ctx.dial);
        if (action.redirect && this.answeredCaller === undefined) return this.redirect(group);
        return this.ringGroup(group, 'unconditional');
      }
      case 'play':
        return this.play(action.files);
      case 'voicemail':
      case 'ivr':
      case 'queue': {
        const handler = this.ctx.handlers?.[action.kind];
        if (handler === undefined) return { kind: 'failed', step: { outcome: 'failure' } };
        return handler(action, this);
      }
    }
  }

  /** Answers the caller (if not yet) and plays the files; the caller hanging up stops them. */
  private async play(files: readonly string[]): Promise<StepResult> {
    const session = await this.answerLocally();
    const playback = session.playbackTo(this.callerTag);
    const off = this.caller.onCancel(() => playback.cancel());
    try {
      await playback.sequence(files);
    } catch (err) {
      this.ctx.warn?.({ callId: this.report.callId, err: (err as Error).message, files }, 'announcement could not be played');
    } finally {
      off();
    }
    return { kind: 'next' };
  }

  /** Tells a caller Switchboard has not answered that it is ringing (a queue without music). */
  ringing(): void {
    if (this.answeredCaller === undefined && !this.caller.cancelled && !this.sentRinging) {
      this.sentRinging = true;
      this.res.send(180);
    }
  }

  /**
   * An ACD offer: rings every contact of these agents at once for `timeoutMs`. The
   * winner's leg record names the agent (`winner.target`); it is not bridged yet (return
   * a 'bridge' step result for that). Leg records of this offer carry the agent ids.
   */
  async ringAgents(agents: ReadonlyArray<{ readonly id: string; readonly user: string }>, timeoutMs: number): Promise<DialResult> {
    const legs = agents.flatMap((a) =>
      dialGroup({ kind: 'user', user: a.user, registered: true, contacts: this.ctx.config.users[a.user]?.contacts ?? [], timeoutMs }, this.ctx.dial).legs.map((l) => ({
        ...l,
        target: a.id,
        timeoutMs,
      })),
    );
    if (legs.length === 0) return unreachable();
    const options = await this.dialOptions(undefined, 0);
    if (legs.length === 1 && this.answeredCaller === undefined) return dialOne(this.srf, this.req, this.res, legs[0]!, { ...options, timeoutMs, target: legs[0]!.target });
    return dialMany(this.srf, this.req, this.res, legs, options);
  }

  private async ringAll(targets: readonly ResolvedTarget[], previous: FailedStep | undefined): Promise<DialResult> {
    const reason = previous === undefined ? undefined : DIVERSION_REASON[previous.outcome];
    // One target alone keeps its own plan: a number's gateways in failover order, with its trunk's media options.
    if (targets.length === 1) return this.ringGroup(dialGroup(targets[0]!, this.ctx.dial), reason);
    const legs = targets.flatMap((t) => {
      const g = dialGroup(t, this.ctx.dial);
      const usable = g.mode === 'failover' ? g.legs.slice(0, 1) : g.legs;
      return usable.map((leg) => ({ ...leg, target: g.label, timeoutMs: g.timeoutMs }));
    });
    if (legs.length === 0) return unreachable();
    if (legs.length === 1) return this.ringGroup({ label: legs[0]!.target, mode: 'parallel', legs, timeoutMs: legs[0]!.timeoutMs }, reason);
    return dialMany(this.srf, this.req, this.res, legs, await this.dialOptions(reason, 0));
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
      // A caller we answered already is joined with createUAC (dialMany), never createB2BUA.
      if (group.legs.length === 1 && this.answeredCaller === undefined) {
        return dialOne(this.srf, this.req, this.res, group.legs[0]!, { ...(await this.dialOptions(diversion, 0)), timeoutMs: group.timeoutMs, target: group.label });
      }
      return dialMany(
        this.srf,
        this.req,
        this.res,
        group.legs.map((l) => ({ ...l, target: group.label, timeoutMs: group.timeoutMs })),
        await this.dialOptions(diversion, 0),
      );
    }
    const failoverMs = this.ctx.config.trunks[group.trunk ?? '']?.outbound?.failover_timeout ?? 0;
    let last: DialResult = unreachable();
    for (const leg of group.legs) {
      if (this.caller.cancelled) break;
      if (leg.gateway !== undefined && !this.ctx.blackouts.isInService(leg.gateway)) continue;
      const options = { ...(await this.dialOptions(diversion, failoverMs, group.trunk)), timeoutMs: group.timeoutMs, target: group.label };
      last =
        this.answeredCaller === undefined
          ? await dialOne(this.srf, this.req, this.res, leg, options)
          : await dialMany(this.srf, this.req, this.res, [{ ...leg, target: group.label, timeoutMs: group.timeoutMs }], { ...options, noResponseMs: failoverMs });
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

  /** `bTrunk`: the outbound trunk of the B legs (its media options shape the offer). */
  private async dialOptions(diversion: string | undefined, noResponseMs: number, bTrunk?: string) {
    const sdp = await this.sdpHooks(bTrunk);
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
      ...(sdp === undefined ? {} : { sdp }),
    };
  }

  /**
   * With media: B legs get rtpengine's offer, and the winner's answer goes back through
   * rtpengine. A caller we answered already is joined by answering in place of our own
   * end (LOCAL_MEDIA_TAG), so the caller's media path does not change.
   */
  private async sdpHooks(bTrunk: string | undefined): Promise<SdpHooks | undefined> {
    const media = this.ctx.media;
    const answered = this.answeredCaller;
    if (media === undefined || this.unanchored) return undefined;
    // Signalling-only calls go on without rtpengine (SDP end to end); a caller we answered cannot.
    if (answered === undefined && !media.available()) return this.skipAnchoring('rtpengine is not answering');
    const session = this.mediaFor();
    // For a caller we answered, joining waits for any re-anchoring in flight (and blocks new ones: 491).
    const inTurn = <T>(step: () => Promise<T>): Promise<T> => (answered === undefined ? step() : this.inAnchorTurn(step));
    let offer: string;
    try {
      offer = await inTurn(() => session.offer(this.callerSdp, { options: media.options(bTrunk) }));
    } catch (err) {
      if (answered === undefined) return this.skipAnchoring((err as Error).message);
      throw asMediaError(err);
    }
    return {
      offer,
      answer: async (remoteSdp, toTag) => {
        try {
          const tag = answered === undefined ? toTag : LOCAL_MEDIA_TAG;
          const forCaller = await inTurn(async () => {
            const sdp = await session.answer(remoteSdp, { to: tag, options: this.callerMediaOptions });
            if (answered !== undefined) this.joined = true;
            return sdp;
          });
          this.bMediaTag = tag;
          this.bTrunk = bTrunk;
          if (answered !== undefined) await session.playbackTo(this.callerTag).stop();
          return forCaller;
        } catch (err) {
          throw asMediaError(err);
        }
      },
      ...(answered === undefined ? {} : { answered }),
    };
  }

  private skipAnchoring(why: string): undefined {
    this.unanchored = true;
    this.ctx.warn?.({ callId: this.report.callId, err: why }, 'media not anchored: the call goes on with SDP end to end');
    return undefined;
  }

  /** re-INVITEs of a bridged, anchored call go through rtpengine (offer from the sender's tag). */
  private bridgeMedia(): BridgeMedia | undefined {
    const session = this.mediaSession;
    const bTag = this.bMediaTag;
    if (session === undefined || bTag === undefined || session.state !== 'open') return undefined;
    const a = this.callerTag;
    const options = this.callerMediaOptions;
    const bOptions = this.ctx.media?.options(this.bTrunk) ?? {};
    return {
      offer: (fromCaller, sdp) =>
        fromCaller ? session.offer(sdp, { from: a, to: bTag, options: bOptions }) : session.offer(sdp, { from: bTag, to: a, options }),
      answer: (fromCaller, sdp) =>
        fromCaller ? session.answer(sdp, { from: a, to: bTag, options }) : session.answer(sdp, { from: bTag, to: a, options: bOptions }),
    };
  }

  /** RFC 5806 Diversion naming the number the caller dialled. */
  private diversion(reason: string): string {
    this.diversions = Math.min(this.diversions + 1, 99);
    return `<sip:${this.ctx.decision.call.to}@localhost>;reason=${reason};counter=${this.diversions}`;
  }

  private async bridged(r: AnsweredDial, record = this.ctx.record === true): Promise<CallReport> {
    this.report.answeredAt = this.ctx.now();
    this.report.status = 200;
    this.report.reason = 'OK';
    this.callerDone = true;
    const b = bridge(r.uas, r.uac, this.bridgeMedia());
    this.ctx.onBridged?.(b);
    const recorder = record && this.mediaSession !== undefined && this.bMediaTag !== undefined ? this.ctx.media?.recorder : undefined;
    if (record && recorder === undefined) this.ctx.warn?.({ callId: this.report.callId }, 'call not recorded: media is not anchored or no recording directory');
    const recording = recorder?.start(this.report.callId, { caller: this.report.from, callee: r.winner.uri });
    const by = await b.ended;
    // Stopped before run() deletes the rtpengine call, so the pcap is closed and its sidecar written.
    if (recorder !== undefined && (await recording)) await recorder.stop(this.report.callId);
    return this.finish(200, 'OK', by);
  }

  private finish(status: number, reason: string, hungUpBy?: HangupParty): CallReport {
    this.report.endedAt = this.ctx.now();
    if (this.report.status === 0) {
      this.report.status = status;
      this.report.reason = reason;
    }
    if (hungUpBy !== undefined) this.report.hungUpBy ??= hungUpBy;
    return this.report;
  }
}

/** The key in a SIP INFO body: application/dtmf-relay ("Signal=5") or application/dtmf ("5"). */
export function infoDigit(contentType: string | undefined, body: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const raw = type === 'application/dtmf-relay' ? /^\s*signal\s*=\s*(\S+)/im.exec(body)?.[1] : type === 'application/dtmf' ? body.trim() : undefined;
  const digit = raw?.toUpperCase();
  return digit !== undefined && /^[0-9*#A-D]$/.test(digit) ? digit : undefined;
}

function asMediaError(err: unknown): Error {
  return isSwitchboardError(err, 'SB_MEDIA_UNAVAILABLE') || isSwitchboardError(err, 'SB_MEDIA_REFUSED') ? new MediaUnavailable((err as Error).message) : (err as Error);
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
    case 'play':
      return 'play';
  }
}
