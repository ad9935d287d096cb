/**
 * Where registration bindings live. `RegistrationStore` is the synchronous interface the
 * registrar and routing read and write; a shared (e.g. Redis-backed) store can replace
 * `InMemoryRegistrationStore` later by keeping a local replica and emitting the same
 * events. Static contacts from `users.<name>.contacts` are configuration, not bindings:
 * routing handles them and they never appear here.
 *
 * Expiry uses one timer for the whole store: a min-heap of expiry instants, with the
 * timer armed at the earliest and re-armed only when the earliest changes. Every
 * operation first expires what is due at the clock's `now`, so reads never see a lapsed
 * binding even when the timer runs late; the work is O(log n) per binding expired or
 * changed, never a scan over all users.
 *
 * Events ('registered' when a user goes from 0 to at least 1 live contact, 'unregistered'
 * when back to 0, 'changed' on any change of a user's bindings) are delivered after the
 * operation completes, so a listener may read and write the store.
 *
 * @example
 *   const store = new InMemoryRegistrationStore({ clock: systemClock });
 *   store.on('registered', (user) => routingState.setRegistered(user, true));
 *   store.on('unregistered', (user) => routingState.setRegistered(user, false));
 *   store.replace('alice', [binding]);
 *   store.bindings('alice'); // live contacts, highest q first, then most recent
 *   store.close();           // stops the timer on shutdown
 */
import type { Clock } from '../util/clock.js';
import { SwitchboardError } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { IndexedHeap, NOT_IN_HEAP, type HeapItem } from '../routing/scheduler/indexed-heap.js';
import { compareBindings, type Binding } from './binding.js';

export type RegistrationEvent = 'registered' | 'unregistered' | 'changed';
export type RegistrationListener = (user: string) => void;

export interface RegistrationStore {
  /** The user's live bindings in the order to try them: highest q first, then most recently refreshed. */
  bindings(user: string): readonly Binding[];
  /** Whether the user has at least one live binding (what `RoutingState.isRegistered` asks). */
  isRegistered(user: string): boolean;
  /**
   * Sets the user's complete set of bindings (empty: none), atomically: the result of one
   * REGISTER. Bindings already lapsed at the store's `now` are left out.
   */
  replace(user: string, bindings: readonly Binding[]): void;
  /** Users with at least one live binding. */
  users(): IterableIterator<string>;
  on(event: RegistrationEvent, listener: RegistrationListener): this;
  off(event: RegistrationEvent, listener: RegistrationListener): this;
  /** Stops the expiry timer. Reads and writes still work; lapsed bindings go on the next operation. */
  close(): void;
}

/** The two timer functions the store uses; injected so tests drive expiry with a fake clock. */
export interface TimerFunctions {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers, unreferenced: a pending expiry does not keep the process alive. */
export const nodeTimers: TimerFunctions = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface InMemoryRegistrationStoreOptions {
  readonly clock: Clock;
  readonly timers?: TimerFunctions;
  /** Receives errors thrown by event listeners (they never reach the operation's caller). */
  readonly logger?: Logger;
}

/** Longest delay setTimeout accepts; a later expiry re-arms when this one fires. */
const MAX_TIMER_MS = 2_147_483_647;

interface Entry extends HeapItem {
  readonly binding: Binding;
  /** Insertion order: makes the heap order total, so equal expiry instants pop deterministically. */
  readonly seq: number;
}

const expiresFirst = (a: Entry, b: Entry): boolean =>
  a.binding.expiresAt < b.binding.expiresAt || (a.binding.expiresAt === b.binding.expiresAt && a.seq < b.seq);

interface UserRecord {
  entries: Entry[];
  /** The bindings of `entries`, in try order: what `bindings()` returns without copying. */
  view: readonly Binding[];
}

export class InMemoryRegistrationStore implements RegistrationStore {
  private readonly clock: Clock;
  private readonly timers: TimerFunctions;
  private readonly logger: Logger;
  private readonly byUser = new Map<string, UserRecord>();
  private readonly expiries = new IndexedHeap<Entry>(expiresFirst);
  private readonly listeners: Record<RegistrationEvent, RegistrationListener[]> = { registered: [], unregistered: [], changed: [] };
  private readonly pending: Array<[RegistrationEvent, string]> = [];
  private seq = 0;
  private timer: unknown = undefined;
  /** Expiry instant the timer is armed for; undefined when no timer is pending. */
  private armedFor: number | undefined;
  private closed = false;
  private emitting = false;

