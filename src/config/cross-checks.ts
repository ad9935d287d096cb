/**
 * Checks that span several entries and need the whole validated configuration:
 * agents' users, queues whose callers could never be served, overflow loops between
 * queues, and trunks that could not be told apart.
 *
 * @example
 *   const issues = crossCheck(config); // [] when consistent
 */
import type { StepConfig } from './schema/actions.js';
import type { Config } from './schema/config.js';
import type { PathIssue } from './issues.js';

function agentUsers(config: Config): PathIssue[] {
  const issues: PathIssue[] = [];
  const owner = new Map<string, string>();
  for (const [id, agent] of Object.entries(config.agents)) {
    if (!(agent.user in config.users)) {
      issues.push({
        path: ['agents', id],
        at: 'key',
        message: `agent ${JSON.stringify(id)} has no user to ring: add \`user: NAME\` or define users.${id}`,
      });
      continue;
    }
    const other = owner.get(agent.user);
    if (other !== undefined) {
      issues.push({
        path: ['agents', id],
        at: 'key',
        message: `user ${JSON.stringify(agent.user)} is already agent ${JSON.stringify(other)}'s user; each agent needs its own user`,
      });
    }
    owner.set(agent.user, id);
  }
  return issues;
}

function satisfiable(config: Config): PathIssue[] {
  const issues: PathIssue[] = [];
  for (const [id, queue] of Object.entries(config.queues)) {
    const relax = queue.skills.relax;
    const weakest = relax.length === 0 ? queue.skills.need : relax[relax.length - 1]!.need;
    const served = queue.members.some((member) => {
      const skills = config.agents[member]?.skills ?? {};
      return Object.entries(weakest).every(([skill, level]) => (skills[skill] ?? 0) >= level);
    });
    if (!served) {
      const needs = Object.entries(weakest).map(([s, l]) => `${s} >= ${l}`).join(', ');
      issues.push({
        path: relax.length === 0 ? ['queues', id, 'skills', 'need'] : ['queues', id, 'skills', 'relax', relax.length - 1, 'need'],
        at: 'value',
        message: `no member of queue ${JSON.stringify(id)} has ${needs}, so its callers could never be served; relax the requirement or add a member who has it`,
      });
    }
  }
  return issues;
}

function queuesIn(chain: readonly StepConfig[], out: Set<string>): Set<string> {
  for (const step of chain) {
    if (step.kind === 'queue') out.add(step.queue);
    if (step.kind === 'follow_the_sun') {
      for (const site of step.sites) queuesIn(site.then, out);
      queuesIn(step.fallback, out);
    }
  }
  return out;
}

/** Overflow from a queue must end somewhere other than back in that queue. */
function overflowLoops(config: Config): PathIssue[] {
  const edges = new Map<string, { to: string; via: 'on_full' | 'on_timeout' }[]>();
  for (const [id, queue] of Object.entries(config.queues)) {
    const out: { to: string; via: 'on_full' | 'on_timeout' }[] = [];
    for (const via of ['on_full', 'on_timeout'] as const) {
      for (const to of queuesIn(queue[via], new Set())) out.push({ to, via });
    }
    edges.set(id, out);
  }
  const issues: PathIssue[] = [];
  const reported = new Set<string>();
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (q: string): void => {
    state.set(q, 'active');
    stack.push(q);
    for (const { to, via } of edges.get(q) ?? []) {
      if (state.get(to) === 'active') {
        const loop = [...stack.slice(stack.indexOf(to)), to];
        if (!reported.has(q)) {
          reported.add(q);
          issues.push({
            path: ['queues', q, via],
            at: 'value',
            message: `queue overflow loops back: ${loop.join(' -> ')}; end the overflow with voicemail, an IVR menu, a ring step or reject`,
          });
        }
      } else if (!state.has(to)) {
        visit(to);
      }
    }
    stack.pop();
    state.set(q, 'done');
  };
  for (const q of edges.keys()) if (!state.has(q)) visit(q);
  return issues;
}

/** A source network or digest username must identify exactly one trunk (or user). */
function trunkIdentities(config: Config): PathIssue[] {
  const issues: PathIssue[] = [];
  const sourceOwner = new Map<string, string>();
  const usernameOwner = new Map<string, string>();
  for (const [id, trunk] of Object.entries(config.trunks)) {
    const inbound = trunk.inbound;
    if (!inbound) continue;
    inbound.sources?.forEach((source, i) => {
      const other = sourceOwner.get(source);
      if (other !== undefined && other !== id) {
        issues.push({
          path: ['trunks', id, 'inbound', 'sources', i],
          at: 'value',
          message: `${source} is also a source of trunk ${JSON.stringify(other)}; a source must identify one trunk (a more specific network may overlap a wider one)`,
        });
      }
      sourceOwner.set(source, id);
    });
    const username = inbound.digest?.username;
    if (username === undefined) continue;
    const other = usernameOwner.get(username);
    if (other !== undefined) {
      issues.push({
        path: ['trunks', id, 'inbound', 'digest', 'username'],
        at: 'value',
        message: `username ${JSON.stringify(username)} is also trunk ${JSON.stringify(other)}'s; digest usernames must identify one trunk`,
      });
    } else if (username in config.users) {
      issues.push({
        path: ['trunks', id, 'inbound', 'digest', 'username'],
        at: 'value',
        message: `username ${JSON.stringify(username)} is also a user's name; a digest username must identify either a user or a trunk`,
      });
    }
    usernameOwner.set(username, id);
  }
  return issues;
}

export function crossCheck(config: Config): PathIssue[] {
  return [...agentUsers(config), ...satisfiable(config), ...overflowLoops(config), ...trunkIdentities(config)];
}
