/**
 * Requests waiting for an application's answer, oldest first: drachtio-srf applications
 * answer every request they are given, and one that does not (a bug, or a hung process)
 * must not hold the caller and the engine's tables for ever. A FIFO swept once a second
 * instead of a timer per request: arrival order is deadline order, so the sweep only
 * looks at what has expired, and a request answered in time costs nothing more.
 *
 * @example
 *   const deadlines = new AnswerDeadlines(64_000, (item) => answer500(item));
 *   deadlines.add(inbound); …; deadlines.close();
 */
/** A place in the queue; `forget` it once answered so the queue does not hold the item until the sweep reaches it. */
export interface DeadlineEntry<T> {
  item: T | undefined;
  readonly at: number;
}

export class AnswerDeadlines<T extends { readonly answered: boolean }> {
  private queue: Array<DeadlineEntry<T>> = [];
  private head = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly timeoutMs: number,
    private readonly expired: (item: T) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.sweep(), Math.max(10, Math.min(1000, Math.floor(timeoutMs / 4))));
    this.timer.unref();
  }

  add(item: T): DeadlineEntry<T> {
    const entry: DeadlineEntry<T> = { item, at: this.now() };
    this.queue.push(entry);
    return entry;
  }

  /** The item was answered: the entry stays until the sweep but no longer holds it. */
  static forget<T>(entry: DeadlineEntry<T> | undefined): void {
    if (entry !== undefined) entry.item = undefined;
  }

  get size(): number {
    return this.queue.length - this.head;
  }

  sweep(): void {
    const limit = this.now() - this.timeoutMs;
    const q = this.queue;
    while (this.head < q.length && q[this.head]!.at <= limit) {
      const { item } = q[this.head]!;
      q[this.head++] = undefined as unknown as DeadlineEntry<T>;
      if (item !== undefined && !item.answered) this.expired(item);
    }
    // Drop answered entries from the front as well, so a quiet engine holds nothing.
    while (this.head < q.length && (q[this.head]!.item?.answered ?? true)) this.head++;
    if (this.head > 1024 && this.head * 2 > q.length) {
      this.queue = q.slice(this.head);
      this.head = 0;
    } else if (this.head === q.length) {
      this.queue = [];
      this.head = 0;
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.queue = [];
    this.head = 0;
  }
}
