/**
 * The ACD queue scheduler: which waiting caller goes to which agent, and when. A pure,
 * synchronous data structure: no timers, no I/O, no SIP. Every operation takes `now`
 * (epoch ms); the host keeps one timer at `nextDeadline()` and calls `dispatch(now)` when
 * it fires and after each batch of operations, then rings the agents in the offers and
 * runs the overflow action of the overflows. docs/scheduler.md is the reference.
 *
 * Line order. A call with priority p that arrived at t in a queue with aging a waits in
 * line at the virtual arrival time v = t − p·a (each priority level is a head start of
 * a ms). v never changes, so ordered structures keyed by (v, arrival seq) stay valid as
 * time passes, and a low-priority caller overtakes a later high-priority one once it has
 * waited (Δp·a) longer: no starvation. Queues with different agingMs compare their own
 * v values on the one time axis. An agent who serves several queues always takes the
 * call with the smallest v among the calls it qualifies for, across all its queues.
 *
 * Indexes (n = waiting calls, m = agents, Q = queues of one agent, S = stages per queue,
 * L = deadline lanes: one per (queue, relaxation step), per queue with a max wait and per
 * distinct wrap-up time, i.e. the size of the configuration, not of the traffic):
 *
 * | index                               | holds                                     | order                    |
 * | ----------------------------------- | ----------------------------------------- | ------------------------ |
 * | queue.line (treap, waiting-line.ts) | the queue's waiting (not ringing) calls   | (v, seq); subtree size   |
 * |                                     |                                           | and earliest arrival     |
 * | queue.partitions[s] (binary heaps)  | offerable members whose entry stage is s  | the queue's strategy     |
 * | queue.relaxLanes[s] (FIFO, lane.ts) | calls at stage s that joined in order     | arrival = due order      |
 * | queue.expiryLane (FIFO)             | the same calls, due at max wait           | arrival = due order      |
 * | wrapUpLanes (FIFO per wrapUpMs)     | agents in wrap-up                         | call end = due order     |
 * | deadlines (binary heap)             | the lanes (keyed by their heads) and      | (due, rank, head seq)    |
 * |                                     | calls back from a ring (own entry: they   |                          |
 * |                                     | are out of arrival order)                 |                          |
 * | queue.oldest… (linked list)         | the queue's calls in arrival order        | arrival                  |
 * | calls / agents (maps)               | records by id (calls until callEnded)     | —                        |
 *
 * Lanes work because every call of a queue relaxes and expires a fixed time after its
 * arrival, and every wrap-up of a given length ends a fixed time after its call: within
 * a lane, the order of arrival is the order of falling due. So joining or leaving a lane
 * is O(1), and the deadline heap only ever holds O(L + calls back from a ring) entries.
 *
 * Stages only relax, so an agent who qualifies at stage s qualifies at every later
 * stage: its "entry stage" in a queue is fixed at construction. A call at stage s can
 * take any agent in partitions 0..s; an agent with entry stage e can take any call that
 * has waited at least stages[e].afterMs, which the treap finds in O(log n) through the
 * subtree's earliest arrival. Nothing in the tree changes when a call relaxes: the relax
 * lanes only advance call.stage (used to pick agents) and queue the call for matching.
 *
 * Matching (dispatch) keeps this invariant: after dispatch, no waiting call has a
 * qualified offerable agent. Between dispatches, operations only mark what changed
 * (calls that joined, returned or relaxed; agents that became offerable) as dirty.
 * dispatch then repeatedly takes the earliest call in line order among (a) the dirty
 * calls and (b) for each dirty agent, the best call it qualifies for, and gives that
 * call to its queue's preferred agent(s). Any waiting call that can be served now is
 * behind one of these candidates, so the result equals the naive rule "serve calls in
 * global line order, each with its queue's best qualified agent" (see the model-based
 * test). A candidate whose call was taken by someone else is recomputed lazily.
 *
 * Complexity (log n for the treap and heaps; constants are the agent's queues Q and
 * stages S):
 *
 * | operation                       | cost                                                         |
 * | ------------------------------- | ------------------------------------------------------------ |
 * | enqueue                         | O(log n + log L)                                             |
 * | abandon (waiting / ringing k)   | O(log n + log L) / O(k·Q·log m)                              |
 * | login, logout, pause, unpause   | O(Q·log m + log L)                                           |
 * | offerAnswered/Missed/Cancelled  | O(Q·log m + log n) (+ O(k·Q·log m) to release ring-all legs) |
 * | callEnded                       | O(Q·log m + log L)                                           |
 * | dispatch                        | O(log n + log L) per due deadline, O(Q·log n + S + Q·log m)  |
 * |                                 | per changed call or agent and per offer; a free agent whose  |
 * |                                 | chosen call was taken first is recomputed, O(Q·log n) each   |
 * | position                        | O(log n)                                                     |
 * | nextDeadline                    | O(1)                                                         |
 * | snapshots                       | O(queues·members + agents) (the only scans)                  |
 *
 * @example
 *   const s = new QueueScheduler({ queues, agents }, { onEvent: (e) => queueLog.write(e) });
 *   s.login('alice', now);
 *   s.enqueue({ callId: 'c1', queueId: 'support', priority: 0, now });
 *   const { offers, overflows } = s.dispatch(now);
 *   // offers: [{ callId: 'c1', queueId: 'support', agentIds: ['alice'] }] -> ring alice
 *   s.offerAnswered('c1', 'alice', now + 4_000);
 *   s.callEnded('c1', now + 200_000);                  // alice in wrap-up
 *   const wake = s.nextDeadline();                      // set the host's one timer
 */
