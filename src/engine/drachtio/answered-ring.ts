import { txnCounterOf } from './ids.js';

/** Ids remembered: at ten ids a call, a few minutes of calls at thousands a second. */
const SLOTS = 1 << 21;

/**
 * Which requests the application answered, among the last two million transaction ids,
 * so that a second answer is refused by name ("final response already sent") after the
 * request left the core's tables. One byte per id in a ring, indexed by the counter in
 * the id: remembering costs no object, unlike a set of id strings kept for a minute.
 *
 * @example
 *   ring.issued(inb.id); … ring.answered(inb.id); … ring.has(txnId)
 */
export class AnsweredRing {
  private readonly slots = new Uint8Array(SLOTS);
  private newest = 0;

  /** A new inbound request: its slot starts unanswered (it may hold an id two million back). */
  issued(id: string): void {
    const n = txnCounterOf(id);
    if (n === undefined) return;
    this.slots[n % SLOTS] = 0;
    if (n > this.newest) this.newest = n;
  }

  answered(id: string): void {
    const n = txnCounterOf(id);
    if (n !== undefined && this.newest - n < SLOTS) this.slots[n % SLOTS] = 1;
  }

  has(id: string): boolean {
    const n = txnCounterOf(id);
    return n !== undefined && n <= this.newest && this.newest - n < SLOTS && this.slots[n % SLOTS] === 1;
  }
}
