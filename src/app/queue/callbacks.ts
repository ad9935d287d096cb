/**
 * Queue callbacks: a waiting caller pressed the callback key and hung up, keeping their
 * place in line. When that place reaches an agent, Switchboard calls the agent first and,
 * once the agent answers, the caller (their number through the outbound trunk, or an
 * internal caller's phones), then bridges the two. Third-party call control: the agent's
 * INVITE carries no SDP, the agent's offer goes to the caller (through rtpengine when
 * media is anchored), and the caller's answer goes back in the agent's ACK.
 *
 * | step                             | outcome                       | then                                    |
 * |----------------------------------|-------------------------------|-----------------------------------------|
 * | offer [agent]                    | agent does not answer         | offerMissed: the place is kept          |
 * | agent answers                    | offerAnswered                 | call the caller                         |
 * | caller answers                   | bridged; callback-completed   | callEnded when either hangs up          |
 *
 * | caller fails (busy, no answer)   | agent hung up; callEnded      | attempts left: queue again after        |
 * |                                  |                               | retry_delay; else callback-completed,   |
 * |                                  |                               | failed                                  |
 * | max_wait reached                 | callback-completed, failed    | -                                       |
 *
 * @example
 *   const callbacks = new Callbacks({ srf, acd, dial, config, … });
 *   callbacks.take({ callId, queueId: 'support', priority: 0, number: '+14155550123', trunk: 'carrier-a', … });
 */
import type Srf from 'drachtio-srf';
import type { Config, QueueDefinition } from '../../config/index.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import { bridge, hangUp, type BridgeMedia, type Bridged } from '../call/bridge.js';
import type { CallMedia, CallReport } from '../call/call-flow.js';
import { outcomeOfStatus } from '../call/outcomes.js';
import type { LegRecord } from '../call/legs.js';
import { dialGroup, type DialContext, type DialLeg } from '../call/dial-plan.js';
import type { AcdService } from './acd-service.js';

export interface CallbackRequest {
  /** The original call's Call-ID: its place in the queue. */
  readonly callId: string;
  readonly queueId: string;
  readonly priority: number;
  /** The number to call back (E.164). */
  readonly number: string;
  /** The trunk the call came in on (callback.trunk wins). */
  readonly trunk?: string;
  /** An internal caller: ring this user's phones instead of a number. */
  readonly user?: string;
  readonly waitedMs: number;
}

export interface CallbacksOptions {
  readonly srf: Srf;
  readonly acd: AcdService;
  readonly config: Config;
  readonly dial: DialContext;
  readonly media?: CallMedia;
  readonly onBridged?: (b: Bridged) => void;
  /** Each callback attempt's report (one CDR line per attempt: agent leg, caller legs). */
  readonly onCallEnd?: (report: CallReport) => void;
  readonly now?: () => number;
  readonly logger?: Logger;
}

type Settings = NonNullable<QueueDefinition['callback']>;

/** Media tags of the two legs in the callback's rtpengine call. */
const AGENT_TAG = 'callback-agent';
const CALLER_TAG = 'callback-caller';

interface Pending {
  readonly request: CallbackRequest;
  readonly settings: Settings;
  readonly queue: QueueDefinition;
  attempts: number;
  busy: boolean;
}

export class Callbacks {
  private readonly logger: Logger;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly now: () => number;

  constructor(private readonly o: CallbacksOptions) {
    this.logger = (o.logger ?? silentLogger).child({ module: 'callback' });
    this.now = o.now ?? Date.now;
  }

  /** Takes over a queued call whose caller asked to be called back (the caller has hung up or is about to). */
  take(request: CallbackRequest): boolean {
    const queue = this.o.config.queues[request.queueId];
    const settings = queue?.callback;
    if (queue === undefined || settings === undefined) return false;
    const pending: Pending = { request, settings, queue, attempts: 0, busy: false };
    this.o.acd.replaceWaiter(request.callId, this.waiter(pending));
    this.o.acd.events.callbackRequested({ callId: request.callId, queueId: request.queueId, number: request.number, waitedMs: request.waitedMs });
    return true;
  }

  /** Forgets retry timers (shutdown). */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private waiter(p: Pending) {
    return {
      offer: (agentIds: readonly string[]) => {
        this.place(p, agentIds).catch((err: unknown) => this.logger.error({ err, callId: p.request.callId }, 'callback failed'));
      },
      overflow: () => this.completed(p, null),
    };
  }