  constructor(options: InMemoryRegistrationStoreOptions) {
    this.clock = options.clock;
    this.timers = options.timers ?? nodeTimers;
    this.logger = options.logger ?? silentLogger;
  }

  /** Live bindings across all users. */
  get size(): number {
    this.settle();
    return this.expiries.size;
  }

  bindings(user: string): readonly Binding[] {
    this.settle();
    return this.byUser.get(user)?.view ?? [];
  }

  isRegistered(user: string): boolean {
    this.settle();
    return this.byUser.has(user);
  }

  users(): IterableIterator<string> {
    this.settle();
    return this.byUser.keys();
  }

  replace(user: string, bindings: readonly Binding[]): void {
    for (const binding of bindings) {
      if (binding.user !== user) throw new SwitchboardError('SB_INTERNAL', `a binding of user "${binding.user}" was given to replace("${user}")`);
    }
    const now = this.clock.now();
    this.expireDue(now);
    const old = this.byUser.get(user);
    if (old !== undefined) for (const e of old.entries) this.expiries.remove(e);
    const entries: Entry[] = [];
    for (const binding of bindings) {
      if (binding.expiresAt <= now) continue;
      const entry: Entry = { binding, seq: this.seq++, heapIndex: NOT_IN_HEAP };
      this.expiries.push(entry);
      entries.push(entry);
    }
    if (entries.length > 0) {
      entries.sort((a, b) => compareBindings(a.binding, b.binding));
      this.byUser.set(user, { entries, view: entries.map((e) => e.binding) });
      if (old === undefined) this.pending.push(['registered', user]);
      this.pending.push(['changed', user]);
    } else if (old !== undefined) {
      this.byUser.delete(user);
      this.pending.push(['changed', user], ['unregistered', user]);
    }
    this.settle(now);
  }

  on(event: RegistrationEvent, listener: RegistrationListener): this {
    this.listeners[event].push(listener);
    return this;
  }

  off(event: RegistrationEvent, listener: RegistrationListener): this {
    const list = this.listeners[event];
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
    return this;
  }

  close(): void {
    this.closed = true;
    this.disarm();
  }

  /** Expires what is due, re-arms the timer, then delivers the events of the operation. */
  private settle(now = this.clock.now()): void {
    this.expireDue(now);
    this.arm(now);
    this.emit();
  }

  private expireDue(now = this.clock.now()): void {
    for (let top = this.expiries.peek(); top !== undefined && top.binding.expiresAt <= now; top = this.expiries.peek()) {
      this.expiries.remove(top);
      const user = top.binding.user;
      const record = this.byUser.get(user);
      if (record === undefined) continue; // cannot happen: entries leave the heap with their user
      record.entries = record.entries.filter((e) => e !== top);
      if (record.entries.length === 0) {
        this.byUser.delete(user);
        this.pending.push(['changed', user], ['unregistered', user]);
      } else {
        record.view = record.entries.map((e) => e.binding);
        this.pending.push(['changed', user]);
      }
    }
  }

  private arm(now: number): void {
    const next = this.expiries.peek()?.binding.expiresAt;
    if (next === this.armedFor || this.closed) return;
    this.disarm();
    if (next === undefined) return;
    this.armedFor = next;
    this.timer = this.timers.setTimeout(this.onTimer, Math.min(MAX_TIMER_MS, Math.max(0, next - now)));
  }

  private disarm(): void {
    if (this.armedFor === undefined) return;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = undefined;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.armedFor = undefined;
    this.settle();
  };

  private emit(): void {
    // A listener that writes to the store queues more events; the outer loop delivers them in order.
    if (this.emitting) return;
    this.emitting = true;
    try {
      for (let i = 0; i < this.pending.length; i++) {
        const [event, user] = this.pending[i] as [RegistrationEvent, string];
        for (const listener of this.listeners[event].slice()) {
          try {
            listener(user);
          } catch (err) {
            this.logger.error({ err, event, user }, 'registration listener threw');
          }
        }
      }
    } finally {
      this.pending.length = 0;
      this.emitting = false;
    }
  }
}
