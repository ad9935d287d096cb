/**
 * Queue scheduler throughput and memory (issue 4, part 5).
 *
 * Two worlds in one run, 500 queues each: 1,000 agents with 10,000 waiting calls, and
 * 10,000 agents with 100,000 waiting calls. Agents hold 3–5 of 20 skills at levels 1–5
 * and sit in 3–6 queues; queues have 2–3 relaxation stages and every strategy (ring-all
 * queues ring 5 agents). After the fill, a seeded random mix of operations runs with the
 * waiting population held near its target: enqueue, abandon, dispatch (each offer then
 * answered, or missed 1 time in 10), call end (wrap-up 0–30 s), pause / unpause. Every
 * scheduler call counts as one operation. Simulated time advances 2 s ÷ agents per
 * operation (2 ms small, 0.2 ms large): a centre ten times larger sees ten times more
 * operations per second, so each call lives through the same relaxation steps, wrap-ups
 * and max-wait overflows at both sizes, and the comparison isolates the data structure.
 *
 * Targets: >= 200,000 operations/s, and cost per operation at the large size <= 2× the
 * small size. Run: npx tsc -p tsconfig.json && node dist/bench/scheduler.bench.js
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { QueueScheduler } from '../src/routing/scheduler/scheduler.js';
import type { AgentSpec, QueueSpec, QueueStrategy, SkillStage } from '../src/routing/scheduler/types.js';

export interface SchedulerBenchSize {
  readonly agents: number;
  readonly waitingCalls: number;
  readonly queues: number;
}

export interface SchedulerBenchResult {
  readonly size: SchedulerBenchSize;
  readonly operations: number;
  /** Median over the measurement windows (the machine may be shared; windows alternate sizes). */
  readonly nsPerOp: number;
  readonly bestNsPerOp: number;
  readonly fillOpsPerSecond: number;
  readonly heapBytes: number;
  /** Waiting calls when the measurement ended: shows the line was held at its target. */
  readonly waitingAtEnd: number;
  readonly mix: Readonly<Record<string, number>>;
}

const SKILLS = Array.from({ length: 20 }, (_, i) => `skill${i}`);
const STRATEGIES: QueueStrategy[] = ['longest-idle', 'longest-idle', 'longest-idle', 'fewest-calls', 'round-robin', 'linear', 'ring-all'];
const RING_ALL_MEMBERS = 5;

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A set of calls, numbered `c<n>`, with O(1) add, remove and uniform random pick; typed
 * arrays keep the harness's own cost small next to the scheduler's. It keeps each call's
 * id string, as a host keeps the Call-ID it received, rather than formatting a new one
 * for every operation.
 */
class CallBag {
  private items: Int32Array = new Int32Array(1 << 16);
  private slots: Int32Array = new Int32Array(1 << 16).fill(-1);
  private readonly ids: string[] = [];
  size = 0;

  add(n: number, id = ''): void {
    if (n >= this.slots.length) this.slots = grow(this.slots, n, -1);
    if (this.size >= this.items.length) this.items = grow(this.items, this.size, 0);
    this.slots[n] = this.size;
    this.ids[this.size] = id;
    this.items[this.size++] = n;
  }

  delete(n: number): void {
    const i = n < this.slots.length ? (this.slots[n] as number) : -1;
    if (i < 0) return;
    const last = this.items[--this.size] as number;
    this.items[i] = last;
    this.ids[i] = this.ids[this.size] as string;
    this.ids[this.size] = '';
    this.slots[last] = i;
    this.slots[n] = -1;
  }

  /** The id given to add(n); n must be in the bag. */
  idOf(n: number): string {
    return this.ids[this.slots[n] as number] as string;
  }

  has(n: number): boolean {
    return n < this.slots.length && (this.slots[n] as number) >= 0;
  }

  pick(random: () => number): number | undefined {
    return this.size === 0 ? undefined : this.items[Math.floor(random() * this.size)];
  }
}

function grow(a: Int32Array, atLeast: number, fill: number): Int32Array {
  let length = a.length;
  while (length <= atLeast) length *= 2;
  const b = new Int32Array(length).fill(fill);
  b.set(a);
  return b;
}

const callName = (n: number): string => `c${n}`;

/** n from `c<n>`, without allocating. */
function callNumber(id: string): number {
  let n = 0;
  for (let i = 1; i < id.length; i++) n = n * 10 + id.charCodeAt(i) - 48;
  return n;
}

