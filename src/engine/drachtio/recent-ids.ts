/**
 * Ids seen within the last `windowMs` (kept between one and two windows): two sets, the
 * older dropped whole at each turn, so remembering costs one Set entry and forgetting
 * costs nothing per id — no timer or scan per entry.
 *
 * @example
 *   const answered = new RecentIds(32_000);
 *   answered.add(txnId); … answered.has(txnId); … answered.close();
 */
export class RecentIds {
  private current = new Set<string>();
  private previous = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(windowMs: number) {
    this.timer = setInterval(() => this.turn(), windowMs);
    this.timer.unref();
  }

  add(id: string): void {
    this.current.add(id);
  }

  has(id: string): boolean {
    return this.current.has(id) || this.previous.has(id);
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }

  /** Forgets the older window (the timer does this; exposed for tests). */
  turn(): void {
    this.previous = this.current;
    this.current = new Set();
  }

  close(): void {
    clearInterval(this.timer);
    this.current.clear();
    this.previous.clear();
  }
}