import { SwitchboardError } from '../../util/errors.js';
import { displayedState, MISSED_OFFERS_REASON, AGENT_STATES, type AgentState } from './agent-state.js';
import { keyMembership, memberBefore } from './agent-order.js';
import { ArrivalOrder, ArrivalTimer } from './arrival-order.js';
import type { SchedulerEvent } from './events.js';
import { CandidateQueue } from './candidate-queue.js';
import { IndexedHeap, NOT_IN_HEAP } from './indexed-heap.js';
import { Lane, type LaneLink } from './lane.js';
import {
  AgentRecord,
  callBefore,
  CallRecord,
  ReturnTimer,
  Membership,
  QueueRecord,
  timerBefore,
  type Timer,
  WRAP_UP_RANK,
} from './records.js';
import type {
  AgentStatus,
  DispatchResult,
  Done,
  EnqueueResult,
  Failure,
  IllegalTransition,
  NotFound,
  Offer,
  Overflow,
  PositionResult,
  QueueStatus,
  ReleaseResult,
  SchedulerSnapshot,
  TransitionResult,
} from './results.js';
import { entryStage } from './skills.js';
import type { AgentSpec, QueueSpec, SkillStage } from './types.js';
import { validateSpecs } from './validate-specs.js';
import { LinePool } from './waiting-line.js';
import { estimateWaitMs } from './wait-estimator.js';

export interface SchedulerOptions {
  /** Receives every event in order; see events.ts. */
  readonly onEvent?: (event: SchedulerEvent) => void;
}

export interface EnqueueRequest {
  readonly callId: string;
  readonly queueId: string;
  /** Integer, higher is served first. Default 0. */
  readonly priority?: number;
  readonly now: number;
}

const DONE: Done = Object.freeze({ ok: true });
const QUEUED: EnqueueResult = Object.freeze({ ok: true, status: 'queued' });
const FULL: EnqueueResult = Object.freeze({ ok: true, status: 'overflow', reason: 'max-size' });
const NONE: readonly never[] = Object.freeze([]);
const RELEASED_NONE: ReleaseResult = Object.freeze({ ok: true, withdrawnAgentIds: NONE });
const NOTHING_TO_DO: DispatchResult = Object.freeze({ offers: NONE, overflows: NONE });

export class QueueScheduler {
  private readonly queues = new Map<string, QueueRecord>();
  private readonly agents = new Map<string, AgentRecord>();
  /** Waiting, ringing and connected calls (one map: answering a call moves nothing). */
  private readonly calls = new Map<string, CallRecord>();
  private readonly deadlines = new IndexedHeap<Timer>(timerBefore);
  private readonly wrapUpLanes = new Map<number, Lane<AgentRecord>>();
  /** Max-wait overflows found by the dispatch in progress. */
  private overflows: Overflow[] | undefined;
  private readonly candidates = new CandidateQueue();
  private readonly dirtyCalls: CallRecord[] = [];
  private readonly dirtyAgents: AgentRecord[] = [];
  private readonly listener: ((event: SchedulerEvent) => void) | undefined;
  private readonly pendingEvents: SchedulerEvent[] = [];
  private flushing = false;
  private lastNow = -Infinity;
  private arrivals = 0;
  private offersMade = 0;

