/**
 * Keeps the agent state machine (agent-states.ts) and the queue scheduler
 * (routing/scheduler/) in step, without either knowing the other. Each is the source of
 * the facts it learns first:
 *
 * | fact                                  | learnt by          | reaches the other through                                  |
 * | ------------------------------------- | ------------------ | ---------------------------------------------------------- |
 * | logged in / out (registration, admin) | the state machine  | machine change → scheduler login / logout                  |
 * | pause reason (admin)                  | the state machine  | machine change → scheduler pause / unpause                 |
 * | a call offered to agents              | the scheduler      | call-offered → offer, for each agent rung                  |
 * | answered / missed / withdrawn ring    | the scheduler      | call-answered / offer-missed / offer-withdrawn →           |
 * |                                       |                    | offerAnswered / offerMissed / offerWithdrawn               |
 * | an answered call ended                | the scheduler      | call-completed → callEnded (wrap-up starts in both)        |
 * | busy counts, max calls, wrap-up,      | both, by the same  | not sent: both apply the same limits (agent-config.ts maps |
 * | missed-offer auto-pause               | rules              | them from the scheduler's specs), at the same instants     |
 *
 * The scheduler's own `agent-state` events are not forwarded: the machine derives its
 * state itself, and the queue log takes agent state changes from the machine only.
 *
 * Presence is reconciled rather than replayed: after every change the machine reports,
 * the feed compares the machine's logged-in flag and pause reason with the scheduler's
 * and issues the login / logout / pause / unpause that make them equal. So a change the
 * scheduler already made itself (the auto-pause after N misses) is not applied twice,
 * and one the machine makes alone (a logout deferred until a call without registration
 * ends) reaches the scheduler. A refusal on either side means the two disagree: it is
 * logged, never thrown into the other.
 *
 * In the scheduler's `onEvent`, give the event to the queue events first and to the
 * feed second, so that the queue log shows a call event before the agent state change
 * it causes.
 *
 * @example
 *   let feed: SchedulerFeed | undefined;
 *   const scheduler = new QueueScheduler(specs, { onEvent: (e) => { queueEvents.fromScheduler(e); feed?.onSchedulerEvent(e); } });
 *   feed = connectScheduler(agents, scheduler, { afterChange: () => host.dispatchSoon() });
 *   agents.registered('alice');   // the scheduler logs alice in; the host dispatches
 */
import type { QueueScheduler, SchedulerEvent } from '../routing/scheduler/index.js';
import { silentLogger, type Logger } from '../util/logger.js';
import type { AgentStateChange, AgentStates } from './agent-states.js';

/** The scheduler operations the feed needs (QueueScheduler has them). */
export type SchedulerAgentPort = Pick<QueueScheduler, 'login' | 'logout' | 'pause' | 'unpause' | 'agentStatus'>;

export interface SchedulerFeedOptions {
  /** Called after the feed changed the scheduler (the host should dispatch soon). */
  readonly afterChange?: () => void;
  readonly logger?: Logger;
}

export interface SchedulerFeed {
  /** Give every scheduler event here (from SchedulerOptions.onEvent). */
  onSchedulerEvent(event: SchedulerEvent): void;
  /** Stops following the machine's changes. */
  stop(): void;
}

/** Connects the two and brings the scheduler's presence in line with the machine's records now. */
export function connectScheduler(agents: AgentStates, scheduler: SchedulerAgentPort, options: SchedulerFeedOptions = {}): SchedulerFeed {
  const logger = options.logger ?? silentLogger;

  /** Issues the scheduler operations that make its presence equal to the machine's. Returns whether any ran. */
  const reconcile = (agentId: string, now: number): boolean => {
    const status = scheduler.agentStatus(agentId);
    if (!status.ok) {
      logger.error({ agentId }, 'agent unknown to the scheduler');
      return false;
    }
    const want = agents.get(agentId);
    const steps: Array<() => ReturnType<SchedulerAgentPort['login']>> = [];
    const loggedIn = status.agent.state !== 'logged-out';
    if (!want.loggedIn) {
      if (loggedIn) steps.push(() => scheduler.logout(agentId, now));
    } else {
      if (!loggedIn) steps.push(() => scheduler.login(agentId, now));
      // A fresh login has no reason; otherwise compare the scheduler's current one.
      const reason = loggedIn ? status.agent.pauseReason : undefined;
      if (reason !== want.pauseReason) {
        if (reason !== undefined) steps.push(() => scheduler.unpause(agentId, now));
        if (want.pauseReason !== undefined) {
          const wanted = want.pauseReason;
          steps.push(() => scheduler.pause(agentId, wanted, now));
        }
      }
    }
    for (const step of steps) {
      const result = step();
      if (!result.ok) {
        logger.error({ agentId, refusal: result.message }, 'the scheduler refused an agent change the state machine made');
        break;
      }
    }
    return steps.length > 0;
  };

  const onChange = (change: AgentStateChange): void => {
    if (reconcile(change.agentId, change.at)) options.afterChange?.();
  };

  /** Replays one scheduler fact on the machine; a refusal means the two disagree. */
  const apply = (event: SchedulerEvent, agentId: string, op: (id: string) => unknown): void => {
    try {
      op(agentId);
    } catch (err) {
      logger.error({ err, agentId, event }, 'the agent state machine refused a scheduler event');
    }
  };

  const onSchedulerEvent = (event: SchedulerEvent): void => {
    switch (event.type) {
      case 'call-offered':
        for (const agentId of event.agentIds) apply(event, agentId, (id) => agents.offer(id, event.callId, event.at));
        return;
      case 'call-answered':
        return apply(event, event.agentId, (id) => agents.offerAnswered(id, event.callId, event.at));
      case 'offer-missed':
        return apply(event, event.agentId, (id) => agents.offerMissed(id, event.callId, event.at));
      case 'offer-withdrawn':
        return apply(event, event.agentId, (id) => agents.offerWithdrawn(id, event.callId, event.at));
      case 'call-completed':
        return apply(event, event.agentId, (id) => agents.callEnded(id, event.callId, event.at));
      default:
        return; // calls waiting, leaving, overflowing; the scheduler's own agent-state
    }
  };

  const unsubscribe = agents.onChange(onChange);
  let changed = false;
  const now = agents.now();
  for (const record of agents.list()) changed = reconcile(record.id, now) || changed;
  if (changed) options.afterChange?.();
  return { onSchedulerEvent, stop: unsubscribe };
}
