/**
 * ACD building blocks without SIP or media: the agent state machine and its store, the
 * feeds that connect it to registrations and to the queue scheduler, the queue event
 * stream with its log file, and the admin API's model. docs/acd.md describes them.
 *
 * @example
 *   import { AgentStates, acdAgentConfigs, connectScheduler, QueueEvents, acdAdminModel } from './acd/index.js';
 *   const agents = new AgentStates({ agents: acdAgentConfigs(config), clock });
 */
export { acdAdminModel, type AcdAdminModelOptions } from './admin-view.js';
export { acdAgentConfigs, type AcdAgentConfig } from './agent-config.js';
export { AGENT_STATES, InMemoryAgentStateStore, type AgentRecord, type AgentState, type AgentStateStore } from './agent-state-store.js';
export {
  AgentStateError,
  AgentStates,
  DEFAULT_PAUSE_REASON,
  MISSED_OFFERS_REASON,
  type AgentOperation,
  type AgentStateChange,
  type AgentStateListener,
  type AgentStateRequest,
  type AgentStatesOptions,
  type RequestedAgentState,
} from './agent-states.js';
export {
  QueueEvents,
  type QueueEvent,
  type QueueEventListener,
  type QueueEventRecord,
  type QueueEventsOptions,
  type QueueEventType,
  type QueueLogLine,
} from './queue-events.js';
export { agentRegistrations } from './registration-feed.js';
export { connectScheduler, type SchedulerAgentPort, type SchedulerFeed, type SchedulerFeedOptions } from './scheduler-feed.js';