/** Operation kinds, counted in a typed array (no string-keyed update per operation). */
const OPERATIONS = ['login', 'enqueue', 'dispatch', 'offerAnswered', 'offerMissed', 'abandon', 'callEnded', 'pause', 'unpause'] as const;
const LOGIN = 0;
const ENQUEUE = 1;
const DISPATCH = 2;
const ANSWER = 3;
const MISS = 4;
const ABANDON = 5;
const CALL_END = 6;
const PAUSE = 7;
const UNPAUSE = 8;

function buildWorld(size: SchedulerBenchSize, random: () => number): { queues: QueueSpec[]; agents: AgentSpec[] } {
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;

  const agents: AgentSpec[] = [];
  for (let i = 0; i < size.agents; i++) {
    const skills: Record<string, number> = {};
    for (let k = int(3, 5); k > 0; k--) skills[pick(SKILLS)] = int(1, 5);
    agents.push({ id: `agent${i}`, skills, maxCalls: random() < 0.1 ? 2 : 1, wrapUpMs: pick([0, 5_000, 15_000, 30_000]), maxMissedOffers: 3 });
  }

  const shapes = Array.from({ length: size.queues }, (_, i) => ({
    id: `queue${i}`,
    strategy: pick(STRATEGIES),
    skill: pick(SKILLS),
    members: [] as string[],
  }));
  const bySkill = new Map<string, number[]>();
  shapes.forEach((q, i) => {
    if (q.strategy !== 'ring-all') bySkill.set(q.skill, [...(bySkill.get(q.skill) ?? []), i]);
  });
  const openQueues = shapes.flatMap((q, i) => (q.strategy === 'ring-all' ? [] : [i]));
  for (const a of agents) {
    // Mostly queues that need one of the agent's skills, some others (served after relaxing).
    const mine = Object.keys(a.skills).flatMap((s) => bySkill.get(s) ?? []);
    const joined = new Set<number>();
    for (let k = int(3, 6); k > 0; k--) joined.add(mine.length > 0 && random() < 0.8 ? pick(mine) : pick(openQueues));
    for (const qi of joined) shapes[qi]?.members.push(a.id);
  }
  for (const q of shapes) {
    if (q.strategy === 'ring-all') for (let k = 0; k < RING_ALL_MEMBERS; k++) q.members.push(`agent${int(0, size.agents - 1)}`);
  }

  const queues: QueueSpec[] = shapes.map((q) => {
    const stages: SkillStage[] = [
      { afterMs: 0, need: { [q.skill]: int(3, 4) } },
      { afterMs: int(20, 60) * 1_000, need: { [q.skill]: int(1, 2) } },
    ];
    if (random() < 0.5) stages.push({ afterMs: 120_000, need: {} });
    return {
      id: q.id,
      strategy: q.strategy,
      stages,
      agingMs: pick([30_000, 60_000]),
      maxWaitMs: random() < 0.5 ? 600_000 : undefined,
      members: [...new Set(q.members)],
    };
  });
  return { queues, agents };
}

function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** A contact centre of one size driven by a seeded random mix of operations. */
class SimulatedCentre {
  private readonly counts = new Float64Array(OPERATIONS.length);
  readonly heapBytes: number;
  readonly fillOpsPerSecond: number;
  operations = 0;
  private readonly s: QueueScheduler;
  private readonly random: () => number;
  private readonly queueIds: string[];
  private readonly agentIds: string[];
  private readonly waiting = new CallBag();
  private readonly connected = new CallBag();
  private readonly paused = new CallBag(); // agent numbers
  private readonly timeStepMs: number;
  private now = 1_700_000_000_000;
  private callSeq = 0;
  /**
   * Numbers of calls the scheduler has forgotten, reused so that the harness's own tables
   * stay as small as the live calls (each call still gets a new id string).
   */
  private readonly freeNumbers: number[] = [];
  private nextNumber = 0;
  private events = 0;

