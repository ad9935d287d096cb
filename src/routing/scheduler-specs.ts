/**
 * Maps the configuration's `queues` and `agents` onto the queue scheduler's inputs.
 *
 * | scheduler field          | from the configuration                                            |
 * |--------------------------|-------------------------------------------------------------------|
 * | QueueSpec.stages         | [{ afterMs: 0, need: skills.need }, ...skills.relax (after, need)] |
 * | QueueSpec.agingMs        | aging                                                             |
 * | QueueSpec.maxSize/WaitMs | max_size / max_wait (absent: unbounded)                           |
 * | QueueSpec.members        | members, in the listed order                                      |
 * | AgentSpec.maxCalls       | max_calls                                                         |
 * | AgentSpec.wrapUpMs       | wrap_up                                                           |
 * | AgentSpec.maxMissedOffers| the agent's auto_pause_after, else the smallest                   |
 * |                          | offer.auto_pause_after of the queues the agent is a member of      |
 *
 * @example
 *   const { queues, agents } = toSchedulerSpecs(config);
 *   queues[0]; // { id: 'support', strategy: 'longest-idle', stages: [...], agingMs: 60000, members: ['alice', 'bob'] }
 */
import type { Config } from '../config/schema/config.js';
import type { AgentSpec, QueueSpec } from './scheduler/types.js';

export function toSchedulerSpecs(config: Config): { queues: QueueSpec[]; agents: AgentSpec[] } {
  const queues = Object.entries(config.queues).map(([id, q]): QueueSpec => ({
    id,
    strategy: q.strategy,
    stages: [{ afterMs: 0, need: q.skills.need }, ...q.skills.relax.map((r) => ({ afterMs: r.after, need: r.need }))],
    agingMs: q.aging,
    ...(q.max_size === undefined ? {} : { maxSize: q.max_size }),
    ...(q.max_wait === undefined ? {} : { maxWaitMs: q.max_wait }),
    members: q.members,
  }));

  const queuePause = new Map<string, number>();
  for (const q of Object.values(config.queues)) {
    const limit = q.offer.auto_pause_after;
    if (limit === undefined) continue;
    for (const member of q.members) queuePause.set(member, Math.min(limit, queuePause.get(member) ?? Infinity));
  }
  const agents = Object.entries(config.agents).map(([id, a]): AgentSpec => {
    const maxMissedOffers = a.auto_pause_after ?? queuePause.get(id);
    return {
      id,
      skills: a.skills,
      maxCalls: a.max_calls,
      wrapUpMs: a.wrap_up,
      ...(maxMissedOffers === undefined ? {} : { maxMissedOffers }),
    };
  });
  return { queues, agents };
}
