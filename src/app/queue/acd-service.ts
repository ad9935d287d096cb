/**
 * The ACD on a running Switchboard: the queue scheduler (who gets which call), the agent
 * state machine (registrations, admin API, call events), the queue event stream and its
 * log, wired as docs/acd.md describes, plus the host duties the scheduler leaves to us:
 * one timer at the scheduler's next deadline, and a dispatch soon after every change,
 * whose offers and overflows go to the waiting calls (`QueueWaiter`, one per call, kept
 * by src/app/queue/queue-step.ts).
 *
 * Dispatch is batched: any number of changes in one turn of the event loop cost one
 * dispatch (setImmediate), so a burst of calls or agents does not dispatch per change.
 *
 * @example
 *   const acd = new AcdService({ config, registrations, clock, logger });
 *   acd.join('call-1', 'support', 0, { offer: (agents) => …, overflow: (o) => … });
 *   …
 *   await acd.close();
 */
import { acdAdminModel, acdAgentConfigs, agentRegistrations, AgentStates, connectScheduler, QueueEvents, type AcdAgentConfig, type SchedulerFeed } from '../../acd/index.js';
import type { AdminModel } from '../../api/admin-model.js';
import type { Config } from '../../config/index.js';
import { feedRegistrations, type RegistrationStore } from '../../registrar/index.js';
import { toSchedulerSpecs } from '../../routing/index.js';
import { QueueScheduler } from '../../routing/scheduler/index.js';
import type { EnqueueResult, Overflow, PositionResult, ReleaseResult, TransitionResult } from '../../routing/scheduler/results.js';
import type { Clock } from '../../util/clock.js';
import { silentLogger, type Logger } from '../../util/logger.js';

/** What a waiting call hears from the ACD. */
export interface QueueWaiter {
  /** Ring these agents (one, or every qualified free agent for ring-all). */
  offer(agentIds: readonly string[]): void;
  /** The call waited max_wait: it has left the queue; run on_timeout. */
  overflow(overflow: Overflow): void;
}

export interface AcdServiceOptions {
  readonly config: Config;
  readonly registrations: RegistrationStore;
  readonly clock: Clock;
  readonly logger?: Logger;
}

export class AcdService {
  readonly scheduler: QueueScheduler;
  readonly agents: AgentStates;
  readonly events: QueueEvents;
  readonly admin: AdminModel;
  private readonly agentConfigs: ReadonlyMap<string, AcdAgentConfig>;
  private readonly waiters = new Map<string, QueueWaiter>();
  private readonly feed: SchedulerFeed;
  private readonly stopRegistrations: () => void;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private timerDue: number | undefined;
  private dispatchQueued = false;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(options: AcdServiceOptions) {
    this.clock = options.clock;
    this.logger = (options.logger ?? silentLogger).child({ module: 'acd' });
    const configs = acdAgentConfigs(options.config);
    this.agentConfigs = new Map(configs.map((c) => [c.id, c]));
    this.agents = new AgentStates({ agents: configs, clock: this.clock, logger: this.logger });
    this.events = new QueueEvents({
      clock: this.clock,
      ...(options.config.queue_log.path === undefined ? {} : { log: { path: options.config.queue_log.path } }),
      logger: this.logger,
    });
    this.agents.onChange((change) => this.events.agentStateChanged(change));
    const specs = toSchedulerSpecs(options.config);
    let feed: SchedulerFeed | undefined;
    this.scheduler = new QueueScheduler(specs, {
      // The call event first, then the agent state change it causes: that is the log order.
      onEvent: (e) => {
        this.events.fromScheduler(e);
        feed?.onSchedulerEvent(e);
      },
    });
    feed = connectScheduler(this.agents, this.scheduler, { afterChange: () => this.dispatchSoon(), logger: this.logger });
    this.feed = feed;
    this.stopRegistrations = feedRegistrations(options.registrations, agentRegistrations(this.agents, configs));
    this.admin = acdAdminModel({ agents: this.agents, scheduler: this.scheduler, queues: specs.queues });
    // Static contacts are a registration that never lapses: those agents start logged in.
    for (const c of configs) if (!c.registrationRequired) this.agents.login(c.id);
    this.dispatchSoon();
  }

  /** The SIP user whose phones ring for this agent. */
  userOf(agentId: string): string {
    return this.agentConfigs.get(agentId)?.user ?? agentId;
  }

