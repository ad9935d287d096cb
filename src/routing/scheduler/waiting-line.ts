/**
 * One queue's waiting callers in line order, as a treap (a randomized balanced binary
 * search tree) keyed by (virtual arrival time, arrival sequence). Each node also keeps
 * its subtree's size, which answers "how many callers are ahead of me" in O(log n), and
 * its subtree's earliest real arrival, which answers "who is first among the callers who
 * have waited at least w" in O(log n). That is the question an agent asks: it qualifies
 * for every stage from its entry stage on (stages only relax), i.e. for every caller who
 * has waited at least that stage's afterMs. Both are fixed per node, so time passing
 * and callers relaxing never touch the tree.
 *
 * The tree lives in a LinePool, one 64-byte record per node in a typed array shared by
 * every line of a scheduler: a step down the tree reads one record (keys, links, size and
 * priority side by side) instead of an object plus the boxes V8 keeps its doubles in, and
 * the garbage collector has no node links to trace. A slot is taken when a caller joins
 * a line and given back when it leaves, so the pool holds as many records as callers
 * wait, and freed slots are reused first (recently touched memory).
 *
 * @example
 *   const pool = new LinePool<Call>();
 *   const line = new WaitingLine<Call>(7, pool);
 *   line.insert(call);               // O(log n)
 *   line.rank(call);                 // callers ahead of `call`
 *   line.first(60_000, now);         // earliest caller in line order who arrived by now − 60 s, or null
 *   line.remove(call);
 */
import { SwitchboardError } from '../../util/errors.js';

export interface LineNode {
  /** Arrival time minus the priority head start; see docs/scheduler.md. Never changes. */
  readonly virtualAt: number;
  /** Global arrival counter, breaks ties between equal virtual times. */
  readonly seq: number;
  /** Real arrival time. */
  readonly enqueuedAt: number;
  /** The node's slot in its line's pool while in a line, else NOT_IN_LINE. Owned by the line. */
  lineSlot: number;
}

export const NOT_IN_LINE = -1;

// A record is 8 float64 = 16 int32 = 64 bytes. Float64 words:
const VIRTUAL_AT = 0;
const SEQ = 1;
const ENQUEUED_AT = 2;
const MIN_ARRIVAL = 3; // earliest enqueuedAt in the subtree
// Int32 words (after the four doubles):
const LEFT = 8; // slot, or NIL
const RIGHT = 9;
const SIZE = 10;
const PRIORITY = 11; // treap heap priority, 31 bits
const NIL = -1;

/** Node records for any number of lines, grown by doubling; one per scheduler. */
export class LinePool<T extends LineNode> {
  f64: Float64Array;
  i32: Int32Array;
  /** owners[slot]: the node stored in the slot, for answers that return nodes. */
  private readonly owners: (T | null)[] = [];
  private capacity: number;
  private used = 0;
  /** Head of the free slots, chained through their LEFT word. */
  private freeHead = NIL;

  constructor(initialSlots = 1024) {
    this.capacity = initialSlots;
    const buffer = new ArrayBuffer(initialSlots * 64);
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
  }

  owner(slot: number): T {
    return this.owners[slot] as T;
  }

  isOwner(slot: number, node: T): boolean {
    return slot >= 0 && slot < this.used && this.owners[slot] === node;
  }

  allocate(node: T): number {
    let slot = this.freeHead;
    if (slot !== NIL) this.freeHead = this.i32[slot * 16 + LEFT] as number;
    else {
      if (this.used === this.capacity) this.grow();
      slot = this.used++;
    }
    this.owners[slot] = node;
    node.lineSlot = slot;
    return slot;
  }

  release(slot: number): void {
    (this.owners[slot] as T).lineSlot = NOT_IN_LINE;
    this.owners[slot] = null;
    this.i32[slot * 16 + LEFT] = this.freeHead;
    this.freeHead = slot;
  }

  private grow(): void {
    this.capacity *= 2;
    const buffer = new ArrayBuffer(this.capacity * 64);
    const f64 = new Float64Array(buffer);
    f64.set(this.f64);
    this.f64 = f64;
    this.i32 = new Int32Array(buffer);
  }
}

export class WaitingLine<T extends LineNode> {
  private root = NIL;
  private random: number;
  /** Ancestors of the node being removed, root first; reused so remove allocates nothing. */
  private path = new Int32Array(64);
  // The two halves of the last split (see split); fields, so the split allocates nothing.
  private low = NIL;
  private high = NIL;

  /** `seed` makes the tree's shape, and so its speed, reproducible. Any non-zero int. */
  constructor(
    seed: number,
    private readonly pool: LinePool<T> = new LinePool<T>(),
  ) {
    this.random = seed | 0 || 1;
  }