  /** Throws SwitchboardError 'SB_SCHEDULER_INPUT' when the specs break an invariant. */
  constructor(specs: { readonly queues: readonly QueueSpec[]; readonly agents: readonly AgentSpec[] }, options: SchedulerOptions = {}) {
    validateSpecs(specs);
    this.listener = options.onEvent;
    specs.agents.forEach((spec, i) => this.agents.set(spec.id, new AgentRecord(spec, i)));
    for (const ms of new Set(specs.agents.map((a) => a.wrapUpMs).filter((ms) => ms > 0))) {
      this.wrapUpLanes.set(ms, new Lane<AgentRecord>(WRAP_UP_RANK, 0, wrapUpEnd, agentIndex, (agent, now) => this.wrapUpElapsed(agent, now)));
    }
    const onRelax = (call: CallRecord): void => this.markCall(call);
    // One pool for every queue's line: the records of all waiting calls in one typed array.
    const linePool = new LinePool<CallRecord>();
    const onExpiry = (call: CallRecord, now: number): void => this.expire(call, now);
    specs.queues.forEach((spec, i) => {
      const arrivals = (stages: readonly SkillStage[], maxWaitMs: number | undefined): ArrivalOrder =>
        new ArrivalOrder(stages, maxWaitMs, this.deadlines, onRelax, onExpiry);
      const queue = new QueueRecord(spec, i, linePool, arrivals);
      this.queues.set(spec.id, queue);
      spec.members.forEach((agentId, memberIndex) => {
        const agent = this.agents.get(agentId) as AgentRecord;
        const entry = entryStage(agent.skills, spec.stages);
        const membership = new Membership(agent, queue, memberIndex, entry, entry < 0 ? Infinity : (spec.stages[entry] as SkillStage).afterMs);
        queue.memberships.push(membership);
        if (membership.entryStage >= 0) agent.servable.push(membership);
      });
    });
  }

  // ---- waiting calls -------------------------------------------------------------

  /** A caller joins a queue. Returns overflow (not queued) when the queue is at maxSize. */
  enqueue(request: EnqueueRequest): EnqueueResult {
    const now = this.tick(request.now);
    const priority = request.priority ?? 0;
    if (!Number.isSafeInteger(priority)) throw new SwitchboardError('SB_SCHEDULER_INPUT', `priority must be an integer, got ${priority}`);
    const queue = this.queues.get(request.queueId);
    if (queue === undefined) return notFound('queue', request.queueId);
    if (this.calls.has(request.callId)) {
      return illegal(`call "${request.callId}" is already known to the scheduler`);
    }
    if (queue.maxSize !== undefined && queue.size >= queue.maxSize) {
      if (this.listener) {
        this.emit({ type: 'call-overflowed', at: now, callId: request.callId, queueId: queue.id, reason: 'max-size', waitedMs: 0 });
      }
      return this.done(FULL);
    }
    const call = new CallRecord(request.callId, queue, priority, now, ++this.arrivals);
    this.calls.set(call.id, call);
    queue.size++;
    if (this.listener) this.emit({ type: 'call-entered', at: now, callId: call.id, queueId: queue.id, priority });
    queue.line.insert(call);
    queue.arrivals.append(call);
    this.markCall(call);
    return this.done(QUEUED);
  }

  /**
   * The caller hung up, while waiting or while agents were ringing. The result lists the
   * agent legs to cancel. Answered calls end with callEnded instead.
   */
  abandon(callId: string, now: number): ReleaseResult {
    now = this.tick(now);
    const call = this.calls.get(callId);
    if (call === undefined || call.state === 'connected') return this.unknownCall(callId, call, 'abandon');
    if (this.listener) {
      this.emit({ type: 'call-abandoned', at: now, callId, queueId: call.queue.id, waitedMs: now - call.enqueuedAt });
    }
    let withdrawn: readonly string[] = NONE;
    if (call.state === 'waiting') this.leaveLine(call);
    else withdrawn = this.withdrawAll(call, now);
    this.removeCall(call);
    this.calls.delete(callId);
    return this.done(withdrawn.length === 0 ? RELEASED_NONE : { ok: true, withdrawnAgentIds: withdrawn });
  }

  /**
   * The host takes a waiting call out of its queue to run its overflow action (it has had
   * all the offers `offer.retries` allows). Reported as call-overflowed, reason max-offers.
   */
  overflow(callId: string, now: number): TransitionResult {
    now = this.tick(now);
    const call = this.calls.get(callId);
    if (call === undefined) return notFound('call', callId);
    if (call.state !== 'waiting') return illegal(`cannot overflow call "${callId}" while it is ${call.state}`);
    if (this.listener) {
      this.emit({ type: 'call-overflowed', at: now, callId, queueId: call.queue.id, reason: 'max-offers', waitedMs: now - call.enqueuedAt });
    }
    this.leaveLine(call);
    this.removeCall(call);
    this.calls.delete(callId);
    return this.done(DONE);
  }

  /** Where a call stands: 1 + waiting calls ahead of it in its queue, and an estimated wait. */
  position(callId: string): PositionResult {
    const call = this.calls.get(callId);
    if (call === undefined) return notFound('call', callId);
    if (call.state === 'connected') return notFound('call', callId, 'is connected to an agent, not in a queue');
    const queue = call.queue;
    if (call.state === 'offered') return { ok: true, queueId: queue.id, state: 'offered', position: 0, estimatedWaitMs: 0 };
    const position = queue.line.rank(call) + 1;
    return {
      ok: true,
      queueId: queue.id,
      state: 'waiting',
      position,
      estimatedWaitMs: estimateWaitMs(position, queue.handleTime.averageMs, queue.staffedCapacity),
    };
  }

