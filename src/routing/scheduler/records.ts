/**
 * The scheduler's internal records. They carry the intrusive links of the indexes they
 * sit in (heap slots, treap links, the arrival list) so that moving a call or an agent
 * between indexes allocates nothing. Internal to src/routing/scheduler.
 *
 * @example
 *   const queue = new QueueRecord(spec, 0, new LinePool<CallRecord>(), (stages, maxWaitMs) => arrivalOrder);
 *   const call = new CallRecord('c1', queue, 0, now, 1);
 */
import { memberBefore } from './agent-order.js';
import type { ArrivalOrder } from './arrival-order.js';
import { IndexedHeap, NOT_IN_HEAP, type HeapItem } from './indexed-heap.js';
import type { AgentSpec, QueueSpec, QueueStrategy, SkillStage } from './types.js';
import { LaneLink } from './lane.js';
import { type LinePool, NOT_IN_LINE, WaitingLine, type LineNode } from './waiting-line.js';
import { HandleTimeAverage } from './wait-estimator.js';

/** Deadline heap ordering at equal times: wrap-up ends, then max waits, then relaxation steps. */
export const WRAP_UP_RANK = 0;
export const EXPIRY_RANK = 1;
export const RELAX_RANK = 2;

export type CallState = 'waiting' | 'offered' | 'connected' | 'gone';

/** Shared by every call that rings nobody; never modified (a call that rings gets its own list). */
const NO_AGENTS: AgentRecord[] = Object.freeze([]) as unknown as AgentRecord[];

export class CallRecord implements LineNode {
  // A call that joined its queue in arrival order waits in the queue's ArrivalOrder,
  // whose timers point at it when it is next to relax or expire. (Together, so that a
  // neighbour's departure, which writes them, touches one cache line of this object.)
  olderInOrder: CallRecord | null = null;
  newerInOrder: CallRecord | null = null;
  inArrivalOrder = false;
  readonly virtualAt: number;
  state: CallState = 'waiting';
  /** Skill stage index, kept current by the deadline timers up to the last dispatch. */
  stage = 0;
  /** Agents the call is ringing (several for ring-all). Empty unless state is 'offered'. */
  offeredTo: AgentRecord[] = NO_AGENTS;
  /** Pending dispatch work: queued for the next match. */
  dirty = false;
  /** Once connected (answered, until callEnded): the agent and when it answered. */
  agent: AgentRecord | null = null;
  answeredAt = 0;

  /** Made when the call first comes back from a ring (it is then out of arrival order). */
  returnTimer: ReturnTimer | null = null;

  /** The call's record in the waiting line's pool while in line. */
  lineSlot = NOT_IN_LINE;

  constructor(
    readonly id: string,
    readonly queue: QueueRecord,
    readonly priority: number,
    readonly enqueuedAt: number,
    readonly seq: number,
  ) {
    // Each priority level is a head start of agingMs: time-invariant, so the line stays sorted.
    this.virtualAt = enqueuedAt - priority * queue.agingMs;
  }

  /** Rings the agents: the call's own list of them. */
  ring(agents: AgentRecord[]): void {
    this.offeredTo = agents;
  }

  /** Rings nobody any more. */
  ringNobody(): void {
    this.offeredTo = NO_AGENTS;
  }
}

/**
 * The deadline of a call back from a ring: its next relaxation step or its max wait,
 * whichever is first. Such a call is out of arrival order, so it cannot share its
 * queue's timers; ring returns are rare next to arrivals, so it is made on demand.
 */
export class ReturnTimer implements Timer {
  heapIndex = NOT_IN_HEAP;
  dueAt = 0;
  readonly timerRank = EXPIRY_RANK;
  readonly timerOrdinal: number;

  constructor(readonly call: CallRecord) {
    this.timerOrdinal = call.seq;
  }
}

export class AgentRecord {
  readonly id: string;
  readonly maxCalls: number;
  readonly wrapUpMs: number;
  readonly maxMissedOffers: number | undefined;
  readonly skills: Readonly<Record<string, number>>;
  /** Memberships of queues whose last stage the agent qualifies for (it can serve them). */
  readonly servable: Membership[] = [];

  loggedIn = false;
  pauseReason: string | undefined = undefined;
  activeCalls = 0;
  offer: CallRecord | null = null;
  wrapUpUntil: number | undefined = undefined;
  idleSince = 0;
  answered = 0;
  missedInARow = 0;
  /** In the queues' agent indexes (logged in, unpaused, not ringing, not in wrap-up, below maxCalls). */
  offerable = false;
  /** Counted in the queues' staffed capacity (logged in and not paused). */
  staffed = false;
  dirty = false;
  /** In the wrap-up lane of its wrapUpMs while in wrap-up. */
  readonly wrapLink = new LaneLink<AgentRecord>(this);

