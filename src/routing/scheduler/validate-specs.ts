/**
 * Checks the invariants the scheduler's indexes rely on. The config loader reports
 * operator mistakes with file positions first; anything that still reaches here is a bug
 * in the mapping, so it throws SB_SCHEDULER_INPUT naming the spec and the field.
 *
 * @example
 *   validateSpecs({ queues, agents }); // throws SwitchboardError('SB_SCHEDULER_INPUT', 'queue "support": …')
 */
import { SwitchboardError } from '../../util/errors.js';
import { relaxes } from './skills.js';
import type { AgentSpec, QueueSpec, QueueStrategy, SkillNeed } from './types.js';

const STRATEGIES: ReadonlySet<QueueStrategy> = new Set(['longest-idle', 'fewest-calls', 'round-robin', 'ring-all', 'linear']);

export interface SchedulerSpecs {
  readonly queues: readonly QueueSpec[];
  readonly agents: readonly AgentSpec[];
}

export function validateSpecs(specs: SchedulerSpecs): void {
  const agentIds = new Set<string>();
  for (const a of specs.agents) {
    const where = `agent "${a.id}"`;
    if (typeof a.id !== 'string' || a.id === '') fail(`agent id must be a non-empty string, got ${JSON.stringify(a.id)}`);
    if (agentIds.has(a.id)) fail(`${where} is defined twice`);
    agentIds.add(a.id);
    checkLevels(`${where} skills`, a.skills);
    if (!Number.isInteger(a.maxCalls) || a.maxCalls < 1) fail(`${where}: maxCalls must be an integer >= 1, got ${a.maxCalls}`);
    if (!Number.isFinite(a.wrapUpMs) || a.wrapUpMs < 0) fail(`${where}: wrapUpMs must be a finite number >= 0, got ${a.wrapUpMs}`);
    if (a.maxMissedOffers !== undefined && (!Number.isInteger(a.maxMissedOffers) || a.maxMissedOffers < 1)) {
      fail(`${where}: maxMissedOffers must be an integer >= 1 or undefined, got ${a.maxMissedOffers}`);
    }
  }

  const queueIds = new Set<string>();
  for (const q of specs.queues) {
    const where = `queue "${q.id}"`;
    if (typeof q.id !== 'string' || q.id === '') fail(`queue id must be a non-empty string, got ${JSON.stringify(q.id)}`);
    if (queueIds.has(q.id)) fail(`${where} is defined twice`);
    queueIds.add(q.id);
    if (!STRATEGIES.has(q.strategy)) fail(`${where}: unknown strategy "${q.strategy}" (allowed: ${[...STRATEGIES].join(', ')})`);
    if (!Number.isFinite(q.agingMs) || q.agingMs <= 0) {
      fail(`${where}: agingMs must be a finite number > 0 (the waiting time one priority level is worth), got ${q.agingMs}`);
    }
    if (q.maxSize !== undefined && (!Number.isInteger(q.maxSize) || q.maxSize < 0)) {
      fail(`${where}: maxSize must be an integer >= 0 or undefined, got ${q.maxSize}`);
    }
    if (q.maxWaitMs !== undefined && (!Number.isFinite(q.maxWaitMs) || q.maxWaitMs <= 0)) {
      fail(`${where}: maxWaitMs must be a finite number > 0 or undefined, got ${q.maxWaitMs}`);
    }
    checkStages(where, q);
    const members = new Set<string>();
    for (const m of q.members) {
      if (!agentIds.has(m)) fail(`${where}: member "${m}" is not a defined agent`);
      if (members.has(m)) fail(`${where}: member "${m}" is listed twice`);
      members.add(m);
    }
  }
}

function checkStages(where: string, q: QueueSpec): void {
  if (q.stages.length === 0) fail(`${where}: needs at least one skill stage (use { afterMs: 0, need: {} } for "any member")`);
  let previous: { afterMs: number; need: SkillNeed } | undefined;
  q.stages.forEach((stage, i) => {
    checkLevels(`${where} stage ${i} need`, stage.need);
    if (previous === undefined) {
      if (stage.afterMs !== 0) fail(`${where}: stage 0 must start at afterMs 0, got ${stage.afterMs}`);
    } else {
      if (!Number.isFinite(stage.afterMs) || stage.afterMs <= previous.afterMs) {
        fail(`${where}: stage ${i} afterMs must be finite and greater than stage ${i - 1}'s (${previous.afterMs}), got ${stage.afterMs}`);
      }
      if (!relaxes(previous.need, stage.need)) {
        fail(`${where}: stage ${i} must relax stage ${i - 1}: it may only drop skills or lower minimum levels`);
      }
    }
    previous = stage;
  });
}

function checkLevels(where: string, levels: Readonly<Record<string, number>>): void {
  for (const [skill, level] of Object.entries(levels)) {
    if (!Number.isInteger(level) || level < 1 || level > 5) fail(`${where}: level of "${skill}" must be an integer 1..5, got ${level}`);
  }
}

function fail(message: string): never {
  throw new SwitchboardError('SB_SCHEDULER_INPUT', message);
}
