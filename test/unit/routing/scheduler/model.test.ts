/**
 * Model-based test: random worlds and thousands of random operations, run on the indexed
 * QueueScheduler and on the naive ReferenceScheduler (full scans, reference-model.ts);
 * every result, offer, overflow, position, agent state and deadline must agree. Seeded,
 * so a failure replays exactly.
 */
import { describe, expect, it } from 'vitest';
import type { SchedulerEvent } from '../../../../src/routing/scheduler/events.js';
import { QueueScheduler } from '../../../../src/routing/scheduler/scheduler.js';
import type { AgentSpec, QueueSpec, QueueStrategy, SkillStage } from '../../../../src/routing/scheduler/types.js';
import { prng } from './helpers.js';
import { ReferenceScheduler, type RefResult } from './reference-model.js';

const STRATEGIES: QueueStrategy[] = ['longest-idle', 'fewest-calls', 'round-robin', 'ring-all', 'linear'];
const SKILLS = ['en', 'fr', 'billing'];

function randomWorld(random: () => number): { queues: QueueSpec[]; agents: AgentSpec[] } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const agents: AgentSpec[] = Array.from({ length: int(4, 9) }, (_, i) => {
    const skills: Record<string, number> = {};
    for (const s of SKILLS) if (random() < 0.7) skills[s] = int(1, 5);
    return {
      id: `a${i}`,
      skills,
      maxCalls: random() < 0.8 ? 1 : 2,
      wrapUpMs: random() < 0.5 ? 0 : int(1, 30) * 1_000,
      ...(random() < 0.6 ? { maxMissedOffers: int(1, 3) } : {}),
    };
  });
  const queues: QueueSpec[] = Array.from({ length: int(2, 4) }, (_, i) => {
    // Stage 0 needs one or two skills; each later stage lowers levels or drops a skill.
    let need: Record<string, number> = {};
    for (const s of SKILLS) if (random() < 0.4) need[s] = int(2, 5);
    const stages: SkillStage[] = [{ afterMs: 0, need: { ...need } }];
    for (let k = 1, at = 0; k < int(1, 3); k++) {
      at += int(5, 40) * 1_000;
      need = Object.fromEntries(
        Object.entries(need)
          .filter(() => random() < 0.7)
          .map(([s, l]) => [s, Math.max(1, l - int(0, 2))]),
      );
      stages.push({ afterMs: at, need: { ...need } });
    }
    if (random() < 0.5) stages.push({ afterMs: (stages.at(-1) as SkillStage).afterMs + int(5, 40) * 1_000, need: {} });
    const members = agents.map((a) => a.id).filter(() => random() < 0.6).sort(() => random() - 0.5);
    if (members.length === 0) members.push(pick(agents).id);
    return {
      id: `q${i}`,
      strategy: pick(STRATEGIES),
      stages,
      agingMs: pick([10_000, 30_000, 60_000]),
      ...(random() < 0.4 ? { maxSize: int(1, 6) } : {}),
      ...(random() < 0.5 ? { maxWaitMs: int(20, 120) * 1_000 } : {}),
      members,
    };
  });
  return { queues, agents };
}

/** Only the parts of a result the reference models (messages are free text). */
function shape(r: object): RefResult {
  const x = r as RefResult & { withdrawnAgentIds?: readonly string[] };
  const out: RefResult = { ok: x.ok };
  if (x.error !== undefined) out.error = x.error;
  if (x.entity !== undefined) out.entity = x.entity;
  if (x.status !== undefined) out.status = x.status;
  if (x.withdrawnAgentIds !== undefined) out.withdrawnAgentIds = [...x.withdrawnAgentIds].sort();
  return out;
}

function sortedWithdrawn(r: RefResult): RefResult {
  return r.withdrawnAgentIds === undefined ? r : { ...r, withdrawnAgentIds: [...r.withdrawnAgentIds].sort() };
}

/** Checks the event stream: time order, one entry per call, and every ring ending exactly once. */
class EventAudit {
  readonly rings = new Map<string, Set<string>>();
  private readonly entered = new Set<string>();
  private readonly finished = new Set<string>();
  private lastAt = -Infinity;

  see(e: SchedulerEvent): void {
    expect(e.at).toBeGreaterThanOrEqual(this.lastAt);
    this.lastAt = e.at;
    switch (e.type) {
      case 'call-entered':
        expect(this.entered.has(e.callId)).toBe(false);
        this.entered.add(e.callId);
        break;
      case 'call-offered':
        expect(this.rings.has(e.callId)).toBe(false);
        this.rings.set(e.callId, new Set(e.agentIds));
        break;
      case 'call-answered':
      case 'offer-missed':
      case 'offer-withdrawn': {
        const ringing = this.rings.get(e.callId);
        expect(ringing?.has(e.agentId), `${e.type} ${e.callId} ${e.agentId}`).toBe(true);
        ringing?.delete(e.agentId);
        if (ringing?.size === 0) this.rings.delete(e.callId);
        if (e.type === 'call-answered') this.finish(e.callId);
        break;
      }
      case 'call-abandoned':
      case 'call-overflowed':
        if (e.type === 'call-abandoned' || e.reason === 'max-wait') this.finish(e.callId);
        break;
      case 'call-completed':
      case 'agent-state':
        break;
    }
  }

  private finish(callId: string): void {
    expect(this.entered.has(callId)).toBe(true);
    expect(this.finished.has(callId)).toBe(false);
    this.finished.add(callId);
    this.entered.delete(callId); // the id may be reused by a later call
    this.finished.delete(callId);
  }
}

