/**
 * The caller's CANCEL (or hang-up before answer) as a flag plus listeners, so every B leg
 * in flight — one or many — is cancelled exactly once.
 *
 * @example
 *   const caller = new Cancellation();
 *   req.on('cancel', () => caller.cancel());
 *   const off = caller.onCancel(() => uacReq.cancel());
 *   …; off();
 */
export class Cancellation {
  private listeners = new Set<() => void>();
  private done = false;

  get cancelled(): boolean {
    return this.done;
  }

  cancel(): void {
    if (this.done) return;
    this.done = true;
    const ls = [...this.listeners];
    this.listeners.clear();
    for (const l of ls) l();
  }

  /** Runs `listener` on cancel (now, when already cancelled); returns the function that removes it. */
  onCancel(listener: () => void): () => void {
    if (this.done) {
      listener();
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
