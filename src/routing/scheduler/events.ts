/**
 * Queue events, the input of the queue log, metrics and the wallboard. Each state change
 * is reported once, in the order it happened, stamped with the `now` of the operation
 * that caused it. They are delivered to `SchedulerOptions.onEvent` when the operation's
 * state is complete, so a listener may read the scheduler (and even call it again).
 *
 * Every ring of an agent ends with exactly one of call-answered (that agent),
 * offer-missed or offer-withdrawn.
 *
 * @example
 *   const log: SchedulerEvent[] = [];
 *   const scheduler = new QueueScheduler(specs, { onEvent: (e) => log.push(e) });
 *   // log: [{ type: 'call-entered', at: 1000, callId: 'c1', queueId: 'support', priority: 0 }, …]
 */
import type { AgentState } from './agent-state.js';

export type SchedulerEvent =
  | CallEntered
  | CallOffered
  | OfferMissed
  | OfferWithdrawn
  | CallAnswered
  | CallAbandoned
  | CallOverflowed
  | CallCompleted
  | AgentStateChanged;

interface Base {
  /** Epoch ms of the operation that caused the change. */
  readonly at: number;
}

export interface CallEntered extends Base {
  readonly type: 'call-entered';
  readonly callId: string;
  readonly queueId: string;
  readonly priority: number;
}

export interface CallOffered extends Base {
  readonly type: 'call-offered';
  readonly callId: string;
  readonly queueId: string;
  readonly agentIds: readonly string[];
}

/** The agent did not answer (ring timeout, busy, declined, unreachable). */
export interface OfferMissed extends Base {
  readonly type: 'offer-missed';
  readonly callId: string;
  readonly queueId: string;
  readonly agentId: string;
  /** The agent's consecutive misses, this one included. */
  readonly missedInARow: number;
}

/** The ring was stopped through no fault of the agent: answered elsewhere, caller gone, host cancelled. */
export interface OfferWithdrawn extends Base {
  readonly type: 'offer-withdrawn';
  readonly callId: string;
  readonly queueId: string;
  readonly agentId: string;
}

export interface CallAnswered extends Base {
  readonly type: 'call-answered';
  readonly callId: string;
  readonly queueId: string;
  readonly agentId: string;
  readonly waitedMs: number;
}

export interface CallAbandoned extends Base {
  readonly type: 'call-abandoned';
  readonly callId: string;
  readonly queueId: string;
  readonly waitedMs: number;
}

export interface CallOverflowed extends Base {
  readonly type: 'call-overflowed';
  readonly callId: string;
  readonly queueId: string;
  /** max-offers: the host took it out after `offer.retries` missed offers (QueueScheduler.overflow). */
  readonly reason: 'max-size' | 'max-wait' | 'max-offers';
  readonly waitedMs: number;
}

/** An answered call ended (callEnded). */
export interface CallCompleted extends Base {
  readonly type: 'call-completed';
  readonly callId: string;
  readonly queueId: string;
  readonly agentId: string;
  readonly talkMs: number;
}

/** The agent's displayed state or pause reason changed. */
export interface AgentStateChanged extends Base {
  readonly type: 'agent-state';
  readonly agentId: string;
  readonly from: AgentState;
  readonly to: AgentState;
  readonly pauseReason: string | undefined;
}
