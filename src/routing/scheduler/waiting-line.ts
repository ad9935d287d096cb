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
 * The nodes are the scheduler's call records (intrusive links), so the line allocates
 * nothing per call.
 *
 * @example
 *   const line = new WaitingLine<Call>(7);
 *   line.insert(call);               // O(log n)
 *   line.rank(call);                 // callers ahead of `call`
 *   line.first(60_000, now);         // earliest caller in line order who arrived by now − 60 s, or null
 *   line.remove(call);
 */
import { SwitchboardError } from '../../util/errors.js';

export interface LineNode<T> {
  /** Arrival time minus the priority head start; see docs/scheduler.md. Never changes. */
  readonly virtualAt: number;
  /** Global arrival counter, breaks ties between equal virtual times. */
  readonly seq: number;
  /** Real arrival time. */
  readonly enqueuedAt: number;
  left: T | null;
  right: T | null;
  treapPriority: number;
  size: number;
  /** Earliest enqueuedAt in the subtree. */
  minArrival: number;
}

export class WaitingLine<T extends LineNode<T>> {
  private root: T | null = null;
  private random: number;
  /** Ancestors of the node being removed, root first; reused so remove allocates nothing. */
  private readonly path: T[] = [];
  // The two halves of the last split (see split); fields, so the split allocates nothing.
  private low: T | null = null;
  private high: T | null = null;

  /** `seed` makes the tree's shape, and so its speed, reproducible. Any non-zero int. */
  constructor(seed: number) {
    this.random = seed | 0 || 1;
  }

  get size(): number {
    return this.root === null ? 0 : this.root.size;
  }

  /**
   * Walks down from the root, counting the new node into every subtree it joins, to the
   * first node with a lower treap priority, and takes that node's place, splitting its
   * subtree around the new key (expected O(1) nodes). Only nodes on the path are read:
   * no sibling is touched, which matters when the line is far larger than the CPU cache.
   */
  insert(node: T): void {
    const priority = this.nextRandom();
    const arrival = node.enqueuedAt;
    node.treapPriority = priority;
    let parent: T | null = null;
    let toLeft = false;
    let n = this.root;
    while (n !== null && n.treapPriority >= priority) {
      n.size++;
      if (arrival < n.minArrival) n.minArrival = arrival;
      parent = n;
      toLeft = before(node, n);
      n = toLeft ? n.left : n.right;
    }
    this.split(n, node);
    node.left = this.low;
    node.right = this.high;
    this.low = null;
    this.high = null;
    pull(node);
    if (parent === null) this.root = node;
    else if (toLeft) parent.left = node;
    else parent.right = node;
  }

  /**
   * Replaces the node by the merge of its children, then fixes the ancestors: each loses
   * one from its size, and only those whose earliest arrival was the removed node's
   * recompute it from their children.
   */
  remove(node: T): void {
    const path = this.path;
    let n = this.root;
    while (n !== node) {
      if (n === null) {
        path.length = 0;
        throw new SwitchboardError('SB_INTERNAL', 'WaitingLine.remove: node is not in this line');
      }
      path.push(n);
      n = before(node, n) ? n.left : n.right;
    }
    const replacement = merge(node.left, node.right);
    const depth = path.length;
    if (depth === 0) this.root = replacement;
    else {
      const parent = path[depth - 1] as T;
      if (parent.left === node) parent.left = replacement;
      else parent.right = replacement;
    }
    const arrival = node.enqueuedAt;
    for (let i = depth - 1; i >= 0; i--) {
      const a = path[i] as T;
      a.size--;
      if (a.minArrival === arrival) a.minArrival = earliestArrival(a);
    }
    path.length = 0;
    node.left = null;
    node.right = null;
    node.size = 1;
    node.minArrival = arrival;
  }