  constructor(spec: AgentSpec, readonly index: number) {
    this.id = spec.id;
    this.maxCalls = spec.maxCalls;
    this.wrapUpMs = spec.wrapUpMs;
    this.maxMissedOffers = spec.maxMissedOffers;
    this.skills = spec.skills;
  }
}

/** An agent's place in one queue. Sits in the queue's agent index while the agent is offerable. */
export class Membership implements HeapItem {
  heapIndex = NOT_IN_HEAP;
  /** Value of the scheduler's offer counter when this queue last offered the agent a call (round-robin). */
  lastOfferSeq = 0;
  // The strategy's sort keys, set by keyMembership as the agent enters the queue's index.
  key0 = 0;
  key1 = 0;
  key2 = 0;

  constructor(
    readonly agent: AgentRecord,
    readonly queue: QueueRecord,
    /** Position in the queue's member list ('linear' order, tie-breaks). */
    readonly memberIndex: number,
    /** First skill stage the agent qualifies for. */
    readonly entryStage: number,
    /** How long a caller must have waited for the agent to qualify (the entry stage's afterMs). */
    readonly entryWaitMs: number,
  ) {}

  setKeys(key0: number, key1: number, key2: number): void {
    this.key0 = key0;
    this.key1 = key1;
    this.key2 = key2;
  }
}

/** What the deadline heap holds: lanes, and calls back from a ring. */
export interface Timer extends HeapItem {
  readonly dueAt: number;
  readonly timerRank: number;
  readonly timerOrdinal: number;
}

export function timerBefore(a: Timer, b: Timer): boolean {
  if (a.dueAt !== b.dueAt) return a.dueAt < b.dueAt;
  if (a.timerRank !== b.timerRank) return a.timerRank < b.timerRank;
  return a.timerOrdinal < b.timerOrdinal;
}

/** Line order across all queues: earlier virtual arrival first, then earlier arrival. */
export function callBefore(a: CallRecord, b: CallRecord): boolean {
  return a.virtualAt < b.virtualAt || (a.virtualAt === b.virtualAt && a.seq < b.seq);
}

export class QueueRecord {
  readonly id: string;
  readonly strategy: QueueStrategy;
  readonly stages: readonly SkillStage[];
  readonly agingMs: number;
  readonly maxSize: number | undefined;
  readonly maxWaitMs: number | undefined;
  readonly memberships: Membership[] = [];
  /** Offerable agents by entry stage: a call at stage s may take any agent in partitions 0..s. */
  readonly partitions: IndexedHeap<Membership>[];
  readonly line: WaitingLine<CallRecord>;
  /** Calls that joined in arrival order, with their relaxation and max-wait timers. */
  readonly arrivals: ArrivalOrder;
  readonly handleTime = new HandleTimeAverage();
  /** Calls in the queue (waiting + offered): what maxSize limits. */
  size = 0;
  offered = 0;
  /** Sum of maxCalls of logged-in, unpaused members who can serve the queue. */
  staffedCapacity = 0;

  constructor(
    spec: QueueSpec,
    readonly index: number,
    linePool: LinePool<CallRecord>,
    arrivalOrder: (stages: readonly SkillStage[], maxWaitMs: number | undefined) => ArrivalOrder,
  ) {
    this.id = spec.id;
    this.strategy = spec.strategy;
    this.stages = spec.stages;
    this.agingMs = spec.agingMs;
    this.maxSize = spec.maxSize;
    this.maxWaitMs = spec.maxWaitMs;
    this.partitions = spec.stages.map(() => new IndexedHeap<Membership>(memberBefore));
    this.line = new WaitingLine<CallRecord>(0x9e3779b9 ^ (index + 1), linePool);
    this.arrivals = arrivalOrder(spec.stages, spec.maxWaitMs);
  }

  /** The skill stage that applies at `now` to a call that arrived at `enqueuedAt`. */
  stageAt(enqueuedAt: number, now: number): number {
    let s = this.stages.length - 1;
    // Same expression as the stage deadlines (enqueuedAt + afterMs <= now), never now − enqueuedAt.
    while (s > 0 && enqueuedAt + (this.stages[s] as SkillStage).afterMs > now) s--;
    return s;
  }

  /** The instant `call` reaches its max wait, Infinity without one. */
  expiresAt(call: CallRecord): number {
    return this.maxWaitMs === undefined ? Infinity : call.enqueuedAt + this.maxWaitMs;
  }

  /** The instant `call` reaches its next stage, Infinity at the last. */
  nextStageAt(call: CallRecord): number {
    const next = this.stages[call.stage + 1];
    return next === undefined ? Infinity : call.enqueuedAt + next.afterMs;
  }
}