  get size(): number {
    return this.root === NIL ? 0 : (this.pool.i32[this.root * 16 + SIZE] as number);
  }

  /**
   * Walks down from the root, counting the new node into every subtree it joins, to the
   * first node with a lower treap priority, and takes that node's place, splitting its
   * subtree around the new key (expected O(1) nodes). Only records on the path are read.
   */
  insert(node: T): void {
    const slot = this.pool.allocate(node);
    const f = this.pool.f64;
    const i = this.pool.i32;
    const virtualAt = node.virtualAt;
    const seq = node.seq;
    const arrival = node.enqueuedAt;
    const priority = this.nextRandom();
    const d = slot * 8;
    f[d + VIRTUAL_AT] = virtualAt;
    f[d + SEQ] = seq;
    f[d + ENQUEUED_AT] = arrival;
    i[slot * 16 + PRIORITY] = priority;
    let parent = NIL;
    let toLeft = false;
    let n = this.root;
    while (n !== NIL && (i[n * 16 + PRIORITY] as number) >= priority) {
      const nd = n * 8;
      i[n * 16 + SIZE]++;
      if (arrival < (f[nd + MIN_ARRIVAL] as number)) f[nd + MIN_ARRIVAL] = arrival;
      parent = n;
      const v = f[nd + VIRTUAL_AT] as number;
      toLeft = virtualAt < v || (virtualAt === v && seq < (f[nd + SEQ] as number));
      n = i[n * 16 + (toLeft ? LEFT : RIGHT)] as number;
    }
    this.split(n, virtualAt, seq);
    i[slot * 16 + LEFT] = this.low;
    i[slot * 16 + RIGHT] = this.high;
    this.low = NIL;
    this.high = NIL;
    this.pull(slot);
    if (parent === NIL) this.root = slot;
    else i[parent * 16 + (toLeft ? LEFT : RIGHT)] = slot;
  }

  /**
   * Replaces the node by the merge of its children, then fixes the ancestors: each loses
   * one from its size, and only those whose earliest arrival was the removed node's
   * recompute it from their children.
   */
  remove(node: T): void {
    const slot = node.lineSlot;
    if (!this.pool.isOwner(slot, node)) throw notInLine('remove');
    const f = this.pool.f64;
    const i = this.pool.i32;
    const virtualAt = node.virtualAt;
    const seq = node.seq;
    let depth = 0;
    let n = this.root;
    while (n !== slot) {
      if (n === NIL) throw notInLine('remove');
      if (depth === this.path.length) this.growPath();
      this.path[depth++] = n;
      const v = f[n * 8 + VIRTUAL_AT] as number;
      n = i[n * 16 + (virtualAt < v || (virtualAt === v && seq < (f[n * 8 + SEQ] as number)) ? LEFT : RIGHT)] as number;
    }
    const replacement = this.merge(i[slot * 16 + LEFT] as number, i[slot * 16 + RIGHT] as number);
    const path = this.path;
    if (depth === 0) this.root = replacement;
    else {
      const parent = path[depth - 1] as number;
      i[parent * 16 + (i[parent * 16 + LEFT] === slot ? LEFT : RIGHT)] = replacement;
    }
    const arrival = node.enqueuedAt;
    for (let k = depth - 1; k >= 0; k--) {
      const a = path[k] as number;
      i[a * 16 + SIZE]--;
      if (f[a * 8 + MIN_ARRIVAL] === arrival) f[a * 8 + MIN_ARRIVAL] = this.subtreeEarliest(a);
    }
    this.pool.release(slot);
  }

  /** The earliest enqueuedAt in the line, Infinity when empty. */
  earliestArrival(): number {
    return this.root === NIL ? Infinity : (this.pool.f64[this.root * 8 + MIN_ARRIVAL] as number);
  }

  /** How many nodes come before `node`, which must be in this line. */
  rank(node: T): number {
    const slot = node.lineSlot;
    if (!this.pool.isOwner(slot, node)) throw notInLine('rank');
    const f = this.pool.f64;
    const i = this.pool.i32;
    let ahead = 0;
    let n = this.root;
    while (n !== NIL) {
      const left = i[n * 16 + LEFT] as number;
      if (n === slot) return ahead + this.sizeOf(left);
      const v = f[n * 8 + VIRTUAL_AT] as number;
      if (node.virtualAt < v || (node.virtualAt === v && node.seq < (f[n * 8 + SEQ] as number))) n = left;
      else {
        ahead += this.sizeOf(left) + 1;
        n = i[n * 16 + RIGHT] as number;
      }
    }
    throw notInLine('rank');
  }

