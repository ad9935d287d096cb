/**
 * Queue events: the one ordered stream of what happens in the ACD, the input of the
 * queue log file, metrics and the wallboard. Every event gets a sequence number and a
 * timestamp when it is emitted, goes to the listeners in that order (a listener that
 * emits sees its event delivered after the current one), and is appended to the queue
 * log (`queue_log.path`) as one JSON line, asynchronously (util/json-lines-writer.ts:
 * batched, never blocking, flushed by `close()`).
 *
 * | type                  | source                         | fields                                              |
 * | --------------------- | ------------------------------ | --------------------------------------------------- |
 * | `call-entered`        | scheduler                      | callId, queueId, priority                           |
 * | `call-offered`        | scheduler                      | callId, queueId, agentIds                           |
 * | `offer-missed`        | scheduler                      | callId, queueId, agentId, missedInARow              |
 * | `offer-withdrawn`     | scheduler                      | callId, queueId, agentId                            |
 * | `call-answered`       | scheduler                      | callId, queueId, agentId, waitedMs                  |
 * | `call-abandoned`      | scheduler                      | callId, queueId, waitedMs                           |
 * | `call-overflowed`     | scheduler                      | callId, queueId, reason (max-size / max-wait),      |
 * |                       |                                | waitedMs                                            |
 * | `call-completed`      | scheduler                      | callId, queueId, agentId, talkMs                    |
 * | `callback-requested`  | the application                | callId, queueId, number, waitedMs                   |
 * | `callback-completed`  | the application                | callId, queueId, result (connected / failed),       |
 * |                       |                                | agentId (null when failed), attempts                |
 * | `agent-state-changed` | the agent state machine        | agentId, from, to, reason (null: none), cause       |
 *
 * Each event is emitted once: the scheduler's own `agent-state` events are dropped (the
 * state machine reports agent states), and a callback is completed only once, after it
 * was requested (anything else is ignored and `false` returned). Timestamps come from
 * the source's instant when it has one (the scheduler's `at`, the machine's change) or
 * the injected clock, and never go backwards in the stream.
 *
 * @example
 *   const events = new QueueEvents({ clock, log: { path: config.queue_log.path }, logger });
 *   agents.onChange((c) => events.agentStateChanged(c));
 *   // in the scheduler's onEvent: events.fromScheduler(e)
 *   events.on((e) => wallboard.push(e));
 *   await events.close();
 *   // queue log line: {"seq":1,"at":"2026-11-22T09:00:00.000Z","type":"call-entered","callId":"c1","queueId":"support","priority":0}
 */
import type { SchedulerEvent } from '../routing/scheduler/index.js';
import type { Clock } from '../util/clock.js';
import { JsonLinesWriter, type JsonLinesWriterStats } from '../util/json-lines-writer.js';
import { silentLogger, type Logger } from '../util/logger.js';
import type { AgentState } from './agent-state-store.js';
import type { AgentOperation, AgentStateChange } from './agent-states.js';

type WithoutAt<T> = T extends unknown ? Omit<T, 'at'> : never;

/** The scheduler's events, but for its agent states. */
type SchedulerQueueEvent = WithoutAt<Exclude<SchedulerEvent, { type: 'agent-state' }>>;

export interface CallbackRequested {
  readonly type: 'callback-requested';
  readonly callId: string;
  readonly queueId: string;
  /** The number to call back. */
  readonly number: string;
  readonly waitedMs: number;
}

export interface CallbackCompleted {
  readonly type: 'callback-completed';
  readonly callId: string;
  readonly queueId: string;
  readonly result: 'connected' | 'failed';
  /** The agent the caller was bridged to; null when the callback failed. */
  readonly agentId: string | null;
  /** Calls placed, retries included. */
  readonly attempts: number;
}

export interface AgentStateChanged {
  readonly type: 'agent-state-changed';
  readonly agentId: string;
  readonly from: AgentState;
  readonly to: AgentState;
  /** The pause reason after the change; null when none. */
  readonly reason: string | null;
  readonly cause: AgentOperation;
}

