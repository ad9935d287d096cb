/**
 * The ACD queue scheduler: public API. See scheduler.ts for the data structure and
 * docs/scheduler.md for the behaviour.
 *
 * @example
 *   import { QueueScheduler, type QueueSpec, type AgentSpec } from './routing/scheduler/index.js';
 *   const scheduler = new QueueScheduler({ queues, agents }, { onEvent });
 */
export { QueueScheduler, type EnqueueRequest, type SchedulerOptions } from './scheduler.js';
export { AGENT_STATES, MISSED_OFFERS_REASON, type AgentState } from './agent-state.js';
export type * from './events.js';
export type * from './results.js';
export type * from './types.js';