  /** How many nodes come before `node`, which must be in this line. */
  rank(node: T): number {
    let ahead = 0;
    let n = this.root;
    while (n !== null) {
      if (n === node) return ahead + sizeOf(n.left);
      if (before(node, n)) n = n.left;
      else {
        ahead += sizeOf(n.left) + 1;
        n = n.right;
      }
    }
    throw new SwitchboardError('SB_INTERNAL', 'WaitingLine.rank: node is not in this line');
  }

  /**
   * The first node in line order with `enqueuedAt + waitedMs <= now` (written exactly as
   * the scheduler's stage deadlines are, so both agree to the last bit), or null.
   */
  first(waitedMs: number, now: number): T | null {
    let n = this.root;
    while (n !== null) {
      const left = n.left;
      if (left !== null && left.minArrival + waitedMs <= now) n = left;
      else if (n.enqueuedAt + waitedMs <= now) return n;
      else {
        const right = n.right;
        n = right !== null && right.minArrival + waitedMs <= now ? right : null;
      }
    }
    return null;
  }

  /** Splits the subtree `t` into the keys before `node` (this.low) and after it (this.high). */
  private split(t: T | null, node: T): void {
    if (t === null) {
      this.low = null;
      this.high = null;
    } else if (before(t, node)) {
      this.split(t.right, node);
      t.right = this.low;
      pull(t);
      this.low = t;
    } else {
      this.split(t.left, node);
      t.left = this.high;
      pull(t);
      this.high = t;
    }
  }

  private nextRandom(): number {
    // xorshift32: cheap, deterministic, good enough to keep the treap balanced. 31 bits, so
    // the priority stays a small integer (V8 boxes larger numbers kept in fields).
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x;
    return x >>> 1;
  }
}

function before<T extends LineNode<T>>(a: T, b: T): boolean {
  return a.virtualAt < b.virtualAt || (a.virtualAt === b.virtualAt && a.seq < b.seq);
}

function sizeOf<T extends LineNode<T>>(n: T | null): number {
  return n === null ? 0 : n.size;
}

function earliestArrival<T extends LineNode<T>>(n: T): number {
  const l = n.left;
  const r = n.right;
  let minArrival = n.enqueuedAt;
  if (l !== null && l.minArrival < minArrival) minArrival = l.minArrival;
  if (r !== null && r.minArrival < minArrival) minArrival = r.minArrival;
  return minArrival;
}

function pull<T extends LineNode<T>>(n: T): void {
  const l = n.left;
  const r = n.right;
  let size = 1;
  let minArrival = n.enqueuedAt;
  if (l !== null) {
    size += l.size;
    if (l.minArrival < minArrival) minArrival = l.minArrival;
  }
  if (r !== null) {
    size += r.size;
    if (r.minArrival < minArrival) minArrival = r.minArrival;
  }
  n.size = size;
  n.minArrival = minArrival;
}

/**
 * Joins two treaps where every key of `a` precedes every key of `b`, down the right
 * spine of `a` and the left spine of `b`. A node that stays on top takes the other
 * side's whole subtree into its own, so its size and earliest arrival follow from the
 * two roots alone.
 */
function merge<T extends LineNode<T>>(a: T | null, b: T | null): T | null {
  if (a === null) return b;
  if (b === null) return a;
  let root: T | null = null;
  let parent: T | null = null;
  let intoRight = false;
  while (a !== null && b !== null) {
    let top: T;
    if (a.treapPriority > b.treapPriority) {
      top = a;
      a.size += b.size;
      if (b.minArrival < a.minArrival) a.minArrival = b.minArrival;
    } else {
      top = b;
      b.size += a.size;
      if (a.minArrival < b.minArrival) b.minArrival = a.minArrival;
    }
    if (parent === null) root = top;
    else if (intoRight) parent.right = top;
    else parent.left = top;
    parent = top;
    if (top === a) {
      intoRight = true;
      a = a.right;
    } else {
      intoRight = false;
      b = b.left;
    }
  }
  const rest = a ?? b;
  if (intoRight) (parent as T).right = rest;
  else (parent as T).left = rest;
  return root;
}
