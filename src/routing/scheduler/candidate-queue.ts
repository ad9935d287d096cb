/**
 * The dispatch loop's work list: (call, proposing agent) pairs, earliest call in line
 * order first. A binary heap over two parallel arrays, so dispatch allocates nothing per
 * candidate; it is empty between dispatches.
 *
 * @example
 *   const q = new CandidateQueue();
 *   q.push(call, agent);          // the agent's best call
 *   q.push(otherCall, null);      // a call that joined the line
 *   while (q.pop()) use(q.call, q.via);
 */
import { callBefore, type AgentRecord, type CallRecord } from './records.js';

export class CandidateQueue {
  private readonly calls: CallRecord[] = [];
  private readonly vias: (AgentRecord | null)[] = [];
  /** The pair removed by the last successful pop. */
  call!: CallRecord;
  via: AgentRecord | null = null;

  push(call: CallRecord, via: AgentRecord | null): void {
    const calls = this.calls;
    const vias = this.vias;
    let i = calls.length;
    calls.push(call);
    vias.push(via);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = calls[p] as CallRecord;
      if (!callBefore(call, parent)) break;
      calls[i] = parent;
      vias[i] = vias[p] as AgentRecord | null;
      i = p;
    }
    calls[i] = call;
    vias[i] = via;
  }

  /** Removes the earliest pair into `call` / `via`; false when empty. */
  pop(): boolean {
    const calls = this.calls;
    const vias = this.vias;
    if (calls.length === 0) return false;
    this.call = calls[0] as CallRecord;
    this.via = vias[0] as AgentRecord | null;
    const lastCall = calls.pop() as CallRecord;
    const lastVia = vias.pop() as AgentRecord | null;
    const n = calls.length;
    if (n === 0) return true;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && callBefore(calls[r] as CallRecord, calls[l] as CallRecord) ? r : l;
      if (!callBefore(calls[c] as CallRecord, lastCall)) break;
      calls[i] = calls[c] as CallRecord;
      vias[i] = vias[c] as AgentRecord | null;
      i = c;
    }
    calls[i] = lastCall;
    vias[i] = lastVia;
    return true;
  }
}
