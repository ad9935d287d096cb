/**
 * A binary min-heap whose items remember their own slot, so an arbitrary item can be
 * removed in O(log n) without a search. The scheduler keeps every item in at most one
 * heap at a time, which is what lets a single `heapIndex` field serve every heap type.
 *
 * @example
 *   interface Job extends HeapItem { dueAt: number }
 *   const heap = new IndexedHeap<Job>((a, b) => a.dueAt < b.dueAt);
 *   const job: Job = { dueAt: 5, heapIndex: NOT_IN_HEAP };
 *   heap.push(job);
 *   job.dueAt = 9;
 *   heap.update(job); // O(log n): back in order after the key changed
 *   heap.remove(job); // O(log n), job.heapIndex is NOT_IN_HEAP again
 */
export interface HeapItem {
  /** The item's slot in the heap that holds it, or NOT_IN_HEAP. Owned by the heap. */
  heapIndex: number;
}

export const NOT_IN_HEAP = -1;

export class IndexedHeap<T extends HeapItem> {
  private readonly slots: T[] = [];

  /** `less(a, b)` must be a strict total order for results to be deterministic. */
  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.slots.length;
  }

  /** The items in heap order (not sorted). Read-only view for enumeration. */
  get items(): readonly T[] {
    return this.slots;
  }

  peek(): T | undefined {
    return this.slots[0];
  }

  push(item: T): void {
    item.heapIndex = this.slots.length;
    this.slots.push(item);
    this.up(item.heapIndex);
  }

  pop(): T | undefined {
    const top = this.slots[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Restores the order after the key of `item` (in this heap) changed. O(log n). */
  update(item: T): void {
    const i = item.heapIndex;
    if (i > 0 && this.less(item, this.slots[(i - 1) >> 1] as T)) this.up(i);
    else this.down(i);
  }

  remove(item: T): void {
    const i = item.heapIndex;
    const last = this.slots.pop() as T;
    item.heapIndex = NOT_IN_HEAP;
    if (last === item) return;
    this.slots[i] = last;
    last.heapIndex = i;
    // The moved item may belong above or below the hole, never both.
    if (i > 0 && this.less(last, this.slots[(i - 1) >> 1] as T)) this.up(i);
    else this.down(i);
  }

  private up(i: number): void {
    const s = this.slots;
    const item = s[i] as T;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = s[p] as T;
      if (!this.less(item, parent)) break;
      s[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    s[i] = item;
    item.heapIndex = i;
  }

  private down(i: number): void {
    const s = this.slots;
    const n = s.length;
    const item = s[i] as T;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(s[r] as T, s[l] as T) ? r : l;
      const child = s[c] as T;
      if (!this.less(child, item)) break;
      s[i] = child;
      child.heapIndex = i;
      i = c;
    }
    s[i] = item;
    item.heapIndex = i;
  }
}
