/**
 * The ACD agent state machine: what each agent is doing, changed by registration, the
 * admin API and call events. State lives in an `AgentStateStore` (agent-state-store.ts);
 * time comes from an injected clock and timers (wrap-up). No SIP, no media, no dispatch:
 * the scheduler decides who gets which call, and scheduler-feed.ts keeps the two in step.
 *
 * The displayed state is derived from independent facts (logged in, pause reason,
 * ringing offer, calls in progress, wrap-up) with the scheduler's precedence rule
 * (routing/scheduler/agent-state.ts), first row that applies:
 *
 * | state        | when                                                  |
 * | ------------ | ----------------------------------------------------- |
 * | `logged_out` | not logged in                                         |
 * | `offered`    | a call is ringing the agent                           |
 * | `on_call`    | at least one answered call in progress                |
 * | `wrap_up`    | until `wrapUpMs` after the last call ended            |
 * | `paused`     | a pause reason is set, and none of the above          |
 * | `available`  | otherwise                                             |
 *
 * Transitions (anything else throws AgentStateError 'SB_AGENT_TRANSITION', HTTP 409; an
 * agent not in the configuration 'SB_AGENT_UNKNOWN', HTTP 404):
 *
 * | operation         | legal from                                   | effect                                                        |
 * | ----------------- | -------------------------------------------- | ------------------------------------------------------------- |
 * | `registered`      | any                                          | logged_out → available, unless held out by an admin logout    |
 * | `unregistered`    | any                                          | logged out once no ring or call is left (agents whose user    |
 * |                   |                                              | has static contacts stay in); clears the admin hold-out       |
 * | `login`           | logged_out, with a registration if required  | available; miss streak and counters reset                     |
 * | `logout`          | available, paused, wrap_up                   | logged_out, held out; pause reason and wrap-up dropped        |
 * | `pause(reason)`   | logged in, no reason yet                     | paused once the ring, calls and wrap-up are over              |
 * | `unpause`         | a reason is set                              | the underlying state; miss streak reset                       |
 * | `offer(call)`     | logged in, no reason, not ringing, not in    | offered                                                       |
 * |                   | wrap-up, fewer calls than maxCalls           |                                                               |
 * | `offerAnswered`   | offered that call                            | on_call; miss streak reset                                    |
 * | `offerMissed`     | offered that call                            | previous state; missed + 1; paused 'missed-offers' at the     |
 * |                   |                                              | maxMissedOffers-th miss in a row                              |
 * | `offerWithdrawn`  | offered that call                            | previous state; nothing counted (answered elsewhere, caller   |
 * |                   |                                              | gone, ring cancelled by the host)                             |
 * | `callEnded(call)` | on that call                                 | wrap_up for wrapUpMs (> 0), else available / on_call          |
 * | wrap-up elapsed   | wrap_up                                      | available, or paused if a reason was set meanwhile            |
 *
 * Wrap-up ends by a timer at `wrapUpUntil`, and also lazily: every operation first ends a
 * wrap-up that is due at its instant, so a late timer never makes an operation see a
 * stale wrap-up. Operations take an optional `at` (epoch ms; default the clock's now) so
 * that events replayed from the scheduler keep the scheduler's instants; time never runs
 * backwards here (an earlier `at` counts as the latest instant seen).
 *
 * Listeners get one `AgentStateChange` per change of the displayed state or pause reason,
 * in order, after the store holds the new record; a listener may call the machine again
 * (its changes follow in the same order). Listener errors are logged, never thrown into
 * the operation.
 *
 * @example
 *   const agents = new AgentStates({ agents: acdAgentConfigs(config), clock: systemClock });
 *   agents.onChange((c) => queueEvents.agentStateChanged(c));
 *   agents.registered('alice');                // logged_out -> available
 *   agents.offer('alice', 'call-1');           // -> offered
 *   agents.offerAnswered('alice', 'call-1');   // -> on_call
 *   agents.callEnded('alice', 'call-1');       // -> wrap_up, available after wrapUpMs
 *   agents.setState('alice', { state: 'paused', reason: 'lunch' });
 */
import { displayedState, MISSED_OFFERS_REASON, type AgentState as SchedulerAgentState } from '../routing/scheduler/agent-state.js';
import { nodeTimers, type TimerFunctions } from '../registrar/registration-store.js';
import type { Clock } from '../util/clock.js';
import { SwitchboardError } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/logger.js';
import type { AcdAgentConfig } from './agent-config.js';
import { InMemoryAgentStateStore, type AgentRecord, type AgentState, type AgentStateStore } from './agent-state-store.js';

