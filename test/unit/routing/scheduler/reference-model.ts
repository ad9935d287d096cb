/**
 * A naive reference of the scheduler's documented behaviour (docs/scheduler.md): plain
 * arrays, full scans and sorts on every operation, no indexes. The model-based test runs
 * it side by side with QueueScheduler and compares every answer.
 */
import type { AgentSpec, QueueSpec } from '../../../../src/routing/scheduler/types.js';

export type RefState = 'logged-out' | 'available' | 'offered' | 'on-call' | 'wrap-up' | 'paused';

interface RCall {
  readonly id: string;
  readonly queue: QueueSpec;
  readonly enqueuedAt: number;
  readonly virtualAt: number;
  readonly seq: number;
  readonly expiresAt: number;
  state: 'waiting' | 'offered';
  ringing: string[];
}

interface RAgent {
  readonly spec: AgentSpec;
  readonly index: number;
  loggedIn: boolean;
  pauseReason: string | undefined;
  activeCalls: number;
  offer: string | null;
  wrapUpUntil: number | undefined;
  idleSince: number;
  answered: number;
  missedInARow: number;
  lastOffer: Map<string, number>;
  wasOfferable: boolean;
}

export interface RefResult {
  ok: boolean;
  error?: 'not-found' | 'illegal-transition';
  entity?: 'agent' | 'call' | 'queue';
  status?: 'queued' | 'overflow';
  withdrawnAgentIds?: string[];
}

export interface RefDispatch {
  offers: { callId: string; queueId: string; agentIds: string[] }[];
  overflows: { callId: string; queueId: string; reason: 'max-wait'; waitedMs: number }[];
}

const NOT_FOUND = (entity: 'agent' | 'call' | 'queue'): RefResult => ({ ok: false, error: 'not-found', entity });
const ILLEGAL: RefResult = { ok: false, error: 'illegal-transition' };
const OK: RefResult = { ok: true };

function meets(skills: Readonly<Record<string, number>>, need: Readonly<Record<string, number>>): boolean {
  return Object.entries(need).every(([skill, min]) => (skills[skill] ?? 0) >= min);
}

export class ReferenceScheduler {
  private readonly queues: QueueSpec[];
  private readonly agents: RAgent[];
  private calls: RCall[] = [];
  private readonly connected = new Map<string, { agentId: string; queue: QueueSpec; answeredAt: number }>();
  private readonly aht = new Map<string, number>();
  private now = -Infinity;
  private seq = 0;
  private offerSeq = 0;

  constructor(queues: QueueSpec[], agents: AgentSpec[]) {
    this.queues = queues;
    this.agents = agents.map((spec, index) => ({
      spec,
      index,
      loggedIn: false,
      pauseReason: undefined,
      activeCalls: 0,
      offer: null,
      wrapUpUntil: undefined,
      idleSince: 0,
      answered: 0,
      missedInARow: 0,
      lastOffer: new Map(),
      wasOfferable: false,
    }));
  }

  // ---- operations ----

  enqueue(callId: string, queueId: string, priority: number, now: number): RefResult {
    this.tick(now);
    const queue = this.queues.find((q) => q.id === queueId);
    if (queue === undefined) return NOT_FOUND('queue');
    if (this.calls.some((c) => c.id === callId) || this.connected.has(callId)) return ILLEGAL;
    if (queue.maxSize !== undefined && this.calls.filter((c) => c.queue === queue).length >= queue.maxSize) {
      return { ok: true, status: 'overflow' };
    }
    this.calls.push({
      id: callId,
      queue,
      enqueuedAt: this.now,
      virtualAt: this.now - priority * queue.agingMs,
      seq: ++this.seq,
      expiresAt: queue.maxWaitMs === undefined ? Infinity : this.now + queue.maxWaitMs,
      state: 'waiting',
      ringing: [],
    });
    return { ok: true, status: 'queued' };
  }

