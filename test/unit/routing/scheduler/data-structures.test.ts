import { describe, expect, it } from 'vitest';
import { IndexedHeap, NOT_IN_HEAP, type HeapItem } from '../../../../src/routing/scheduler/indexed-heap.js';
import { LinePool, NOT_IN_LINE, WaitingLine, type LineNode } from '../../../../src/routing/scheduler/waiting-line.js';
import { prng } from './helpers.js';

interface Node extends LineNode {
  readonly id: number;
}

function node(id: number, virtualAt: number, enqueuedAt: number): Node {
  return { id, virtualAt, seq: id, enqueuedAt, lineSlot: NOT_IN_LINE };
}

const byLine = (a: Node, b: Node): number => a.virtualAt - b.virtualAt || a.seq - b.seq;

describe('WaitingLine against a sorted array', () => {
  it.each([1, 2, 3])('agrees on rank and first(waitedMs, now) over 5,000 random operations (seed %i)', (seed) => {
    const random = prng(seed);
    const line = new WaitingLine<Node>(seed, new LinePool<Node>(2)); // small pool: growth is exercised
    let model: Node[] = [];
    let nextId = 1;
    for (let op = 0; op < 5_000; op++) {
      const r = random();
      if (r < 0.45 || model.length === 0) {
        // Few distinct virtual times, so ties on virtualAt are common; arrivals are
        // unrelated to line order, as with priorities.
        const n = node(nextId++, Math.floor(random() * 50), Math.floor(random() * 100));
        line.insert(n);
        model.push(n);
        model.sort(byLine);
      } else if (r < 0.75) {
        const victim = model[Math.floor(random() * model.length)] as Node;
        line.remove(victim);
        model = model.filter((n) => n !== victim);
      } else {
        const n = model[Math.floor(random() * model.length)] as Node;
        expect(line.rank(n)).toBe(model.indexOf(n));
      }
      expect(line.size).toBe(model.length);
      for (const [waitedMs, now] of [[0, 100], [30, 60], [10, 30], [50, 50], [0, -1]] as const) {
        expect(line.first(waitedMs, now)?.id).toBe(model.find((n) => n.enqueuedAt + waitedMs <= now)?.id);
      }
    }
  });

  it('throws SB_INTERNAL for a node that is not in the line', () => {
    const line = new WaitingLine<Node>(1);
    line.insert(node(1, 0, 0));
    expect(() => line.rank(node(2, 5, 0))).toThrow(/not in this line/);
    expect(() => line.remove(node(3, 5, 0))).toThrow(/not in this line/);
  });
});

describe('IndexedHeap', () => {
  interface Item extends HeapItem {
    readonly key: number;
  }

  it('pops in order after random pushes and removals of arbitrary items', () => {
    const random = prng(42);
    const heap = new IndexedHeap<Item>((a, b) => a.key < b.key);
    const live = new Set<Item>();
    for (let op = 0; op < 5_000; op++) {
      if (random() < 0.6 || live.size === 0) {
        const item: Item = { key: Math.floor(random() * 1_000), heapIndex: NOT_IN_HEAP };
        heap.push(item);
        live.add(item);
      } else {
        const victim = [...live][Math.floor(random() * live.size)] as Item;
        heap.remove(victim);
        live.delete(victim);
        expect(victim.heapIndex).toBe(NOT_IN_HEAP);
      }
      const smallest = live.size === 0 ? undefined : Math.min(...[...live].map((i) => i.key));
      expect(heap.peek()?.key).toBe(smallest);
    }
    const drained: number[] = [];
    for (let item = heap.pop(); item !== undefined; item = heap.pop()) drained.push(item.key);
    expect(drained).toEqual([...live].map((i) => i.key).sort((a, b) => a - b));
  });
});