/** What caused a change. */
export type AgentOperation =
  | 'registered'
  | 'unregistered'
  | 'login'
  | 'logout'
  | 'pause'
  | 'unpause'
  | 'offer'
  | 'offer-answered'
  | 'offer-missed'
  | 'offer-withdrawn'
  | 'call-ended'
  | 'wrap-up-elapsed';

export interface AgentStateChange {
  readonly at: number;
  readonly agentId: string;
  readonly cause: AgentOperation;
  readonly from: AgentState;
  readonly to: AgentState;
  /** The reason after the change (undefined: none). */
  readonly pauseReason: string | undefined;
  readonly record: AgentRecord;
}

export type AgentStateListener = (change: AgentStateChange) => void;

/** The states the admin API may ask for; the others follow from calls. */
export type RequestedAgentState = 'available' | 'paused' | 'logged_out';

export interface AgentStateRequest {
  readonly state: RequestedAgentState;
  /** For 'paused'; default DEFAULT_PAUSE_REASON. */
  readonly reason?: string;
}

/** The reason of a pause asked for without one. */
export const DEFAULT_PAUSE_REASON = 'admin';

export { MISSED_OFFERS_REASON };

/** A refused operation: an unknown agent (404) or a transition not allowed now (409). */
export class AgentStateError extends SwitchboardError {
  readonly agentId: string;

  constructor(code: 'SB_AGENT_UNKNOWN' | 'SB_AGENT_TRANSITION', agentId: string, message: string) {
    super(code, message);
    this.name = 'AgentStateError';
    this.agentId = agentId;
  }
}

export interface AgentStatesOptions {
  readonly agents: readonly AcdAgentConfig[];
  readonly clock: Clock;
  readonly timers?: TimerFunctions;
  /** Default: a new InMemoryAgentStateStore. Records already in it are kept (restart). */
  readonly store?: AgentStateStore;
  /** Receives errors thrown by listeners. */
  readonly logger?: Logger;
}

type Draft = { -readonly [K in keyof AgentRecord]: AgentRecord[K] };

const STATE_NAMES: Readonly<Record<SchedulerAgentState, AgentState>> = {
  'logged-out': 'logged_out',
  available: 'available',
  offered: 'offered',
  'on-call': 'on_call',
  'wrap-up': 'wrap_up',
  paused: 'paused',
};

/** The displayed state of a record's facts (the scheduler's precedence, this module's names). */
export function stateOf(facts: Omit<AgentRecord, 'state' | 'since' | 'id'>): AgentState {
  return STATE_NAMES[
    displayedState({
      loggedIn: facts.loggedIn,
      pauseReason: facts.pauseReason,
      offer: facts.offeredCallId ?? null,
      activeCalls: facts.callIds.length,
      wrapUpUntil: facts.wrapUpUntil,
    })
  ];
}

/** Longest delay setTimeout accepts; a later wrap-up end re-arms when this one fires. */
const MAX_TIMER_MS = 2_147_483_647;

export class AgentStates {
  private readonly configs = new Map<string, AcdAgentConfig>();
  private readonly store: AgentStateStore;
  private readonly clock: Clock;
  private readonly timers: TimerFunctions;
  private readonly logger: Logger;
  private readonly wrapUpTimers = new Map<string, unknown>();
  private readonly listeners: AgentStateListener[] = [];
  private readonly pending: AgentStateChange[] = [];
  private flushing = false;
  private lastNow = -Infinity;

  constructor(options: AgentStatesOptions) {
    this.clock = options.clock;
    this.timers = options.timers ?? nodeTimers;
    this.store = options.store ?? new InMemoryAgentStateStore();
    this.logger = options.logger ?? silentLogger;
    const now = this.tick(undefined);
    for (const config of options.agents) {
      if (this.configs.has(config.id)) throw new SwitchboardError('SB_INTERNAL', `agent "${config.id}" is configured twice`);
      this.configs.set(config.id, config);
      const stored = this.store.get(config.id);
      if (stored === undefined) this.store.put(initialRecord(config.id, now));
      else if (stored.wrapUpUntil !== undefined) this.armWrapUp(config.id, stored.wrapUpUntil, now);
    }
  }