  // ---- agent presence ------------------------------------------------------------

  login(agentId: string, now: number): TransitionResult {
    now = this.tick(now);
    const agent = this.agents.get(agentId);
    if (agent === undefined) return notFound('agent', agentId);
    if (agent.loggedIn) return illegal(`agent "${agentId}" is already logged in`);
    const from = displayedState(agent);
    agent.loggedIn = true;
    agent.answered = 0;
    agent.missedInARow = 0;
    this.settle(agent, from, undefined, now, now);
    return this.done(DONE);
  }

  /** Logged-in agents who are not ringing and have no call in progress may log out. */
  logout(agentId: string, now: number): TransitionResult {
    now = this.tick(now);
    const agent = this.agents.get(agentId);
    if (agent === undefined) return notFound('agent', agentId);
    const from = displayedState(agent);
    if (from === 'logged-out') return illegal(`agent "${agentId}" is not logged in`);
    if (from === 'offered' || from === 'on-call') {
      return illegal(`agent "${agentId}" cannot log out while ${from}: ${from === 'offered' ? 'resolve the ring' : 'end the calls'} first`);
    }
    const reason = agent.pauseReason;
    agent.loggedIn = false;
    agent.pauseReason = undefined;
    this.endWrapUp(agent);
    this.settle(agent, from, reason, now, now);
    return this.done(DONE);
  }

  /** Stops new offers. During a ring, call or wrap-up it takes effect when they are over. */
  pause(agentId: string, reason: string, now: number): TransitionResult {
    now = this.tick(now);
    if (typeof reason !== 'string' || reason === '') throw new SwitchboardError('SB_SCHEDULER_INPUT', 'pause reason must be a non-empty string');
    const agent = this.agents.get(agentId);
    if (agent === undefined) return notFound('agent', agentId);
    if (!agent.loggedIn) return illegal(`agent "${agentId}" is logged out and cannot pause`);
    if (agent.pauseReason !== undefined) return illegal(`agent "${agentId}" is already paused (${agent.pauseReason})`);
    const from = displayedState(agent);
    agent.pauseReason = reason;
    this.settle(agent, from, undefined, now, now);
    return this.done(DONE);
  }

  /** Clears the pause reason and the consecutive-miss streak. */
  unpause(agentId: string, now: number): TransitionResult {
    now = this.tick(now);
    const agent = this.agents.get(agentId);
    if (agent === undefined) return notFound('agent', agentId);
    if (agent.pauseReason === undefined) return illegal(`agent "${agentId}" is not paused`);
    const from = displayedState(agent);
    const reason = agent.pauseReason;
    agent.pauseReason = undefined;
    agent.missedInARow = 0;
    this.settle(agent, from, reason, now, now);
    return this.done(DONE);
  }

  // ---- offers ----------------------------------------------------------------------

  /**
   * Applies the time-driven changes due at `now` (relaxation steps, wrap-up ends, max-wait
   * overflows), then matches waiting calls with free agents. The host rings each offer's
   * agents and runs the overflow action for each overflow.
   */
  dispatch(now: number): DispatchResult {
    now = this.tick(now);
    this.overflows = undefined;
    for (let due = this.deadlines.peek(); due !== undefined && due.dueAt <= now; due = this.deadlines.peek()) {
      if (due instanceof ArrivalTimer) due.owner.fire(due, now);
      else if (due instanceof Lane) due.fireHead(now);
      else this.returnedCallDue(due as ReturnTimer, now); // the only other kind of timer
    }
    const offers = this.match(now);
    const overflows = this.overflows;
    this.overflows = undefined;
    this.flush();
    if (offers === undefined && overflows === undefined) return NOTHING_TO_DO;
    return { offers: offers ?? NONE, overflows: overflows ?? NONE };
  }

  /** The agent answered. The result lists the other agents still ringing for this call (ring-all) to cancel. */
  offerAnswered(callId: string, agentId: string, now: number): ReleaseResult {
    now = this.tick(now);
    const call = this.calls.get(callId);
    const agent = this.agents.get(agentId);
    if (call === undefined || agent === undefined || agent.offer !== call) return this.refuseOffer(callId, call, agentId, agent, 'answer');
    const queue = call.queue;
    if (this.listener) {
      this.emit({ type: 'call-answered', at: now, callId, queueId: queue.id, agentId, waitedMs: now - call.enqueuedAt });
    }
    removeAgent(call.offeredTo, agent);
    const from = displayedState(agent);
    agent.offer = null;
    agent.activeCalls++;
    agent.answered++;
    agent.missedInARow = 0;
    this.settle(agent, from, agent.pauseReason, now, now);
    const withdrawn = call.offeredTo.length === 0 ? NONE : this.withdrawAll(call, now);
    this.removeCall(call);
    call.state = 'connected';
    call.agent = agent;
    call.answeredAt = now;
    return this.done(withdrawn.length === 0 ? RELEASED_NONE : { ok: true, withdrawnAgentIds: withdrawn });
  }