  abandon(callId: string, now: number): RefResult {
    this.tick(now);
    const call = this.calls.find((c) => c.id === callId);
    if (call === undefined) return this.connected.has(callId) ? ILLEGAL : NOT_FOUND('call');
    const withdrawn = [...call.ringing];
    for (const id of withdrawn) this.change(this.agent(id) as RAgent, (a) => (a.offer = null), undefined);
    this.calls = this.calls.filter((c) => c !== call);
    return { ok: true, withdrawnAgentIds: withdrawn };
  }

  login(agentId: string, now: number): RefResult {
    this.tick(now);
    const a = this.agent(agentId);
    if (a === undefined) return NOT_FOUND('agent');
    if (a.loggedIn) return ILLEGAL;
    this.change(a, () => {
      a.loggedIn = true;
      a.answered = 0;
      a.missedInARow = 0;
    }, this.now);
    return OK;
  }

  logout(agentId: string, now: number): RefResult {
    this.tick(now);
    const a = this.agent(agentId);
    if (a === undefined) return NOT_FOUND('agent');
    if (!a.loggedIn || a.offer !== null || a.activeCalls > 0) return ILLEGAL;
    this.change(a, () => {
      a.loggedIn = false;
      a.pauseReason = undefined;
      a.wrapUpUntil = undefined;
    }, this.now);
    return OK;
  }

  pause(agentId: string, reason: string, now: number): RefResult {
    this.tick(now);
    const a = this.agent(agentId);
    if (a === undefined) return NOT_FOUND('agent');
    if (!a.loggedIn || a.pauseReason !== undefined) return ILLEGAL;
    this.change(a, () => (a.pauseReason = reason), this.now);
    return OK;
  }

  unpause(agentId: string, now: number): RefResult {
    this.tick(now);
    const a = this.agent(agentId);
    if (a === undefined) return NOT_FOUND('agent');
    if (a.pauseReason === undefined) return ILLEGAL;
    this.change(a, () => {
      a.pauseReason = undefined;
      a.missedInARow = 0;
    }, this.now);
    return OK;
  }

  offerAnswered(callId: string, agentId: string, now: number): RefResult {
    this.tick(now);
    const found = this.ringing(callId, agentId);
    if (!('call' in found)) return found;
    const { call, agent } = found;
    this.change(agent, () => {
      agent.offer = null;
      agent.activeCalls++;
      agent.answered++;
      agent.missedInARow = 0;
    }, this.now);
    const withdrawn = call.ringing.filter((id) => id !== agentId);
    for (const id of withdrawn) this.change(this.agent(id) as RAgent, (a) => (a.offer = null), undefined);
    this.calls = this.calls.filter((c) => c !== call);
    this.connected.set(callId, { agentId, queue: call.queue, answeredAt: this.now });
    return { ok: true, withdrawnAgentIds: withdrawn };
  }

  offerMissed(callId: string, agentId: string, now: number): RefResult {
    this.tick(now);
    const found = this.ringing(callId, agentId);
    if (!('call' in found)) return found;
    const { call, agent } = found;
    this.change(agent, () => {
      agent.offer = null;
      agent.missedInARow++;
      const max = agent.spec.maxMissedOffers;
      if (max !== undefined && agent.missedInARow >= max && agent.pauseReason === undefined) agent.pauseReason = 'missed-offers';
    }, this.now);
    this.stopRinging(call, agentId);
    return OK;
  }

  offerCancelled(callId: string, agentId: string, now: number): RefResult {
    this.tick(now);
    const found = this.ringing(callId, agentId);
    if (!('call' in found)) return found;
    this.change(found.agent, (a) => (a.offer = null), undefined);
    this.stopRinging(found.call, agentId);
    return OK;
  }

  callEnded(callId: string, now: number): RefResult {
    this.tick(now);
    const c = this.connected.get(callId);
    if (c === undefined) return this.calls.some((x) => x.id === callId) ? ILLEGAL : NOT_FOUND('call');
    this.connected.delete(callId);
    const a = this.agent(c.agentId) as RAgent;
    const handle = this.now - c.answeredAt + a.spec.wrapUpMs;
    const avg = this.aht.get(c.queue.id);
    this.aht.set(c.queue.id, avg === undefined ? handle : avg + 0.2 * (handle - avg));
    this.change(a, () => {
      a.activeCalls--;
      if (a.spec.wrapUpMs > 0) a.wrapUpUntil = Math.max(a.wrapUpUntil ?? -Infinity, this.now + a.spec.wrapUpMs);
    }, this.now);
    return OK;
  }