  onChange(listener: AgentStateListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** The agent's record; throws SB_AGENT_UNKNOWN. A wrap-up due by now is ended first. */
  get(agentId: string): AgentRecord {
    this.configOf(agentId);
    return this.endDueWrapUp(agentId, this.tick(undefined));
  }

  has(agentId: string): boolean {
    return this.configs.has(agentId);
  }

  /** Every agent's record, in configuration order. */
  list(): AgentRecord[] {
    const now = this.tick(undefined);
    return [...this.configs.keys()].map((id) => this.endDueWrapUp(id, now));
  }

  config(agentId: string): AcdAgentConfig {
    return this.configOf(agentId);
  }

  /** The machine's current instant: the clock's now, never earlier than an instant already seen. */
  now(): number {
    return this.tick(undefined);
  }

  // ---- registration ------------------------------------------------------------------

  registered(agentId: string, at?: number): AgentRecord {
    return this.step(agentId, 'registered', at, (d) => {
      d.registered = true;
      if (!d.loggedIn && !d.heldOut) logIn(d);
    });
  }

  unregistered(agentId: string, at?: number): AgentRecord {
    return this.step(agentId, 'unregistered', at, (d) => {
      d.registered = false;
      // A new registration starts afresh: the admin's logout held only for that one.
      d.heldOut = false;
    });
  }

  // ---- admin -------------------------------------------------------------------------

  login(agentId: string, at?: number): AgentRecord {
    return this.step(agentId, 'login', at, (d, config) => {
      if (d.loggedIn) throw illegal(agentId, `agent "${agentId}" is already logged in`);
      if (config.registrationRequired && !d.registered) {
        throw illegal(agentId, `agent "${agentId}" cannot log in: user "${config.user}" has no live registration`);
      }
      logIn(d);
    });
  }

  logout(agentId: string, at?: number): AgentRecord {
    return this.step(agentId, 'logout', at, (d) => {
      if (!d.loggedIn) throw illegal(agentId, `agent "${agentId}" is not logged in`);
      refuseWhileBusy(agentId, d, 'log out');
      logOut(d);
      d.heldOut = true;
    });
  }

  pause(agentId: string, reason: string, at?: number): AgentRecord {
    return this.step(agentId, 'pause', at, (d) => {
      checkReason(agentId, reason);
      if (!d.loggedIn) throw illegal(agentId, `agent "${agentId}" is logged out and cannot pause`);
      if (d.pauseReason !== undefined) throw illegal(agentId, `agent "${agentId}" is already paused (${d.pauseReason})`);
      d.pauseReason = reason;
    });
  }

  unpause(agentId: string, at?: number): AgentRecord {
    return this.step(agentId, 'unpause', at, (d) => {
      if (d.pauseReason === undefined) throw illegal(agentId, `agent "${agentId}" is not paused`);
      d.pauseReason = undefined;
      d.missedInARow = 0;
    });
  }

  /**
   * The admin API's `POST /agents/{id}/state`: brings the agent to the requested state.
   * Asking for the state the agent is already in changes nothing; a new pause reason
   * replaces the old one (as unpause + pause: the miss streak is reset).
   *
   * | requested    | from logged_out      | logged in, no reason | logged in, paused (any state) |
   * | ------------ | -------------------- | -------------------- | ----------------------------- |
   * | `available`  | login                | nothing              | unpause                       |
   * | `paused`     | 409                  | pause(reason)        | nothing / new reason          |
   * | `logged_out` | nothing              | logout (409 while offered or on a call)              |
   */
  setState(agentId: string, request: AgentStateRequest, at?: number): AgentRecord {
    const current = this.get(agentId);
    switch (request.state) {
      case 'available':
        if (!current.loggedIn) return this.login(agentId, at);
        return current.pauseReason === undefined ? current : this.unpause(agentId, at);
      case 'logged_out':
        return current.loggedIn ? this.logout(agentId, at) : current;
      case 'paused': {
        const reason = request.reason ?? DEFAULT_PAUSE_REASON;
        if (current.pauseReason === undefined) return this.pause(agentId, reason, at);
        if (current.pauseReason === reason) return current;
        return this.step(agentId, 'pause', at, (d) => {
          checkReason(agentId, reason);
          d.pauseReason = reason;
          d.missedInARow = 0;
        });
      }
      default:
        throw illegal(agentId, `state ${JSON.stringify((request as { state: unknown }).state)} cannot be requested; use available, paused or logged_out`);
    }
  }

  // ---- call events -------------------------------------------------------------------

  offer(agentId: string, callId: string, at?: number): AgentRecord {
    return this.step(agentId, 'offer', at, (d, config) => {
      const why = !d.loggedIn
        ? 'is logged out'
        : d.pauseReason !== undefined
          ? `is paused (${d.pauseReason})`
          : d.offeredCallId !== undefined
            ? `is already offered call "${d.offeredCallId}"`
            : d.wrapUpUntil !== undefined
              ? 'is in wrap-up'
              : d.callIds.length >= config.maxCalls
                ? `is on ${d.callIds.length} call(s), its maximum`
                : d.callIds.includes(callId)
                  ? `is already on call "${callId}"`
                  : undefined;
      if (why !== undefined) throw illegal(agentId, `call "${callId}" cannot be offered to agent "${agentId}": the agent ${why}`);
      d.offeredCallId = callId;
    });
  }

  offerAnswered(agentId: string, callId: string, at?: number): AgentRecord {
    return this.step(agentId, 'offer-answered', at, (d) => {
      endRing(agentId, d, callId, 'answer');
      d.callIds = [...d.callIds, callId];
      d.missedInARow = 0;
      d.answeredCalls++;
    });
  }

  offerMissed(agentId: string, callId: string, at?: number): AgentRecord {
    return this.step(agentId, 'offer-missed', at, (d, config) => {
      endRing(agentId, d, callId, 'miss');
      d.missedInARow++;
      d.missedOffers++;
      if (config.maxMissedOffers !== undefined && d.missedInARow >= config.maxMissedOffers && d.pauseReason === undefined) {
        d.pauseReason = MISSED_OFFERS_REASON;
      }
    });
  }

  offerWithdrawn(agentId: string, callId: string, at?: number): AgentRecord {
    return this.step(agentId, 'offer-withdrawn', at, (d) => endRing(agentId, d, callId, 'withdraw'));
  }

  callEnded(agentId: string, callId: string, at?: number): AgentRecord {
    return this.step(agentId, 'call-ended', at, (d, config, now) => {
      if (!d.callIds.includes(callId)) throw illegal(agentId, `agent "${agentId}" is not on call "${callId}"`);
      d.callIds = d.callIds.filter((id) => id !== callId);
      // Overlapping calls (maxCalls > 1): wrap-up lasts until the latest end.
      if (config.wrapUpMs > 0) d.wrapUpUntil = Math.max(d.wrapUpUntil ?? -Infinity, now + config.wrapUpMs);
    });
  }

  /** Stops the wrap-up timers (shutdown). Operations still work; wrap-ups then end lazily. */
  close(): void {
    for (const handle of this.wrapUpTimers.values()) this.timers.clearTimeout(handle);
    this.wrapUpTimers.clear();
  }

  // ---- internals -----------------------------------------------------------------------

  /** One atomic transition: read, end a due wrap-up, apply `change` to a copy, write, report. */
  private step(
    agentId: string,
    cause: AgentOperation,
    at: number | undefined,
    change: (draft: Draft, config: AcdAgentConfig, now: number) => void,
  ): AgentRecord {
    const config = this.configOf(agentId);
    const now = this.tick(at);
    const before = this.endDueWrapUp(agentId, now);
    const draft: Draft = { ...before };
    change(draft, config, now);
    // No live registration (when one is needed): out as soon as no ring or call is left.
    if (draft.loggedIn && config.registrationRequired && !draft.registered && draft.offeredCallId === undefined && draft.callIds.length === 0) {
      logOut(draft);
    }
    return this.commit(before, draft, cause, now);
  }

  private commit(before: AgentRecord, draft: Draft, cause: AgentOperation, now: number): AgentRecord {
    draft.state = stateOf(draft);
    const changed = draft.state !== before.state || draft.pauseReason !== before.pauseReason;
    if (changed) draft.since = now;
    const record: AgentRecord = Object.freeze(draft);
    this.store.put(record);
    if (record.wrapUpUntil !== before.wrapUpUntil) {
      this.disarmWrapUp(record.id);
      if (record.wrapUpUntil !== undefined) this.armWrapUp(record.id, record.wrapUpUntil, now);
    }
    if (changed) {
      this.pending.push({ at: now, agentId: record.id, cause, from: before.state, to: record.state, pauseReason: record.pauseReason, record });
      this.flush();
    }
    return record;
  }

  private endDueWrapUp(agentId: string, now: number): AgentRecord {
    const record = this.store.get(agentId) as AgentRecord;
    if (record.wrapUpUntil === undefined || record.wrapUpUntil > now) return record;
    return this.commit(record, { ...record, wrapUpUntil: undefined }, 'wrap-up-elapsed', now);
  }

  private armWrapUp(agentId: string, until: number, now: number): void {
    const handle = this.timers.setTimeout(
      () => {
        this.wrapUpTimers.delete(agentId);
        const t = this.tick(undefined);
        const record = this.endDueWrapUp(agentId, t);
        // Fired early (timer and wall clock disagree) or the delay was capped: wait again.
        if (record.wrapUpUntil !== undefined && !this.wrapUpTimers.has(agentId)) this.armWrapUp(agentId, record.wrapUpUntil, t);
      },
      Math.min(MAX_TIMER_MS, Math.max(0, until - now)),
    );
    this.wrapUpTimers.set(agentId, handle);
  }

  private disarmWrapUp(agentId: string): void {
    const handle = this.wrapUpTimers.get(agentId);
    if (handle === undefined) return;
    this.timers.clearTimeout(handle);
    this.wrapUpTimers.delete(agentId);
  }

  private configOf(agentId: string): AcdAgentConfig {
    const config = this.configs.get(agentId);
    if (config === undefined) throw new AgentStateError('SB_AGENT_UNKNOWN', agentId, `agent "${agentId}" does not exist`);
    return config;
  }

  private tick(at: number | undefined): number {
    const now = at ?? this.clock.now();
    if (!Number.isFinite(now)) throw new SwitchboardError('SB_INTERNAL', `agent state time must be a finite epoch ms value, got ${now}`);
    if (now > this.lastNow) this.lastNow = now;
    return this.lastNow;
  }

  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      // Index loop: a listener that calls the machine again appends to this batch.
      for (let i = 0; i < this.pending.length; i++) {
        const change = this.pending[i] as AgentStateChange;
        for (const listener of [...this.listeners]) {
          try {
            listener(change);
          } catch (err) {
            this.logger.error({ err, agentId: change.agentId, cause: change.cause }, 'agent state listener failed');
          }
        }
      }
    } finally {
      this.pending.length = 0;
      this.flushing = false;
    }
  }
}

