/**
 * What the admin HTTP API reads and changes, as an interface: the server
 * (admin-server.ts) is tested with fakes, and acd/admin-view.ts implements it on the
 * agent state machine and the queue scheduler. Views are the JSON bodies as sent:
 * instants are ISO 8601 UTC strings, absent values are null.
 *
 * @example
 *   const model: AdminModel = acdAdminModel({ agents, scheduler, queues: specs.queues });
 *   model.agent('alice');  // { id: 'alice', state: 'available', since: '2026-11-22T09:00:00.000Z', … }
 *   model.setAgentState('alice', { state: 'paused', reason: 'lunch' }); // or throws AgentStateError
 */
import type { AgentState } from '../acd/agent-state-store.js';
import { AgentStateError, type AgentStateRequest } from '../acd/agent-states.js';
import type { QueueStrategy } from '../routing/scheduler/index.js';

export interface AgentView {
  readonly id: string;
  readonly state: AgentState;
  /** When the state or pause reason last changed. */
  readonly since: string;
  readonly pauseReason: string | null;
  readonly registered: boolean;
  /** The call ringing the agent. */
  readonly offeredCallId: string | null;
  /** Answered calls in progress. */
  readonly callIds: readonly string[];
  readonly maxCalls: number;
  /** When wrap-up ends, while in wrap-up. */
  readonly wrapUpUntil: string | null;
  readonly missedInARow: number;
  /** Since login. */
  readonly missedOffers: number;
  /** Since login. */
  readonly answeredCalls: number;
}

export interface QueueView {
  readonly id: string;
  readonly strategy: QueueStrategy;
  /** Calls in the queue, waiting or being offered. */
  readonly size: number;
  readonly waiting: number;
  readonly offered: number;
  readonly oldestWaitMs: number | null;
  /** For a caller joining now; null without a basis (no completed call, nobody staffed). */
  readonly estimatedWaitMs: number | null;
  readonly averageHandleMs: number | null;
  /** Sum of max calls over logged-in, unpaused members who can take the queue's calls. */
  readonly staffedCapacity: number;
  readonly members: readonly string[];
  /** Members by state. */
  readonly agents: Readonly<Record<AgentState, number>>;
}

export interface AdminModel {
  agents(): readonly AgentView[];
  agent(agentId: string): AgentView | undefined;
  queues(): readonly QueueView[];
  queue(queueId: string): QueueView | undefined;
  /**
   * `POST /agents/{id}/state`. Throws AgentStateError: 'SB_AGENT_UNKNOWN' (404),
   * 'SB_AGENT_TRANSITION' (409).
   */
  setAgentState(agentId: string, request: AgentStateRequest): AgentView;
}

/** The model of a Switchboard without queues: no agents, no queues. */
export const NO_ACD_MODEL: AdminModel = Object.freeze({
  agents: () => [],
  agent: () => undefined,
  queues: () => [],
  queue: () => undefined,
  setAgentState: (agentId: string): never => {
    throw new AgentStateError('SB_AGENT_UNKNOWN', agentId, `no agent "${agentId}": this configuration has no queues or agents`);
  },
});