  constructor(readonly size: SchedulerBenchSize, gc: () => void, seed = 1) {
    this.random = prng(seed);
    const { queues, agents } = buildWorld(size, this.random);
    this.queueIds = queues.map((q) => q.id);
    this.agentIds = agents.map((a) => a.id);
    this.timeStepMs = 2_000 / size.agents;
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    this.s = new QueueScheduler({ queues, agents }, { onEvent: () => void this.events++ });

    // Fill: every agent logs in, then calls arrive until the target number wait.
    const fillStart = process.hrtime.bigint();
    for (const id of this.agentIds) {
      this.s.login(id, this.now);
      this.count(LOGIN);
    }
    while (this.waiting.size < size.waitingCalls) {
      this.now += this.timeStepMs;
      this.enqueue();
      if (this.callSeq % 64 === 0) this.dispatch();
    }
    this.dispatch();
    this.fillOpsPerSecond = (this.operations / Number(process.hrtime.bigint() - fillStart)) * 1e9;
    gc();
    this.heapBytes = process.memoryUsage().heapUsed - heapBefore;
  }

  get mix(): Record<string, number> {
    const mix: Record<string, number> = {};
    OPERATIONS.forEach((name, i) => {
      if ((this.counts[i] as number) > 0) mix[name] = this.counts[i] as number;
    });
    return mix;
  }

  get waitingNow(): number {
    return this.waiting.size;
  }

  /** Runs `operations` more operations (whole steps); returns the elapsed ns. */
  run(operations: number): number {
    const target = this.operations + operations;
    const start = process.hrtime.bigint();
    while (this.operations < target) this.step();
    return Number(process.hrtime.bigint() - start);
  }

  resetMix(): void {
    this.counts.fill(0);
    if (this.events === 0) throw new Error('unreachable: the listener must have seen events');
  }

  private count(kind: number): void {
    this.counts[kind]++;
    this.operations++;
  }

  private enqueue(): void {
    this.callSeq++;
    const n = this.freeNumbers.length > 0 ? (this.freeNumbers.pop() as number) : this.nextNumber++;
    const queueId = this.queueIds[Math.floor(this.random() * this.queueIds.length)] as string;
    const callId = callName(n);
    const r = this.s.enqueue({ callId, queueId, priority: this.random() < 0.9 ? 0 : 2, now: this.now });
    this.count(ENQUEUE);
    if (r.ok && r.status === 'queued') this.waiting.add(n, callId);
    else this.freeNumbers.push(n);
  }

  private dispatch(): void {
    const { offers, overflows } = this.s.dispatch(this.now);
    this.count(DISPATCH);
    for (const o of overflows) this.forget(this.waiting, callNumber(o.callId));
    for (const o of offers) {
      if (this.random() < 0.1) {
        // No answer: every ringing agent misses and the call goes back in line.
        for (const agentId of o.agentIds) {
          this.s.offerMissed(o.callId, agentId, this.now);
          this.count(MISS);
        }
        continue;
      }
      this.s.offerAnswered(o.callId, o.agentIds[0] as string, this.now);
      this.count(ANSWER);
      const n = callNumber(o.callId);
      this.waiting.delete(n);
      this.connected.add(n, o.callId);
    }
  }

  private forget(bag: CallBag, n: number): void {
    bag.delete(n);
    this.freeNumbers.push(n);
  }

  private abandonOne(): void {
    const n = this.waiting.pick(this.random);
    if (n === undefined) return;
    this.s.abandon(this.waiting.idOf(n), this.now);
    this.count(ABANDON);
    this.forget(this.waiting, n);
  }

