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

  /** `seed` makes the tree's shape, and so its speed, reproducible. Any non-zero int. */
  constructor(seed: number) {
    this.random = seed | 0 || 1;
  }

  get size(): number {
    return this.root === null ? 0 : this.root.size;
  }

  insert(node: T): void {
    node.left = null;
    node.right = null;
    node.size = 1;
    node.minArrival = node.enqueuedAt;
    node.treapPriority = this.nextRandom();
    this.root = this.insertUnder(this.root, node);
  }

  remove(node: T): void {
    this.root = this.removeUnder(this.root, node);
    node.left = null;
    node.right = null;
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
      if (n.left !== null && n.left.minArrival + waitedMs <= now) n = n.left;
      else if (n.enqueuedAt + waitedMs <= now) return n;
      else n = n.right !== null && n.right.minArrival + waitedMs <= now ? n.right : null;
    }
    return null;
  }

  private insertUnder(root: T | null, node: T): T {
    if (root === null) return node;
    if (before(node, root)) {
      const left = this.insertUnder(root.left, node);
      root.left = left;
      if (left.treapPriority > root.treapPriority) return rotateRight(root, left);
    } else {
      const right = this.insertUnder(root.right, node);
      root.right = right;
      if (right.treapPriority > root.treapPriority) return rotateLeft(root, right);
    }
    pull(root);
    return root;
  }

  private removeUnder(root: T | null, node: T): T | null {
    if (root === null) throw new SwitchboardError('SB_INTERNAL', 'WaitingLine.remove: node is not in this line');
    if (root === node) return merge(root.left, root.right);
    if (before(node, root)) root.left = this.removeUnder(root.left, node);
    else root.right = this.removeUnder(root.right, node);
    pull(root);
    return root;
  }

  private nextRandom(): number {
    // xorshift32: cheap, deterministic, good enough to keep the treap balanced.
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x;
    return x >>> 0;
  }
}

function before<T extends LineNode<T>>(a: T, b: T): boolean {
  return a.virtualAt < b.virtualAt || (a.virtualAt === b.virtualAt && a.seq < b.seq);
}

function sizeOf<T extends LineNode<T>>(n: T | null): number {
  return n === null ? 0 : n.size;
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

function rotateRight<T extends LineNode<T>>(root: T, left: T): T {
  root.left = left.right;
  left.right = root;
  pull(root);
  pull(left);
  return left;
}

function rotateLeft<T extends LineNode<T>>(root: T, right: T): T {
  root.right = right.left;
  right.left = root;
  pull(root);
  pull(right);
  return right;
}

/** Joins two treaps where every key of `a` precedes every key of `b`. */
function merge<T extends LineNode<T>>(a: T | null, b: T | null): T | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.treapPriority > b.treapPriority) {
    a.right = merge(a.right, b);
    pull(a);
    return a;
  }
  b.left = merge(a, b.left);
  pull(b);
  return b;
}
