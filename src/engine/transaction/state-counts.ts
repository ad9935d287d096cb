import type { ClientState, ServerState } from './types.js';

type State = ServerState | ClientState;
type Kind = 'server:invite' | 'server:non-invite' | 'client:invite' | 'client:non-invite';

const STATES: readonly State[] = ['calling', 'trying', 'proceeding', 'completed', 'confirmed', 'accepted'];
const KINDS: readonly Kind[] = ['server:invite', 'server:non-invite', 'client:invite', 'client:non-invite'];
/** `kind:state` keys made once, so a state change allocates nothing. */
const KEYS = Object.fromEntries(KINDS.map((k) => [k, Object.fromEntries(STATES.map((s) => [s, `${k}:${s}`]))])) as Record<Kind, Record<string, string>>;

/**
 * Live transactions by side, method kind and state, updated as they move: stats() reads
 * counters instead of walking every transaction (tens of thousands linger in Timer J/L
 * at a thousand calls a second, and a walk stalled the engine on each metrics poll).
 */
export class StateCounts {
  private readonly counts: Record<string, number> = {};

  /** A transaction of `kind` went from `from` (undefined: new) to `to` ('terminated': gone). */
  move(kind: Kind, from: State | undefined, to: State | 'terminated'): void {
    const c = this.counts;
    if (from !== undefined && from !== 'terminated') c[KEYS[kind][from]!]!--;
    if (to !== 'terminated') {
      const key = KEYS[kind][to]!;
      c[key] = (c[key] ?? 0) + 1;
    }
  }

  /** Non-zero counts, e.g. { 'server:invite:accepted': 3 }. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.counts)) if (v > 0) out[k] = v;
    return out;
  }
}

export type { Kind as TransactionKind };
