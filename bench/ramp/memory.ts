/**
 * Memory of this process for the concurrency and soak modes: RSS (every thread: the
 * engine worker, the application, native buffers) and the application thread's V8 heap
 * after a full collection when Node runs with --expose-gc. The engine worker's own heap
 * is not reachable from here on Node 20 (Worker#getHeapStatistics is newer); it is part
 * of the RSS.
 *
 * @example
 *   const idle = memorySnapshot();
 *   …
 *   const perCall = (memorySnapshot().rssBytes - idle.rssBytes) / calls;
 */

export interface MemorySnapshot {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** Whether a full GC ran first (only with --expose-gc). */
  readonly collected: boolean;
}

export function memorySnapshot(): MemorySnapshot {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, collected: gc !== undefined };
}
