/**
 * The admin API's model (api/admin-model.ts) on the live ACD: agents from the agent state
 * machine, queues from the scheduler's queue status, with members counted by the
 * machine's states (the ones the agent endpoints show). State changes go to the machine,
 * which the scheduler feed passes on to the scheduler.
 *
 * | view field                                   | from                                       |
 * | -------------------------------------------- | ------------------------------------------ |
 * | agent: state, since, reason, calls, counts   | the AgentStates record; maxCalls: config   |
 * | queue: size, waiting, offered, oldest wait,  | QueueScheduler.queueStatus(id, now)        |
 * | estimated wait, handle time, staffed         |                                            |
 * | queue: members, agents by state              | queue spec members, AgentStates records    |
 *
 * @example
 *   const model = acdAdminModel({ agents, scheduler, queues: toSchedulerSpecs(config).queues });
 *   const admin = await startAdminServer({ listen: config.admin.listen, token: config.admin.token, model });
 */
import type { AdminModel, AgentView, QueueView } from '../api/admin-model.js';
import type { QueueScheduler, QueueSpec } from '../routing/scheduler/index.js';
import { AGENT_STATES, type AgentRecord, type AgentState } from './agent-state-store.js';
import type { AgentStates } from './agent-states.js';

export interface AcdAdminModelOptions {
  readonly agents: AgentStates;
  readonly scheduler: Pick<QueueScheduler, 'queueStatus'>;
  /** The queues to show, in this order, with their members. */
  readonly queues: readonly Pick<QueueSpec, 'id' | 'members'>[];
}

export function acdAdminModel(options: AcdAdminModelOptions): AdminModel {
  const { agents, scheduler } = options;
  const queues = new Map(options.queues.map((q) => [q.id, q]));

  const agentView = (r: AgentRecord): AgentView => ({
    id: r.id,
    state: r.state,
    since: iso(r.since),
    pauseReason: r.pauseReason ?? null,
    registered: r.registered,
    offeredCallId: r.offeredCallId ?? null,
    callIds: r.callIds,
    maxCalls: agents.config(r.id).maxCalls,
    wrapUpUntil: r.wrapUpUntil === undefined ? null : iso(r.wrapUpUntil),
    missedInARow: r.missedInARow,
    missedOffers: r.missedOffers,
    answeredCalls: r.answeredCalls,
  });

  const queueView = (spec: Pick<QueueSpec, 'id' | 'members'>): QueueView | undefined => {
    const status = scheduler.queueStatus(spec.id, agents.now());
    if (!status.ok) return undefined;
    const q = status.queue;
    const byState = Object.fromEntries(AGENT_STATES.map((s) => [s, 0])) as Record<AgentState, number>;
    for (const id of spec.members) byState[agents.get(id).state]++;
    return {
      id: q.id,
      strategy: q.strategy,
      size: q.size,
      waiting: q.waiting,
      offered: q.offered,
      oldestWaitMs: q.oldestWaitMs ?? null,
      estimatedWaitMs: q.estimatedWaitMs ?? null,
      averageHandleMs: q.averageHandleMs ?? null,
      staffedCapacity: q.staffedCapacity,
      members: spec.members,
      agents: byState,
    };
  };

  return {
    agents: () => agents.list().map(agentView),
    agent: (id) => (agents.has(id) ? agentView(agents.get(id)) : undefined),
    queues: () => [...queues.values()].map(queueView).filter((v): v is QueueView => v !== undefined),
    queue: (id) => {
      const spec = queues.get(id);
      return spec === undefined ? undefined : queueView(spec);
    },
    setAgentState: (id, request) => agentView(agents.setState(id, request)),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