  /**
   * The agent did not answer (ring timeout, busy, declined). Counts toward the agent's
   * auto-pause; the call goes back to its original place in line once no agent rings.
   */
  offerMissed(callId: string, agentId: string, now: number): TransitionResult {
    now = this.tick(now);
    const call = this.calls.get(callId);
    const agent = this.agents.get(agentId);
    if (call === undefined || agent === undefined || agent.offer !== call) return this.refuseOffer(callId, call, agentId, agent, 'miss');
    const from = displayedState(agent);
    const reason = agent.pauseReason;
    agent.offer = null;
    agent.missedInARow++;
    if (this.listener) {
      this.emit({ type: 'offer-missed', at: now, callId, queueId: call.queue.id, agentId, missedInARow: agent.missedInARow });
    }
    if (agent.maxMissedOffers !== undefined && agent.missedInARow >= agent.maxMissedOffers && agent.pauseReason === undefined) {
      agent.pauseReason = MISSED_OFFERS_REASON;
    }
    this.settle(agent, from, reason, now, now);
    this.releaseOffer(call, agent, now);
    return this.done(DONE);
  }

  /**
   * The host stopped ringing this agent through no fault of the agent (e.g. the agent's
   * registration vanished). No miss is counted and the agent keeps its idle time; the call
   * goes back to its original place in line once no agent rings. A caller hanging up is
   * `abandon`.
   */
  offerCancelled(callId: string, agentId: string, now: number): TransitionResult {
    now = this.tick(now);
    const call = this.calls.get(callId);
    const agent = this.agents.get(agentId);
    if (call === undefined || agent === undefined || agent.offer !== call) return this.refuseOffer(callId, call, agentId, agent, 'cancel');
    this.withdraw(call, agent, now);
    this.releaseOffer(call, agent, now);
    return this.done(DONE);
  }

  /** An answered call ended. The agent goes to wrap-up for wrapUpMs (if any). */
  callEnded(callId: string, now: number): TransitionResult {
    now = this.tick(now);
    const call = this.calls.get(callId);
    if (call === undefined) return notFound('call', callId);
    if (call.state !== 'connected') return illegal(`call "${callId}" is ${call.state}, not connected; a caller hanging up before an answer is abandon`);
    this.calls.delete(callId);
    call.state = 'gone';
    const agent = call.agent as AgentRecord;
    const from = displayedState(agent);
    agent.activeCalls--;
    call.queue.handleTime.record(now - call.answeredAt + agent.wrapUpMs);
    if (agent.wrapUpMs > 0) this.startWrapUp(agent, now + agent.wrapUpMs);
    if (this.listener) {
      this.emit({ type: 'call-completed', at: now, callId, queueId: call.queue.id, agentId: agent.id, talkMs: now - call.answeredAt });
    }
    this.settle(agent, from, agent.pauseReason, now, now);
    return this.done(DONE);
  }

  /**
   * When the host should call dispatch next: a past or present instant if work is
   * pending, else the earliest relaxation step, max wait or wrap-up end; undefined when
   * nothing is scheduled.
   */
  nextDeadline(): number | undefined {
    if (this.dirtyCalls.length > 0 || this.dirtyAgents.length > 0) return this.lastNow;
    return this.deadlines.peek()?.dueAt;
  }

  // ---- snapshots (admin API) ------------------------------------------------------

  agentStatus(agentId: string): { readonly ok: true; readonly agent: AgentStatus } | NotFound {
    const agent = this.agents.get(agentId);
    if (agent === undefined) return notFound('agent', agentId);
    return { ok: true, agent: this.statusOf(agent) };
  }

  queueStatus(queueId: string, now: number): { readonly ok: true; readonly queue: QueueStatus } | NotFound {
    now = this.tick(now);
    const queue = this.queues.get(queueId);
    if (queue === undefined) return notFound('queue', queueId);
    return { ok: true, queue: this.queueStatusOf(queue, now) };
  }

  /** Every queue and agent, in spec order. O(queues·members + agents). */
  snapshot(now: number): SchedulerSnapshot {
    now = this.tick(now);
    return {
      at: now,
      queues: [...this.queues.values()].map((q) => this.queueStatusOf(q, now)),
      agents: [...this.agents.values()].map((a) => this.statusOf(a)),
    };
  }

  // ---- internals: calls ------------------------------------------------------------

  /** Puts a call back from a ring at its original place in line, with its own deadline. */
  private rejoinLine(call: CallRecord, now: number): void {
    const queue = call.queue;
    call.state = 'waiting';
    call.stage = queue.stageAt(call.enqueuedAt, now);
    queue.line.insert(call);
    this.scheduleCall(call);
    this.markCall(call);
  }