export type QueueEvent = SchedulerQueueEvent | CallbackRequested | CallbackCompleted | AgentStateChanged;
export type QueueEventType = QueueEvent['type'];

/** An event as delivered: its place in the stream and its instant (epoch ms). */
export type QueueEventRecord = QueueEvent & { readonly seq: number; readonly at: number };

/** A queue log line: the record with its instant as an ISO 8601 UTC string. */
export type QueueLogLine = QueueEvent & { readonly seq: number; readonly at: string };

export type QueueEventListener = (event: QueueEventRecord) => void;

export interface QueueEventsOptions {
  readonly clock: Clock;
  /** The queue log file (`queue_log.path`); absent: no file. */
  readonly log?: { readonly path: string; readonly maxBufferedRecords?: number; readonly retryDelayMs?: number };
  readonly logger?: Logger;
}

export class QueueEvents {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly writer: JsonLinesWriter<QueueLogLine> | undefined;
  private readonly listeners: QueueEventListener[] = [];
  private readonly pending: QueueEventRecord[] = [];
  private readonly openCallbacks = new Set<string>();
  private delivering = false;
  private seq = 0;
  private lastAt = -Infinity;

  constructor(options: QueueEventsOptions) {
    this.clock = options.clock;
    this.logger = options.logger ?? silentLogger;
    if (options.log !== undefined) {
      this.writer = new JsonLinesWriter<QueueLogLine>({ ...options.log, label: 'queue log', logger: this.logger });
    }
  }

  /** Events emitted so far, and the queue log writer's counters (undefined without a file). */
  get stats(): { readonly emitted: number; readonly log: JsonLinesWriterStats | undefined } {
    return { emitted: this.seq, log: this.writer?.stats };
  }

  on(listener: QueueEventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Emits one event, stamped `at` (default: the clock's now). Returns the record. */
  emit(event: QueueEvent, at?: number): QueueEventRecord {
    const instant = Math.max(this.lastAt, at ?? this.clock.now());
    this.lastAt = instant;
    const record = { seq: ++this.seq, at: instant, ...event } as QueueEventRecord;
    this.writer?.write({ ...record, at: new Date(instant).toISOString() } as QueueLogLine);
    this.pending.push(record);
    this.deliver();
    return record;
  }

  /** A scheduler event (SchedulerOptions.onEvent); its agent states are left to the state machine. */
  fromScheduler(event: SchedulerEvent): void {
    if (event.type === 'agent-state') return;
    const { at, ...rest } = event;
    this.emit(rest, at);
  }

  /** An agent state machine change (AgentStates.onChange). */
  agentStateChanged(change: AgentStateChange): void {
    this.emit(
      { type: 'agent-state-changed', agentId: change.agentId, from: change.from, to: change.to, reason: change.pauseReason ?? null, cause: change.cause },
      change.at,
    );
  }

  /** Returns false (and emits nothing) if this call already has a callback pending. */
  callbackRequested(request: Omit<CallbackRequested, 'type'>, at?: number): boolean {
    if (this.openCallbacks.has(request.callId)) return false;
    this.openCallbacks.add(request.callId);
    this.emit({ type: 'callback-requested', ...request }, at);
    return true;
  }

  /** Returns false (and emits nothing) unless a callback was requested for this call and not completed yet. */
  callbackCompleted(outcome: Omit<CallbackCompleted, 'type'>, at?: number): boolean {
    if (!this.openCallbacks.delete(outcome.callId)) return false;
    this.emit({ type: 'callback-completed', ...outcome }, at);
    return true;
  }

  /** Writes what is buffered to the queue log and closes it. Events emitted later still reach listeners. */
  async close(): Promise<void> {
    await this.writer?.close();
  }

  private deliver(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      // Index loop: an event emitted by a listener joins this batch, after the current one.
      for (let i = 0; i < this.pending.length; i++) {
        const record = this.pending[i] as QueueEventRecord;
        for (const listener of [...this.listeners]) {
          try {
            listener(record);
          } catch (err) {
            this.logger.error({ err, seq: record.seq, type: record.type }, 'queue event listener failed');
          }
        }
      }
    } finally {
      this.pending.length = 0;
      this.delivering = false;
    }
  }
}