function initialRecord(id: string, now: number): AgentRecord {
  return Object.freeze({
    id,
    state: 'logged_out',
    since: now,
    loggedIn: false,
    registered: false,
    heldOut: false,
    pauseReason: undefined,
    offeredCallId: undefined,
    callIds: [],
    wrapUpUntil: undefined,
    missedInARow: 0,
    missedOffers: 0,
    answeredCalls: 0,
  });
}

function logIn(d: Draft): void {
  d.loggedIn = true;
  d.heldOut = false;
  d.missedInARow = 0;
  d.missedOffers = 0;
  d.answeredCalls = 0;
}

function logOut(d: Draft): void {
  d.loggedIn = false;
  d.pauseReason = undefined;
  d.wrapUpUntil = undefined;
}

function refuseWhileBusy(agentId: string, d: Draft, verb: string): void {
  if (d.offeredCallId !== undefined) throw illegal(agentId, `agent "${agentId}" cannot ${verb} while offered call "${d.offeredCallId}"; the ring must end first`);
  if (d.callIds.length > 0) throw illegal(agentId, `agent "${agentId}" cannot ${verb} while on a call; end the call first`);
}

function endRing(agentId: string, d: Draft, callId: string, verb: string): void {
  if (d.offeredCallId !== callId) throw illegal(agentId, `cannot ${verb}: call "${callId}" is not ringing agent "${agentId}"`);
  d.offeredCallId = undefined;
}

function checkReason(agentId: string, reason: string): void {
  if (typeof reason !== 'string' || reason.length === 0) throw illegal(agentId, 'a pause needs a non-empty reason');
}

function illegal(agentId: string, message: string): AgentStateError {
  return new AgentStateError('SB_AGENT_TRANSITION', agentId, message);
}