  private leaveLine(call: CallRecord): void {
    call.queue.line.remove(call);
    const timer = call.returnTimer;
    if (timer !== null && timer.heapIndex !== NOT_IN_HEAP) this.deadlines.remove(timer);
    call.queue.arrivals.remove(call);
  }

  /** Takes the call out of its queue's counts; the caller drops it from `calls` or keeps it as connected. */
  private removeCall(call: CallRecord): void {
    const queue = call.queue;
    if (call.state === 'offered') queue.offered--;
    call.state = 'gone';
    queue.size--;
  }

  /** Deadline of a call back from a ring: its next relaxation step or max wait. */
  private scheduleCall(call: CallRecord): void {
    const due = Math.min(call.queue.nextStageAt(call), call.queue.expiresAt(call));
    if (due === Infinity) return;
    const timer = (call.returnTimer ??= new ReturnTimer(call));
    timer.dueAt = due;
    this.deadlines.push(timer);
  }

  /** The deadline of a call back from a ring: max wait, or else a relaxation step. */
  private returnedCallDue(timer: ReturnTimer, now: number): void {
    const call = timer.call;
    if (call.queue.expiresAt(call) <= timer.dueAt) {
      this.expire(call, now);
      return;
    }
    this.deadlines.remove(timer);
    call.stage = call.queue.stageAt(call.enqueuedAt, timer.dueAt);
    this.scheduleCall(call);
    this.markCall(call);
  }

  private expire(call: CallRecord, now: number): void {
    const queueId = call.queue.id;
    const waitedMs = now - call.enqueuedAt;
    this.leaveLine(call);
    this.removeCall(call);
    this.calls.delete(call.id);
    if (this.listener) this.emit({ type: 'call-overflowed', at: now, callId: call.id, queueId, reason: 'max-wait', waitedMs });
    (this.overflows ??= []).push({ callId: call.id, queueId, reason: 'max-wait', waitedMs });
  }

  private link<T>(lane: Lane<T>, link: LaneLink<T>): void {
    if (lane.append(link)) this.reschedule(lane);
  }

  private unlink<T>(link: LaneLink<T>): void {
    const lane = link.lane;
    if (lane !== null && lane.remove(link)) this.reschedule(lane);
  }

  /** The lane's head changed: move the lane to its new place in the deadline heap. */
  private reschedule<T>(lane: Lane<T>): void {
    if (lane.head === null) {
      if (lane.heapIndex !== NOT_IN_HEAP) this.deadlines.remove(lane);
      return;
    }
    lane.keyFromHead();
    if (lane.heapIndex === NOT_IN_HEAP) this.deadlines.push(lane);
    else this.deadlines.update(lane);
  }

  private markCall(call: CallRecord): void {
    if (call.dirty) return;
    call.dirty = true;
    this.dirtyCalls.push(call);
  }

  // ---- internals: offers -------------------------------------------------------------

  /** Why `agent` cannot resolve a ring of `call`. */
  private refuseOffer(callId: string, call: CallRecord | undefined, agentId: string, agent: AgentRecord | undefined, verb: string): Failure {
    if (call === undefined) return notFound('call', callId);
    if (call.state === 'connected') return illegal(`cannot ${verb}: call "${callId}" is already connected`);
    if (agent === undefined) return notFound('agent', agentId);
    return illegal(`cannot ${verb}: call "${callId}" is not ringing agent "${agentId}"`);
  }

  /** After a miss or cancel: once no agent rings any more, the call is back in line. */
  private releaseOffer(call: CallRecord, agent: AgentRecord, now: number): void {
    removeAgent(call.offeredTo, agent);
    if (call.offeredTo.length > 0) return;
    call.queue.offered--;
    this.rejoinLine(call, now);
  }

  /** Stops every ring of `call`; the agents keep their idle time. Returns their ids. */
  private withdrawAll(call: CallRecord, now: number): readonly string[] {
    const ids = call.offeredTo.map((a) => a.id);
    for (const agent of call.offeredTo) this.withdraw(call, agent, now);
    call.ringNobody();
    return ids;
  }

  private withdraw(call: CallRecord, agent: AgentRecord, now: number): void {
    const from = displayedState(agent);
    agent.offer = null;
    if (this.listener) this.emit({ type: 'offer-withdrawn', at: now, callId: call.id, queueId: call.queue.id, agentId: agent.id });
    this.settle(agent, from, agent.pauseReason, now, undefined);
  }

