/**
 * What the scheduler's operations return. Runtime problems the host can cause from the
 * outside (an admin naming an unknown agent, a state change that is not allowed now)
 * are returned, never thrown: `not-found` maps to HTTP 404 and `illegal-transition` to
 * 409. Programming errors (non-finite time, a non-integer priority) throw
 * SwitchboardError 'SB_SCHEDULER_INPUT'.
 *
 * @example
 *   const r = scheduler.pause('alice', 'lunch', now);
 *   if (!r.ok) reply(r.error === 'not-found' ? 404 : 409, { error: r.message });
 */
import type { AgentState } from './agent-state.js';
import type { QueueStrategy } from './types.js';

export interface NotFound {
  readonly ok: false;
  readonly error: 'not-found';
  readonly entity: 'agent' | 'call' | 'queue';
  readonly id: string;
  readonly message: string;
}

export interface IllegalTransition {
  readonly ok: false;
  readonly error: 'illegal-transition';
  readonly message: string;
}

export type Failure = NotFound | IllegalTransition;

export interface Done {
  readonly ok: true;
}

export type TransitionResult = Done | Failure;

export type EnqueueResult =
  | { readonly ok: true; readonly status: 'queued' }
  /** The queue is full: the call was not queued; run the queue's overflow action. */
  | { readonly ok: true; readonly status: 'overflow'; readonly reason: 'max-size' }
  | Failure;

/** abandon and offerAnswered: the agent legs the host must cancel (still ringing). */
export type ReleaseResult = { readonly ok: true; readonly withdrawnAgentIds: readonly string[] } | Failure;

/** Ring these agents for this call; one agent, or every qualified free agent for ring-all. */
export interface Offer {
  readonly callId: string;
  readonly queueId: string;
  readonly agentIds: readonly string[];
}

/** A call removed from its queue because it waited maxWaitMs: run the overflow action. */
export interface Overflow {
  readonly callId: string;
  readonly queueId: string;
  readonly reason: 'max-wait';
  readonly waitedMs: number;
}

export interface DispatchResult {
  /** In the order the calls were matched: line order across all queues. */
  readonly offers: readonly Offer[];
  /** In the order the calls reached their max wait. */
  readonly overflows: readonly Overflow[];
}

export type PositionResult =
  | {
      readonly ok: true;
      readonly queueId: string;
      readonly state: 'waiting' | 'offered';
      /** 1 = next in line; 0 while an agent is being offered the call. */
      readonly position: number;
      /** See wait-estimator.ts; undefined when there is no basis for an estimate yet. */
      readonly estimatedWaitMs: number | undefined;
    }
  | NotFound;

export interface AgentStatus {
  readonly id: string;
  readonly state: AgentState;
  readonly pauseReason: string | undefined;
  readonly activeCalls: number;
  readonly maxCalls: number;
  /** The call ringing the agent, if any. */
  readonly offeredCallId: string | undefined;
  /** When wrap-up ends (epoch ms), while in wrap-up. */
  readonly wrapUpUntil: number | undefined;
  /** When the agent last became offerable (epoch ms), while offerable. */
  readonly idleSince: number | undefined;
  readonly answeredSinceLogin: number;
  readonly missedInARow: number;
}

export interface QueueStatus {
  readonly id: string;
  readonly strategy: QueueStrategy;
  /** Calls in the queue, waiting or being offered (what maxSize limits). */
  readonly size: number;
  readonly waiting: number;
  readonly offered: number;
  /** Wait of the longest-waiting call in the queue, undefined when empty. */
  readonly oldestWaitMs: number | undefined;
  readonly averageHandleMs: number | undefined;
  readonly staffedCapacity: number;
  /** Estimated wait of a caller joining now. */
  readonly estimatedWaitMs: number | undefined;
  /** Members by displayed state. */
  readonly agents: Readonly<Record<AgentState, number>>;
}

export interface SchedulerSnapshot {
  readonly at: number;
  readonly queues: readonly QueueStatus[];
  readonly agents: readonly AgentStatus[];
}
