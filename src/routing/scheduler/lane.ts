/**
 * A deadline lane: a FIFO of items that all fall due a fixed offset after an instant that
 * only grows in append order, so the head is always the next one due. The scheduler
 * keeps one lane per (queue, relaxation step), one per queue with a max wait and one per
 * distinct wrap-up time, and puts only the lanes (not the calls) in its deadline heap:
 * the heap stays as small as the configuration, while a call joins and leaves its lanes
 * in O(1).
 *
 * Items carry one LaneLink per lane they can be in; links are intrusive, so lanes
 * allocate nothing.
 *
 * @example
 *   const expiry = new Lane<Call>(1, 600_000, (c) => c.enqueuedAt, (c) => c.seq, (c, now) => overflow(c, now));
 *   if (expiry.append(call.expiryLink)) { expiry.keyFromHead(); heap.push(expiry); } // was empty
 *   // when heap.peek() is the lane and its dueAt <= now:
 *   expiry.fireHead(now);               // overflow(call, now), which unlinks the call
 */
import { NOT_IN_HEAP, type HeapItem } from './indexed-heap.js';

export class LaneLink<T> {
  prev: LaneLink<T> | null = null;
  next: LaneLink<T> | null = null;
  lane: Lane<T> | null = null;

  constructor(readonly owner: T) {}
}

export class Lane<T> implements HeapItem {
  head: LaneLink<T> | null = null;
  private tail: LaneLink<T> | null = null;

  // Deadline heap key, refreshed by the owner whenever the head changes.
  heapIndex = NOT_IN_HEAP;
  dueAt = 0;
  timerOrdinal = 0;

  constructor(
    /** Orders lanes due at the same instant (wrap-up ends, then expiries, then relaxations). */
    readonly timerRank: number,
    readonly offsetMs: number,
    private readonly startOf: (owner: T) => number,
    /** Orders lanes due at the same instant and rank, by their heads. */
    private readonly ordinalOf: (owner: T) => number,
    /** What falling due means; it must take the item out of this lane. */
    private readonly onDue: (owner: T, now: number) => void,
  ) {}

  /** Refreshes the heap key from the head; the lane must not be empty. */
  keyFromHead(): void {
    const owner = (this.head as LaneLink<T>).owner;
    this.dueAt = this.startOf(owner) + this.offsetMs;
    this.timerOrdinal = this.ordinalOf(owner);
  }

  /** Runs the lane's action on its head (which the action removes from the lane). */
  fireHead(now: number): void {
    this.onDue((this.head as LaneLink<T>).owner, now);
  }

  /** Appends at the tail. Returns true when the head changed (the lane was empty). */
  append(link: LaneLink<T>): boolean {
    link.lane = this;
    link.next = null;
    link.prev = this.tail;
    if (this.tail === null) {
      this.head = link;
      this.tail = link;
      return true;
    }
    this.tail.next = link;
    this.tail = link;
    return false;
  }

  /** Unlinks `link` (which must be in this lane). Returns true when it was the head. */
  remove(link: LaneLink<T>): boolean {
    const wasHead = link.prev === null;
    if (link.prev === null) this.head = link.next;
    else link.prev.next = link.next;
    if (link.next === null) this.tail = link.prev;
    else link.next.prev = link.prev;
    link.prev = null;
    link.next = null;
    link.lane = null;
    return wasHead;
  }
}