  dispatch(now: number): RefDispatch {
    this.tick(now);
    const due: { at: number; rank: number; ordinal: number; run: () => void }[] = [];
    for (const a of this.agents) {
      const until = a.wrapUpUntil;
      if (until !== undefined && until <= this.now) {
        due.push({ at: until, rank: 0, ordinal: a.index, run: () => this.change(a, () => (a.wrapUpUntil = undefined), until) });
      }
    }
    const overflows: RefDispatch['overflows'] = [];
    for (const c of this.calls) {
      if (c.state === 'waiting' && c.expiresAt <= this.now) {
        due.push({
          at: c.expiresAt,
          rank: 1,
          ordinal: c.seq,
          run: () => {
            this.calls = this.calls.filter((x) => x !== c);
            overflows.push({ callId: c.id, queueId: c.queue.id, reason: 'max-wait', waitedMs: this.now - c.enqueuedAt });
          },
        });
      }
    }
    due.sort((x, y) => x.at - y.at || x.rank - y.rank || x.ordinal - y.ordinal);
    for (const d of due) d.run();

    // Serve calls in global line order, each with its queue's preferred qualified agent(s).
    const offers: RefDispatch['offers'] = [];
    const line = this.calls.filter((c) => c.state === 'waiting').sort((x, y) => x.virtualAt - y.virtualAt || x.seq - y.seq);
    for (const call of line) {
      const need = call.queue.stages[this.stageOf(call)]?.need ?? {};
      const qualified = call.queue.members
        .map((id, memberIndex) => ({ a: this.agent(id) as RAgent, memberIndex }))
        .filter(({ a }) => this.offerable(a) && meets(a.spec.skills, need));
      if (qualified.length === 0) continue;
      const chosen = call.queue.strategy === 'ring-all' ? qualified : [qualified.sort((x, y) => this.compare(call.queue, x, y))[0]!];
      call.state = 'offered';
      call.ringing = chosen.map(({ a }) => a.spec.id);
      for (const { a } of chosen) {
        this.change(a, () => (a.offer = call.id), undefined);
        a.lastOffer.set(call.queue.id, ++this.offerSeq);
      }
      offers.push({ callId: call.id, queueId: call.queue.id, agentIds: call.ringing });
    }
    return { offers, overflows };
  }

  // ---- queries ----

  position(callId: string): { ok: boolean; state?: string; position?: number; estimatedWaitMs?: number | undefined } {
    const call = this.calls.find((c) => c.id === callId);
    if (call === undefined) return { ok: false };
    if (call.state === 'offered') return { ok: true, state: 'offered', position: 0, estimatedWaitMs: 0 };
    const ahead = this.calls.filter(
      (c) => c.queue === call.queue && c.state === 'waiting' && (c.virtualAt < call.virtualAt || (c.virtualAt === call.virtualAt && c.seq < call.seq)),
    ).length;
    const position = ahead + 1;
    const avg = this.aht.get(call.queue.id);
    const capacity = call.queue.members
      .map((id) => this.agent(id) as RAgent)
      .filter((a) => a.loggedIn && a.pauseReason === undefined && meets(a.spec.skills, call.queue.stages.at(-1)!.need))
      .reduce((sum, a) => sum + a.spec.maxCalls, 0);
    const estimatedWaitMs = avg === undefined || capacity === 0 ? undefined : Math.round((position * avg) / capacity);
    return { ok: true, state: 'waiting', position, estimatedWaitMs };
  }

  agentView(agentId: string): { state: RefState; pauseReason: string | undefined; activeCalls: number; missedInARow: number; answered: number } {
    const a = this.agent(agentId) as RAgent;
    return { state: this.stateOf(a), pauseReason: a.pauseReason, activeCalls: a.activeCalls, missedInARow: a.missedInARow, answered: a.answered };
  }

