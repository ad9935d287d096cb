/**
 * What the agent state machine needs to know about each agent, from the configuration.
 * Limits come from the scheduler's own mapping (routing/scheduler-specs.ts), so the state
 * machine and the scheduler apply the same max calls, wrap-up and auto-pause threshold.
 *
 * | field                  | from the configuration                                           |
 * | ---------------------- | ---------------------------------------------------------------- |
 * | `user`                 | agents.<id>.user (default: the user named like the agent)        |
 * | `maxCalls`             | max_calls                                                        |
 * | `wrapUpMs`             | wrap_up                                                          |
 * | `maxMissedOffers`      | auto_pause_after, else the smallest offer.auto_pause_after of    |
 * |                        | the agent's queues; absent: never                                |
 * | `registrationRequired` | the user has no static `contacts`: without a live registration   |
 * |                        | nothing can ring, so the agent is logged out                     |
 *
 * @example
 *   const agents = acdAgentConfigs(config);
 *   // [{ id: 'alice', user: 'alice', maxCalls: 1, wrapUpMs: 15000, maxMissedOffers: 3, registrationRequired: true }]
 */
import type { Config } from '../config/schema/config.js';
import { toSchedulerSpecs } from '../routing/scheduler-specs.js';

export interface AcdAgentConfig {
  readonly id: string;
  /** The SIP user whose registration logs the agent in and out. */
  readonly user: string;
  readonly maxCalls: number;
  readonly wrapUpMs: number;
  /** Auto-pause after this many missed offers in a row; undefined: never. */
  readonly maxMissedOffers?: number;
  readonly registrationRequired: boolean;
}

export function acdAgentConfigs(config: Config): AcdAgentConfig[] {
  return toSchedulerSpecs(config).agents.map((spec) => {
    const user = config.agents[spec.id]?.user ?? spec.id;
    return {
      id: spec.id,
      user,
      maxCalls: spec.maxCalls,
      wrapUpMs: spec.wrapUpMs,
      ...(spec.maxMissedOffers === undefined ? {} : { maxMissedOffers: spec.maxMissedOffers }),
      registrationRequired: config.users[user]?.contacts === undefined,
    };
  });
}