  /**
   * The first node in line order with `enqueuedAt + waitedMs <= now` (written exactly as
   * the scheduler's stage deadlines are, so both agree to the last bit), or null.
   */
  first(waitedMs: number, now: number): T | null {
    const f = this.pool.f64;
    const i = this.pool.i32;
    let n = this.root;
    while (n !== NIL) {
      const left = i[n * 16 + LEFT] as number;
      if (left !== NIL && (f[left * 8 + MIN_ARRIVAL] as number) + waitedMs <= now) n = left;
      else if ((f[n * 8 + ENQUEUED_AT] as number) + waitedMs <= now) return this.pool.owner(n);
      else {
        const right = i[n * 16 + RIGHT] as number;
        n = right !== NIL && (f[right * 8 + MIN_ARRIVAL] as number) + waitedMs <= now ? right : NIL;
      }
    }
    return null;
  }

  /** Splits the subtree `t` into the keys before (virtualAt, seq) (this.low) and after it (this.high). */
  private split(t: number, virtualAt: number, seq: number): void {
    if (t === NIL) {
      this.low = NIL;
      this.high = NIL;
      return;
    }
    const f = this.pool.f64;
    const i = this.pool.i32;
    const v = f[t * 8 + VIRTUAL_AT] as number;
    if (v < virtualAt || (v === virtualAt && (f[t * 8 + SEQ] as number) < seq)) {
      this.split(i[t * 16 + RIGHT] as number, virtualAt, seq);
      i[t * 16 + RIGHT] = this.low;
      this.pull(t);
      this.low = t;
    } else {
      this.split(i[t * 16 + LEFT] as number, virtualAt, seq);
      i[t * 16 + LEFT] = this.high;
      this.pull(t);
      this.high = t;
    }
  }

  /**
   * Joins two treaps where every key of `a` precedes every key of `b`, down the right
   * spine of `a` and the left spine of `b`. A node that stays on top takes the other
   * side's whole subtree into its own, so its size and earliest arrival follow from the
   * two roots alone.
   */
  private merge(a: number, b: number): number {
    if (a === NIL) return b;
    if (b === NIL) return a;
    const f = this.pool.f64;
    const i = this.pool.i32;
    let root = NIL;
    let parent = NIL;
    let hole = LEFT;
    while (a !== NIL && b !== NIL) {
      let top: number;
      let other: number;
      if ((i[a * 16 + PRIORITY] as number) > (i[b * 16 + PRIORITY] as number)) {
        top = a;
        other = b;
      } else {
        top = b;
        other = a;
      }
      i[top * 16 + SIZE] += i[other * 16 + SIZE] as number;
      if ((f[other * 8 + MIN_ARRIVAL] as number) < (f[top * 8 + MIN_ARRIVAL] as number)) f[top * 8 + MIN_ARRIVAL] = f[other * 8 + MIN_ARRIVAL] as number;
      if (parent === NIL) root = top;
      else i[parent * 16 + hole] = top;
      parent = top;
      if (top === a) {
        hole = RIGHT;
        a = i[a * 16 + RIGHT] as number;
      } else {
        hole = LEFT;
        b = i[b * 16 + LEFT] as number;
      }
    }
    i[parent * 16 + hole] = a === NIL ? b : a;
    return root;
  }

  private sizeOf(n: number): number {
    return n === NIL ? 0 : (this.pool.i32[n * 16 + SIZE] as number);
  }

  private subtreeEarliest(n: number): number {
    const f = this.pool.f64;
    const i = this.pool.i32;
    const l = i[n * 16 + LEFT] as number;
    const r = i[n * 16 + RIGHT] as number;
    let min = f[n * 8 + ENQUEUED_AT] as number;
    if (l !== NIL && (f[l * 8 + MIN_ARRIVAL] as number) < min) min = f[l * 8 + MIN_ARRIVAL] as number;
    if (r !== NIL && (f[r * 8 + MIN_ARRIVAL] as number) < min) min = f[r * 8 + MIN_ARRIVAL] as number;
    return min;
  }

  private pull(n: number): void {
    const i = this.pool.i32;
    const l = i[n * 16 + LEFT] as number;
    const r = i[n * 16 + RIGHT] as number;
    i[n * 16 + SIZE] = 1 + this.sizeOf(l) + this.sizeOf(r);
    this.pool.f64[n * 8 + MIN_ARRIVAL] = this.subtreeEarliest(n);
  }

  private growPath(): void {
    const path = new Int32Array(this.path.length * 2);
    path.set(this.path);
    this.path = path;
  }

  private nextRandom(): number {
    // xorshift32: cheap, deterministic, good enough to keep the treap balanced; 31 bits.
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x;
    return x >>> 1;
  }
}

function notInLine(verb: string): SwitchboardError {
  return new SwitchboardError('SB_INTERNAL', `WaitingLine.${verb}: node is not in this line`);
}