  /** The dispatch loop; see the module comment. Returns undefined when nothing was offered. */
  private match(now: number): Offer[] | undefined {
    if (this.dirtyCalls.length === 0 && this.dirtyAgents.length === 0) return undefined;
    const candidates = this.candidates;
    for (const call of this.dirtyCalls) {
      call.dirty = false;
      // Agents only leave during matching: a call with no free qualified agent now gets none.
      if (call.state === 'waiting' && this.anyAgentFor(call)) candidates.push(call, null);
    }
    this.dirtyCalls.length = 0;
    for (const agent of this.dirtyAgents) {
      agent.dirty = false;
      if (agent.offerable) this.proposeFor(agent, now);
    }
    this.dirtyAgents.length = 0;

    let offers: Offer[] | undefined;
    while (candidates.pop()) {
      const call = candidates.call;
      const via = candidates.via;
      if (call.state === 'waiting') {
        const chosen = this.pickAgents(call);
        // Nobody, not even the proposer, can take it: nothing changed for anyone.
        if (chosen.length === 0) continue;
        (offers ??= []).push(this.offer(call, chosen, now));
      }
      // The proposing agent is still free if its call went elsewhere: find its next best.
      if (via !== null && via.offerable) this.proposeFor(via, now);
    }
    return offers;
  }

  /** Queues the best waiting call `agent` qualifies for, across all its queues, as a candidate. */
  private proposeFor(agent: AgentRecord, now: number): void {
    let best: CallRecord | null = null;
    for (const m of agent.servable) {
      const call = m.queue.line.first(m.entryWaitMs, now);
      if (call !== null && (best === null || callBefore(call, best))) best = call;
    }
    if (best !== null) this.candidates.push(best, agent);
  }

  private anyAgentFor(call: CallRecord): boolean {
    const partitions = call.queue.partitions;
    for (let s = 0; s <= call.stage; s++) if ((partitions[s] as IndexedHeap<Membership>).size > 0) return true;
    return false;
  }

  /** The agent(s) to ring for `call` by its queue's strategy; empty if none qualifies. */
  private pickAgents(call: CallRecord): Membership[] {
    const queue = call.queue;
    const partitions = queue.partitions;
    if (queue.strategy === 'ring-all') {
      const all: Membership[] = [];
      for (let s = 0; s <= call.stage; s++) for (const m of (partitions[s] as IndexedHeap<Membership>).items) all.push(m);
      return all.sort((a, b) => a.memberIndex - b.memberIndex);
    }
    let best: Membership | undefined;
    for (let s = 0; s <= call.stage; s++) {
      const m = (partitions[s] as IndexedHeap<Membership>).peek();
      if (m !== undefined && (best === undefined || memberBefore(m, best))) best = m;
    }
    return best === undefined ? [] : [best];
  }

  private offer(call: CallRecord, chosen: readonly Membership[], now: number): Offer {
    const queue = call.queue;
    this.leaveLine(call);
    call.state = 'offered';
    queue.offered++;
    const agentIds = chosen.map((m) => m.agent.id);
    if (this.listener) this.emit({ type: 'call-offered', at: now, callId: call.id, queueId: queue.id, agentIds });
    call.ring(chosen.map((m) => m.agent));
    for (const m of chosen) {
      const agent = m.agent;
      const from = displayedState(agent);
      agent.offer = call;
      this.settle(agent, from, agent.pauseReason, now, undefined);
      // Only now that the agent is out of every index may its round-robin key change.
      m.lastOfferSeq = ++this.offersMade;
    }
    return { callId: call.id, queueId: queue.id, agentIds };
  }

  // ---- internals: agents -------------------------------------------------------------

  /**
   * Brings the agent's index membership and staffed capacity in line with its facts after
   * a change, and reports a changed state. `idleFrom` is the idle-since instant to record
   * if the agent becomes offerable now; undefined keeps the previous one (a withdrawn ring
   * does not cost the agent its place).
   */
  private settle(agent: AgentRecord, from: AgentState, fromReason: string | undefined, now: number, idleFrom: number | undefined): void {
    const offerable =
      agent.loggedIn && agent.pauseReason === undefined && agent.offer === null && agent.wrapUpUntil === undefined && agent.activeCalls < agent.maxCalls;
    if (offerable !== agent.offerable) {
      agent.offerable = offerable;
      if (offerable) {
        if (idleFrom !== undefined) agent.idleSince = idleFrom;
        for (const m of agent.servable) {
          keyMembership(m);
          (m.queue.partitions[m.entryStage] as IndexedHeap<Membership>).push(m);
        }
        if (!agent.dirty) {
          agent.dirty = true;
          this.dirtyAgents.push(agent);
        }
      } else {
        for (const m of agent.servable) (m.queue.partitions[m.entryStage] as IndexedHeap<Membership>).remove(m);
      }
    }
    const staffed = agent.loggedIn && agent.pauseReason === undefined;
    if (staffed !== agent.staffed) {
      agent.staffed = staffed;
      const delta = staffed ? agent.maxCalls : -agent.maxCalls;
      for (const m of agent.servable) m.queue.staffedCapacity += delta;
    }
    if (this.listener) {
      const to = displayedState(agent);
      if (to !== from || agent.pauseReason !== fromReason) {
        this.emit({ type: 'agent-state', at: now, agentId: agent.id, from, to, pauseReason: agent.pauseReason });
      }
    }
  }