  /** Puts a call in line; `waiter` hears its offers and overflow until leave() or the end of the call. */
  join(callId: string, queueId: string, priority: number, waiter: QueueWaiter): EnqueueResult {
    const r = this.scheduler.enqueue({ callId, queueId, priority, now: this.clock.now() });
    if (r.ok && r.status === 'queued') {
      this.waiters.set(callId, waiter);
      this.dispatchSoon();
    }
    return r;
  }

  /** The caller hung up while waiting or ringing: counted as abandoned. Returns agents whose ringing must stop. */
  abandon(callId: string): ReleaseResult {
    this.waiters.delete(callId);
    const r = this.scheduler.abandon(callId, this.clock.now());
    this.dispatchSoon();
    return r;
  }

  position(callId: string): PositionResult {
    return this.scheduler.position(callId);
  }

  offerAnswered(callId: string, agentId: string): ReleaseResult {
    const r = this.scheduler.offerAnswered(callId, agentId, this.clock.now());
    this.dispatchSoon();
    return r;
  }

  /** The agent did not answer (ring timeout, busy, unreachable): the call goes back to its place. */
  offerMissed(callId: string, agentId: string): TransitionResult {
    const r = this.scheduler.offerMissed(callId, agentId, this.clock.now());
    this.dispatchSoon();
    return r;
  }

  /** The offer to this agent ended without a verdict on the agent (another agent answered first). */
  offerCancelled(callId: string, agentId: string): TransitionResult {
    const r = this.scheduler.offerCancelled(callId, agentId, this.clock.now());
    this.dispatchSoon();
    return r;
  }

  /** An answered queue call ended: the agent goes to wrap-up. */
  callEnded(callId: string): TransitionResult {
    this.waiters.delete(callId);
    const r = this.scheduler.callEnded(callId, this.clock.now());
    this.dispatchSoon();
    return r;
  }

  /** Hands a queued call's offers to someone else (a callback keeps the caller's place). */
  replaceWaiter(callId: string, waiter: QueueWaiter): void {
    if (this.waiters.has(callId)) this.waiters.set(callId, waiter);
  }

  /** Takes a waiting call out of line to run its overflow action (offer retries used up). */
  overflow(callId: string): TransitionResult {
    this.waiters.delete(callId);
    const r = this.scheduler.overflow(callId, this.clock.now());
    this.dispatchSoon();
    return r;
  }

  /** Stops the waiter hearing offers (the call left the queue by overflow). */
  forget(callId: string): void {
    this.waiters.delete(callId);
  }

  /** Calls in a queue (waiting or being offered), for routing conditions. */
  queueSize(queueId: string): number {
    const s = this.scheduler.queueStatus(queueId, this.clock.now());
    return s.ok ? s.queue.size : 0;
  }

  /** Stops timers and feeds and flushes the queue log. Idempotent: every call gets the same promise. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.stopRegistrations();
    this.feed.stop();
    this.agents.close();
    await this.events.close();
  }

  private dispatchSoon(): void {
    if (this.dispatchQueued || this.closed) return;
    this.dispatchQueued = true;
    setImmediate(() => {
      this.dispatchQueued = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    if (this.closed) return;
    const now = this.clock.now();
    const { offers, overflows } = this.scheduler.dispatch(now);
    for (const o of overflows) {
      const waiter = this.waiters.get(o.callId);
      this.waiters.delete(o.callId);
      this.tell(() => waiter?.overflow(o));
    }
    for (const o of offers) {
      const waiter = this.waiters.get(o.callId);
      if (waiter === undefined) {
        // No call behind it any more: give the agents back at once.
        for (const agentId of o.agentIds) this.scheduler.offerCancelled(o.callId, agentId, now);
        continue;
      }
      this.tell(() => waiter.offer(o.agentIds));
    }
    this.armTimer(now);
  }

  private tell(f: () => void): void {
    try {
      f();
    } catch (err) {
      this.logger.error({ err }, 'queue waiter failed');
    }
  }

  private armTimer(now: number): void {
    const due = this.scheduler.nextDeadline();
    if (due === this.timerDue) return;
    clearTimeout(this.timer);
    this.timerDue = due;
    if (due === undefined) return;
    this.timer = setTimeout(() => {
      this.timerDue = undefined;
      this.dispatch();
    }, Math.max(0, due - now));
  }
}