  private step(): void {
    this.now += this.timeStepMs;
    const r = this.random();
    if (r < 0.35) {
      // Arrivals outpace service, so the line fills to its target and stays there, with
      // callers abandoning as new ones arrive (what a saturated centre looks like).
      if (this.waiting.size < this.size.waitingCalls) this.enqueue();
      else this.abandonOne();
    } else if (r < 0.4) {
      this.abandonOne();
    } else if (r < 0.62) {
      const n = this.connected.pick(this.random);
      if (n === undefined) return;
      this.s.callEnded(this.connected.idOf(n), this.now);
      this.count(CALL_END);
      this.forget(this.connected, n);
    } else if (r < 0.9) {
      this.dispatch();
    } else if (r < 0.95) {
      const a = Math.floor(this.random() * this.agentIds.length);
      if (this.paused.has(a)) return;
      this.s.pause(this.agentIds[a] as string, 'break', this.now);
      this.count(PAUSE);
      this.paused.add(a);
    } else {
      const a = this.paused.pick(this.random);
      if (a === undefined) return;
      this.s.unpause(this.agentIds[a] as string, this.now);
      this.count(UNPAUSE);
      this.paused.delete(a);
    }
  }
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/**
 * Builds both centres, lets each turn its initial cohort of callers over, then measures
 * them in alternating windows so that both see the same machine load.
 */
export function runSchedulerBench(
  sizes: readonly SchedulerBenchSize[] = [
    { agents: 1_000, waitingCalls: 10_000, queues: 500 },
    { agents: 10_000, waitingCalls: 100_000, queues: 500 },
  ],
  windowOps = 200_000,
  budgetMs = 30_000,
): SchedulerBenchResult[] {
  const gc = gcFunction();
  const centres = sizes.map((size) => new SimulatedCentre(size, gc));
  for (const c of centres) {
    c.run(4 * c.size.waitingCalls);
    c.resetMix();
  }
  const windows: number[][] = centres.map(() => []);
  const measured = centres.map(() => 0);
  const start = Date.now();
  for (let round = 0; round < 12 && (round < 3 || Date.now() - start < budgetMs); round++) {
    centres.forEach((c, i) => {
      const before = c.operations;
      const ns = c.run(windowOps);
      windows[i]?.push(ns / (c.operations - before));
      measured[i] = (measured[i] as number) + (c.operations - before);
    });
  }
  return centres.map((c, i) => ({
    size: c.size,
    operations: measured[i] as number,
    nsPerOp: median(windows[i] as number[]),
    bestNsPerOp: Math.min(...(windows[i] as number[])),
    fillOpsPerSecond: c.fillOpsPerSecond,
    heapBytes: c.heapBytes,
    waitingAtEnd: c.waitingNow,
    mix: { ...c.mix },
  }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [small, large] = runSchedulerBench() as [SchedulerBenchResult, SchedulerBenchResult];
  const row = (label: string, a: string, b: string, ratio = ''): string => `  ${label.padEnd(32)} ${a.padStart(16)} ${b.padStart(16)} ${ratio.padStart(8)}`;
  const n = (x: number): string => Math.round(x).toLocaleString('en-US');
  const ratio = large.nsPerOp / small.nsPerOp;
  const opsPerSecond = (r: SchedulerBenchResult): number => 1e9 / r.nsPerOp;
  console.log('queue scheduler benchmark (500 queues, mixed skills, all strategies)');
  console.log(row('', 'small', 'large', 'ratio'));
  console.log(row('agents / waiting calls', `${n(small.size.agents)} / ${n(small.size.waitingCalls)}`, `${n(large.size.agents)} / ${n(large.size.waitingCalls)}`));
  console.log(row('operations measured', n(small.operations), n(large.operations)));
  console.log(row('waiting calls at the end', n(small.waitingAtEnd), n(large.waitingAtEnd)));
  console.log(row('ns / operation (median window)', small.nsPerOp.toFixed(0), large.nsPerOp.toFixed(0), `${ratio.toFixed(2)}×`));
  console.log(row('ns / operation (best window)', small.bestNsPerOp.toFixed(0), large.bestNsPerOp.toFixed(0), `${(large.bestNsPerOp / small.bestNsPerOp).toFixed(2)}×`));
  console.log(row('operations / s (median)', n(opsPerSecond(small)), n(opsPerSecond(large))));
  console.log(row('fill ops / s (login + enqueue)', n(small.fillOpsPerSecond), n(large.fillOpsPerSecond)));
  console.log(row('heap after fill (MB)', (small.heapBytes / 2 ** 20).toFixed(1), (large.heapBytes / 2 ** 20).toFixed(1)));
  console.log(row('heap per waiting call (bytes)', n(small.heapBytes / small.size.waitingCalls), n(large.heapBytes / large.size.waitingCalls)));
  const total = Object.values(large.mix).reduce((x, y) => x + y, 0);
  console.log(`  mix (large): ${Object.entries(large.mix).map(([k, v]) => `${k} ${((100 * v) / total).toFixed(1)}%`).join(', ')}`);
  const slowest = Math.min(opsPerSecond(small), opsPerSecond(large));
  console.log(`  target >= 200,000 ops/s: ${slowest >= 200_000 ? 'met' : 'MISSED'} (${n(slowest)}); growth <= 2×: ${ratio <= 2 ? 'met' : 'MISSED'} (${ratio.toFixed(2)}×)`);
}