  queueSize(queueId: string): number {
    return this.calls.filter((c) => c.queue.id === queueId).length;
  }

  nextDeadline(): number | undefined {
    let next = Infinity;
    for (const a of this.agents) if (a.wrapUpUntil !== undefined) next = Math.min(next, a.wrapUpUntil);
    for (const c of this.calls) {
      if (c.state !== 'waiting') continue;
      const nextStage = c.queue.stages[this.stageOf(c) + 1];
      next = Math.min(next, c.expiresAt, nextStage === undefined ? Infinity : c.enqueuedAt + nextStage.afterMs);
    }
    return next === Infinity ? undefined : next;
  }

  /** Calls currently ringing: callId -> agent ids. */
  ringingNow(): Map<string, string[]> {
    return new Map(this.calls.filter((c) => c.state === 'offered').map((c) => [c.id, [...c.ringing]]));
  }

  callIds(): string[] {
    return [...this.calls.map((c) => c.id), ...this.connected.keys()];
  }

  connectedIds(): string[] {
    return [...this.connected.keys()];
  }

  // ---- internals ----

  private tick(now: number): void {
    this.now = Math.max(this.now, now);
  }

  private agent(id: string): RAgent | undefined {
    return this.agents.find((a) => a.spec.id === id);
  }

  private stageOf(call: RCall): number {
    let stage = 0;
    call.queue.stages.forEach((s, i) => {
      if (this.now - call.enqueuedAt >= s.afterMs) stage = i;
    });
    return stage;
  }

  private offerable(a: RAgent): boolean {
    return a.loggedIn && a.pauseReason === undefined && a.offer === null && a.wrapUpUntil === undefined && a.activeCalls < a.spec.maxCalls;
  }

  /** Applies a change; an agent who becomes offerable is idle from `idleFrom` (undefined: keeps its idle time). */
  private change(a: RAgent, mutate: (a: RAgent) => void, idleFrom: number | undefined): void {
    mutate(a);
    const offerable = this.offerable(a);
    if (offerable && !a.wasOfferable && idleFrom !== undefined) a.idleSince = idleFrom;
    a.wasOfferable = offerable;
  }

  private stateOf(a: RAgent): RefState {
    if (!a.loggedIn) return 'logged-out';
    if (a.offer !== null) return 'offered';
    if (a.activeCalls > 0) return 'on-call';
    if (a.wrapUpUntil !== undefined) return 'wrap-up';
    if (a.pauseReason !== undefined) return 'paused';
    return 'available';
  }

  private ringing(callId: string, agentId: string): { call: RCall; agent: RAgent } | RefResult {
    const call = this.calls.find((c) => c.id === callId);
    if (call === undefined) return this.connected.has(callId) ? ILLEGAL : NOT_FOUND('call');
    const agent = this.agent(agentId);
    if (agent === undefined) return NOT_FOUND('agent');
    if (agent.offer !== callId) return ILLEGAL;
    return { call, agent };
  }

  private stopRinging(call: RCall, agentId: string): void {
    call.ringing = call.ringing.filter((id) => id !== agentId);
    if (call.ringing.length === 0) call.state = 'waiting';
  }

  private compare(queue: QueueSpec, x: { a: RAgent; memberIndex: number }, y: { a: RAgent; memberIndex: number }): number {
    const missed = Number(x.a.missedInARow > 0) - Number(y.a.missedInARow > 0);
    if (queue.strategy !== 'ring-all' && missed !== 0) return missed;
    switch (queue.strategy) {
      case 'longest-idle':
        return x.a.idleSince - y.a.idleSince || x.memberIndex - y.memberIndex;
      case 'fewest-calls':
        return x.a.answered - y.a.answered || x.a.idleSince - y.a.idleSince || x.memberIndex - y.memberIndex;
      case 'round-robin':
        return (x.a.lastOffer.get(queue.id) ?? 0) - (y.a.lastOffer.get(queue.id) ?? 0) || x.memberIndex - y.memberIndex;
      default:
        return x.memberIndex - y.memberIndex;
    }
  }
}