  private startWrapUp(agent: AgentRecord, until: number): void {
    // Overlapping calls (maxCalls > 1): wrap-up lasts until the latest end, which is the
    // lane's latest instant too, so moving the agent to the tail keeps the lane in order.
    if (agent.wrapUpUntil !== undefined && agent.wrapUpUntil >= until) return;
    this.endWrapUp(agent);
    agent.wrapUpUntil = until;
    this.link(this.wrapUpLanes.get(agent.wrapUpMs) as Lane<AgentRecord>, agent.wrapLink);
  }

  private endWrapUp(agent: AgentRecord): void {
    this.unlink(agent.wrapLink);
    agent.wrapUpUntil = undefined;
  }

  private wrapUpElapsed(agent: AgentRecord, now: number): void {
    const from = displayedState(agent);
    const endedAt = agent.wrapUpUntil;
    this.endWrapUp(agent);
    // Idle since the wrap-up really ended, even if dispatch runs a little later.
    this.settle(agent, from, agent.pauseReason, now, endedAt);
  }

  private statusOf(agent: AgentRecord): AgentStatus {
    return {
      id: agent.id,
      state: displayedState(agent),
      pauseReason: agent.pauseReason,
      activeCalls: agent.activeCalls,
      maxCalls: agent.maxCalls,
      offeredCallId: agent.offer?.id,
      wrapUpUntil: agent.wrapUpUntil,
      idleSince: agent.offerable ? agent.idleSince : undefined,
      answeredSinceLogin: agent.answered,
      missedInARow: agent.missedInARow,
    };
  }

  private queueStatusOf(queue: QueueRecord, now: number): QueueStatus {
    const agents = Object.fromEntries(AGENT_STATES.map((s) => [s, 0])) as Record<AgentState, number>;
    // The oldest call waits in line or rings a member: no list of calls needed.
    let earliest = queue.line.earliestArrival();
    for (const m of queue.memberships) {
      agents[displayedState(m.agent)]++;
      const ringing = m.agent.offer;
      if (ringing !== null && ringing.queue === queue && ringing.enqueuedAt < earliest) earliest = ringing.enqueuedAt;
    }
    const averageHandleMs = queue.handleTime.averageMs;
    return {
      id: queue.id,
      strategy: queue.strategy,
      size: queue.size,
      waiting: queue.size - queue.offered,
      offered: queue.offered,
      oldestWaitMs: earliest === Infinity ? undefined : now - earliest,
      averageHandleMs,
      staffedCapacity: queue.staffedCapacity,
      estimatedWaitMs: estimateWaitMs(queue.size - queue.offered + 1, averageHandleMs, queue.staffedCapacity),
      agents,
    };
  }

  // ---- internals: plumbing -------------------------------------------------------------

  /** Validates `now`; time never runs backwards here (a wall-clock step back is held at the last instant). */
  private tick(now: number): number {
    if (!Number.isFinite(now)) throw new SwitchboardError('SB_SCHEDULER_INPUT', `now must be a finite epoch ms value, got ${now}`);
    if (now > this.lastNow) this.lastNow = now;
    return this.lastNow;
  }

  private unknownCall(callId: string, call: CallRecord | undefined, verb: string): NotFound | IllegalTransition {
    if (call !== undefined) return illegal(`cannot ${verb}: call "${callId}" is connected to an agent; end it with callEnded`);
    return notFound('call', callId);
  }

  private emit(event: SchedulerEvent): void {
    this.pendingEvents.push(event);
  }

  /** Delivers the events of a finished operation, then returns `result`. */
  private done<T>(result: T): T {
    this.flush();
    return result;
  }

  private flush(): void {
    if (this.flushing || this.listener === undefined) return;
    this.flushing = true;
    try {
      // Index loop: a listener that calls back into the scheduler appends to this batch.
      for (let i = 0; i < this.pendingEvents.length; i++) this.listener(this.pendingEvents[i] as SchedulerEvent);
    } finally {
      this.pendingEvents.length = 0;
      this.flushing = false;
    }
  }
}

const wrapUpEnd = (agent: AgentRecord): number => agent.wrapUpUntil as number;
const agentIndex = (agent: AgentRecord): number => agent.index;

function notFound(entity: NotFound['entity'], id: string, detail = 'does not exist'): NotFound {
  return { ok: false, error: 'not-found', entity, id, message: `${entity} "${id}" ${detail}` };
}

function illegal(message: string): IllegalTransition {
  return { ok: false, error: 'illegal-transition', message };
}

function removeAgent(list: AgentRecord[], agent: AgentRecord): void {
  const i = list.indexOf(agent);
  list[i] = list[list.length - 1] as AgentRecord;
  list.pop();
}
