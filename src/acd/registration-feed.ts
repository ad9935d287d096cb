/**
 * Registration → agent presence: a `RegisteredSink` for `feedRegistrations`
 * (registrar/routing-feed.ts) that turns a user's first live contact into `registered`
 * and the loss of the last one into `unregistered` for every agent of that user (an
 * agent names its user with `agents.<id>.user`; several agents may share a phone).
 *
 * @example
 *   const stop = feedRegistrations(registrationStore, agentRegistrations(agents, acdAgentConfigs(config)));
 *   // alice's phone registers -> agent alice logged_out -> available; it expires -> logged_out
 */
import type { RegisteredSink } from '../registrar/routing-feed.js';
import type { AcdAgentConfig } from './agent-config.js';
import type { AgentStates } from './agent-states.js';

export function agentRegistrations(agents: AgentStates, configs: readonly AcdAgentConfig[]): RegisteredSink {
  const agentsOf = new Map<string, string[]>();
  for (const c of configs) agentsOf.set(c.user, [...(agentsOf.get(c.user) ?? []), c.id]);
  return {
    setRegistered(user: string, registered: boolean): void {
      for (const id of agentsOf.get(user) ?? []) {
        if (registered) agents.registered(id);
        else agents.unregistered(id);
      }
    },
  };
}
