/**
 * Where agent state records live. The state machine (agent-states.ts) reads a record,
 * computes the next one and writes it back whole; records are immutable plain values, so
 * a shared store (e.g. Redis, keeping a local replica like the registration store would)
 * can copy them as they are and replace `InMemoryAgentStateStore` without touching the
 * machine.
 *
 * | field            | meaning                                                                  |
 * | ---------------- | ------------------------------------------------------------------------ |
 * | `state`          | the displayed state, derived from the facts below (stored for readers)   |
 * | `since`          | epoch ms of the last change of `state` or `pauseReason`                  |
 * | `loggedIn`       | logged in (by registration or the admin API)                             |
 * | `registered`     | the agent's user has a live registration                                 |
 * | `heldOut`        | logged out by the admin API: a registration does not log the agent in    |
 * | `pauseReason`    | set by pause or by too many missed offers; applies once the agent is idle |
 * | `offeredCallId`  | the call ringing the agent (one ring at a time)                          |
 * | `callIds`        | answered calls in progress (at most the agent's max calls)               |
 * | `wrapUpUntil`    | end of after-call work (epoch ms), while in wrap-up                      |
 * | `missedInARow`   | consecutive missed offers; reset by an answer, unpause or login          |
 * | `missedOffers`   | missed offers since login                                                |
 * | `answeredCalls`  | answered offers since login                                              |
 *
 * @example
 *   const store = new InMemoryAgentStateStore();
 *   store.put(record);
 *   store.get('alice')?.state; // 'available'
 */

export type AgentState = 'logged_out' | 'available' | 'offered' | 'on_call' | 'wrap_up' | 'paused';

export const AGENT_STATES: readonly AgentState[] = ['logged_out', 'available', 'offered', 'on_call', 'wrap_up', 'paused'];

export interface AgentRecord {
  readonly id: string;
  readonly state: AgentState;
  readonly since: number;
  readonly loggedIn: boolean;
  readonly registered: boolean;
  readonly heldOut: boolean;
  readonly pauseReason: string | undefined;
  readonly offeredCallId: string | undefined;
  readonly callIds: readonly string[];
  readonly wrapUpUntil: number | undefined;
  readonly missedInARow: number;
  readonly missedOffers: number;
  readonly answeredCalls: number;
}

/** Synchronous on purpose: the state machine's transitions are atomic read-modify-write steps. */
export interface AgentStateStore {
  get(agentId: string): AgentRecord | undefined;
  /** Replaces the agent's record. */
  put(record: AgentRecord): void;
  /** Every record, in the order first put. */
  all(): IterableIterator<AgentRecord>;
}

export class InMemoryAgentStateStore implements AgentStateStore {
  private readonly records = new Map<string, AgentRecord>();

  get(agentId: string): AgentRecord | undefined {
    return this.records.get(agentId);
  }

  put(record: AgentRecord): void {
    this.records.set(record.id, record);
  }

  all(): IterableIterator<AgentRecord> {
    return this.records.values();
  }
}