  private async place(p: Pending, agentIds: readonly string[]): Promise<void> {
    const { acd } = this.o;
    const callId = p.request.callId;
    const [agentId, ...others] = agentIds;
    // One agent per callback: the others of a ring-all offer are free again at once.
    for (const id of others) acd.offerCancelled(callId, id);
    if (agentId === undefined) return;
    const report = this.report(p);
    const agentLeg = await this.ringAgent(agentId, p.queue.offer.ring_timeout, report);
    if (agentLeg === undefined) {
      acd.offerMissed(callId, agentId);
      this.ended(report, 480, 'Agent Did Not Answer');
      return;
    }
    acd.offerAnswered(callId, agentId);
    p.attempts++;
    const joined = await this.callCaller(p, agentLeg, report);
    if (joined === undefined) {
      agentLeg.destroy().catch(() => undefined);
      acd.callEnded(callId);
      this.ended(report, 480, 'Caller Not Reached');
      if (p.attempts >= p.settings.attempts) return this.completed(p, null);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        const again = acd.join(callId, p.request.queueId, p.request.priority, this.waiter(p));
        if (!again.ok || again.status !== 'queued') this.completed(p, null);
      }, p.settings.retry_delay);
      this.timers.add(timer);
      return;
    }
    this.completed(p, agentId);
    report.answeredAt = this.now();
    const b = bridge(joined.agent, joined.caller, joined.media);
    this.o.onBridged?.(b);
    const by = await b.ended;
    acd.callEnded(callId);
    await joined.close();
    // In the callback's own terms the agent called the caller: 'caller' is the agent.
    report.hungUpBy = by;
    this.ended(report, 200, 'OK');
  }

  /** One attempt's report: from the queue to the caller's number, through the agent. */
  private report(p: Pending): CallReport {
    const trunk = this.callerTrunk(p);
    return {
      callId: `${p.request.callId};callback=${p.attempts + 1}`,
      from: p.request.queueId,
      to: p.request.user ?? p.request.number,
      ...(trunk === undefined ? {} : { trunk }),
      rule: null,
      path: [`callback:${p.request.queueId}`],
      legs: [],
      startedAt: this.now(),
      endedAt: 0,
      status: 0,
      reason: '',
    };
  }

  private ended(report: CallReport, status: number, reason: string): void {
    report.endedAt = this.now();
    report.status = status;
    report.reason = reason;
    report.hungUpBy ??= 'system';
    try {
      this.o.onCallEnd?.(report);
    } catch (err) {
      this.logger.error({ err }, 'callback report failed');
    }
  }

  private leg(report: CallReport, target: string, uri: string): LegRecord {
    const record: LegRecord = { target, uri, startedAt: this.now(), endedAt: 0, outcome: 'cancelled' };
    report.legs.push(record);
    return record;
  }

  private legEnded(record: LegRecord, status: number | undefined): void {
    record.endedAt = this.now();
    record.outcome = status === 200 ? 'answered' : status === undefined ? 'no_answer' : outcomeOfStatus(status);
    if (status !== undefined) record.status = status;
  }

  private completed(p: Pending, agentId: string | null): void {
    this.o.acd.events.callbackCompleted({
      callId: p.request.callId,
      queueId: p.request.queueId,
      result: agentId === null ? 'failed' : 'connected',
      agentId,
      attempts: p.attempts,
    });
  }

  /** The agent's first reachable contact, INVITE without SDP; resolves with the answered, un-ACKed leg. */
  private async ringAgent(agentId: string, timeoutMs: number, report: CallReport): Promise<ThirdPartyLeg | undefined> {
    const user = this.o.acd.userOf(agentId);
    const group = dialGroup({ kind: 'user', user, registered: true, contacts: this.o.config.users[user]?.contacts ?? [], timeoutMs }, this.o.dial);
    const leg = group.legs[0];
    if (leg === undefined) return undefined;
    report.path.push(`agent:${agentId}`);
    const record = this.leg(report, agentId, leg.uri);
    let request: Srf.SrfRequest | undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      request?.cancel(() => {});
    }, timeoutMs);
    try {
      const answered = (await this.o.srf.createUAC(leg.uri, { noAck: true, ...(leg.via === undefined ? {} : { proxy: leg.via }) } as Srf.CreateUACOptions, {
        cbRequest: ((err: unknown, r: Srf.SrfRequest) => {
          if (err) return;
          request = r;
          if (timedOut) r.cancel(() => {});
        }) as unknown as (req: Srf.SrfRequest) => void,
      })) as unknown as ThirdPartyLeg;
      this.legEnded(record, 200);
      return answered;
    } catch (err) {
      this.legEnded(record, timedOut ? undefined : ((err as { status?: number }).status ?? 500));
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Calls the caller with the agent's offer; on answer, ACKs the agent with the caller's answer. */
  private async callCaller(p: Pending, agentLeg: ThirdPartyLeg, report: CallReport): Promise<Joined | undefined> {
    const legs = this.callerLegs(p);
    const media = this.o.media;
    const session = media !== undefined && media.available() ? media.sessions.open(`callback-${p.request.callId}-${p.attempts}`, AGENT_TAG) : undefined;
    const close = async (): Promise<void> => {
      await session?.close();
    };
    try {
      const offer = session === undefined ? agentLeg.sdp : await session.offer(agentLeg.sdp, { options: media!.options(this.callerTrunk(p)) });
      for (const leg of legs) {
        let caller: Srf.Dialog;
        const record = this.leg(report, p.request.user ?? p.request.number, leg.uri);
        try {
          caller = await this.o.srf.createUAC(leg.uri, { localSdp: offer, headers: { From: `<sip:${p.request.queueId}@localhost>` }, ...(leg.via === undefined ? {} : { proxy: leg.via }) });
          this.legEnded(record, 200);
        } catch (err) {
          this.legEnded(record, (err as { status?: number }).status ?? 500);
          continue;
        }
        const remote = (caller as unknown as { remote: { sdp: string } }).remote.sdp;
        try {
          const forAgent = session === undefined ? remote : await session.answer(remote, { to: CALLER_TAG, options: media!.options(undefined) });
          const agent = await agentLeg.ack(forAgent);
          return { agent, caller, close, ...(session === undefined ? {} : { media: bridgeMediaOf(session) }) };
        } catch (err) {
          this.logger.warn({ err, callId: p.request.callId }, 'callback could not join the agent and the caller');
          hangUp(caller);
          break;
        }
      }
    } catch (err) {
      this.logger.warn({ err, callId: p.request.callId }, 'callback media could not be set up');
    }
    await close();
    return undefined;
  }

  private callerTrunk(p: Pending): string | undefined {
    return p.settings.trunk ?? p.request.trunk;
  }

  /** An internal caller's phones, else the number through the trunk's gateways (in failover order). */
  private callerLegs(p: Pending): readonly DialLeg[] {
    const { request } = p;
    if (request.user !== undefined) {
      return dialGroup({ kind: 'user', user: request.user, registered: true, contacts: this.o.config.users[request.user]?.contacts ?? [], timeoutMs: 0 }, this.o.dial).legs;
    }
    const trunk = this.callerTrunk(p);
    const gateways = trunk === undefined ? [] : (this.o.config.trunks[trunk]?.outbound?.gateways ?? []);
    return dialGroup({ kind: 'number', number: request.number, trunk: trunk ?? '', gateways, timeoutMs: 0 }, this.o.dial).legs;
  }
}

/** drachtio-srf's answer to a createUAC with noAck: the far end's offer, and the ACK carrying ours. */
interface ThirdPartyLeg {
  readonly sdp: string;
  ack(sdp: string): Promise<Srf.Dialog>;
  destroy(): Promise<void>;
}

interface Joined {
  readonly agent: Srf.Dialog;
  readonly caller: Srf.Dialog;
  readonly media?: BridgeMedia;
  close(): Promise<void>;
}

/** In the callback's rtpengine call the agent is the offerer (A) and the caller the answerer (B). */
function bridgeMediaOf(session: NonNullable<ReturnType<CallMedia['sessions']['get']>>): BridgeMedia {
  return {
    offer: (fromAgent, sdp) => (fromAgent ? session.offer(sdp, { from: AGENT_TAG, to: CALLER_TAG }) : session.offer(sdp, { from: CALLER_TAG, to: AGENT_TAG })),
    answer: (fromAgent, sdp) => (fromAgent ? session.answer(sdp, { from: AGENT_TAG, to: CALLER_TAG }) : session.answer(sdp, { from: CALLER_TAG, to: AGENT_TAG })),
  };
}