function run(seed: number, operations: number): { offers: number; overflows: number; answered: number } {
  const random = prng(seed);
  const { queues, agents } = randomWorld(random);
  const audit = new EventAudit();
  const real = new QueueScheduler({ queues, agents }, { onEvent: (e) => audit.see(e) });
  const ref = new ReferenceScheduler(queues, agents);
  const agentIds = [...agents.map((a) => a.id), 'ghost'];
  const queueIds = [...queues.map((q) => q.id), 'nowhere'];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  let now = 0;
  let nextCall = 0;
  const stats = { offers: 0, overflows: 0, answered: 0 };

  const knownCall = (): string => {
    const ids = ref.callIds();
    return ids.length === 0 || random() < 0.05 ? `nope${nextCall}` : pick(ids);
  };
  const ringingPair = (): [string, string] => {
    const ringing = [...ref.ringingNow()];
    if (ringing.length === 0 || random() < 0.1) return [knownCall(), pick(agentIds)];
    const [callId, ids] = pick(ringing);
    return [callId, random() < 0.9 ? pick(ids) : pick(agentIds)];
  };

  for (let op = 0; op < operations; op++) {
    if (random() < 0.5) now += Math.floor(random() * 8_000);
    const label = `seed ${seed} op ${op} at ${now}`;
    const r = random();
    if (r < 0.2) {
      const callId = random() < 0.03 ? knownCall() : `c${nextCall++}`;
      const queueId = random() < 0.03 ? 'nowhere' : pick(queueIds.slice(0, -1));
      const priority = Math.floor(random() * 4) - 1;
      expect(shape(real.enqueue({ callId, queueId, priority, now })), label).toEqual(ref.enqueue(callId, queueId, priority, now));
    } else if (r < 0.27) {
      const callId = knownCall();
      expect(shape(real.abandon(callId, now)), label).toEqual(sortedWithdrawn(ref.abandon(callId, now)));
    } else if (r < 0.33) {
      const id = pick(agentIds);
      expect(shape(real.login(id, now)), label).toEqual(ref.login(id, now));
    } else if (r < 0.36) {
      const id = pick(agentIds);
      expect(shape(real.logout(id, now)), label).toEqual(ref.logout(id, now));
    } else if (r < 0.4) {
      const id = pick(agentIds);
      expect(shape(real.pause(id, 'break', now)), label).toEqual(ref.pause(id, 'break', now));
    } else if (r < 0.44) {
      const id = pick(agentIds);
      expect(shape(real.unpause(id, now)), label).toEqual(ref.unpause(id, now));
    } else if (r < 0.54) {
      const [callId, agentId] = ringingPair();
      const got = shape(real.offerAnswered(callId, agentId, now));
      expect(got, label).toEqual(sortedWithdrawn(ref.offerAnswered(callId, agentId, now)));
      if (got.ok) stats.answered++;
    } else if (r < 0.61) {
      const [callId, agentId] = ringingPair();
      expect(shape(real.offerMissed(callId, agentId, now)), label).toEqual(ref.offerMissed(callId, agentId, now));
    } else if (r < 0.63) {
      const [callId, agentId] = ringingPair();
      expect(shape(real.offerCancelled(callId, agentId, now)), label).toEqual(ref.offerCancelled(callId, agentId, now));
    } else if (r < 0.72) {
      const connected = ref.connectedIds();
      const callId = connected.length > 0 && random() < 0.9 ? pick(connected) : knownCall();
      expect(shape(real.callEnded(callId, now)), label).toEqual(ref.callEnded(callId, now));
    } else {
      const got = real.dispatch(now);
      const want = ref.dispatch(now);
      expect(got, label).toEqual(want);
      expect(real.nextDeadline(), `${label} nextDeadline`).toBe(ref.nextDeadline());
      stats.offers += got.offers.length;
      stats.overflows += got.overflows.length;
    }

    for (const id of agentIds.slice(0, -1)) {
      const status = real.agentStatus(id);
      if (!status.ok) throw new Error(`agent ${id} vanished`);
      const { state, pauseReason, activeCalls, missedInARow, answeredSinceLogin: answered } = status.agent;
      expect({ state, pauseReason, activeCalls, missedInARow, answered }, `${label} agent ${id}`).toEqual(ref.agentView(id));
    }
    for (const q of queues) {
      const status = real.queueStatus(q.id, now);
      expect(status.ok && status.queue.size, `${label} size of ${q.id}`).toBe(ref.queueSize(q.id));
    }
    const probe = knownCall();
    const p = real.position(probe);
    expect(p.ok ? { ok: true, state: p.state, position: p.position, estimatedWaitMs: p.estimatedWaitMs } : { ok: false }, `${label} position ${probe}`).toEqual(
      ref.position(probe),
    );
  }
  // Rings still open in the event stream are exactly the calls still ringing.
  expect(new Map([...audit.rings].map(([c, a]) => [c, [...a].sort()]))).toEqual(
    new Map([...ref.ringingNow()].map(([c, a]) => [c, [...a].sort()])),
  );
  return stats;
}

describe('QueueScheduler against the naive reference model', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('agrees over 2,500 random operations (seed %i)', (seed) => {
    const stats = run(seed, 2_500);
    // The run must exercise the interesting paths, not just refuse operations.
    expect(stats.offers).toBeGreaterThan(50);
    expect(stats.answered).toBeGreaterThan(20);
  });

  it('exercises max-wait overflows across the seeds', () => {
    let overflows = 0;
    for (let seed = 100; seed < 110; seed++) overflows += run(seed, 800).overflows;
    expect(overflows).toBeGreaterThan(0);
  });
});
