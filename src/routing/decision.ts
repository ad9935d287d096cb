/**
 * What `decide` returns: the rule that matched, the chain of fully resolved actions for
 * the SIP application to execute in order, and a trace that explains the decision.
 *
 * Step outcomes and continuation (the application's side of the contract):
 *
 * | action    | outcomes it can end with                   | then                                     |
 * |-----------|--------------------------------------------|------------------------------------------|
 * | ring      | answered, busy, no_answer, unavailable,    | answered: done; an outcome listed in     |
 * |           | failure                                    | `continueOn`: next action; other: done   |
 * | forward   | answered, busy, no_answer, unavailable,    | as ring                                  |
 * |           | failure                                    |                                          |
 * | voicemail | recorded, failure                          | failure in `continueOn`: next action     |
 * | ivr       | (runs the chain of the chosen option)      | resolve `options[key]` / `onFailure`     |
 * | queue     | answered by an agent, full, timed out      | full/timeout: resolve `onFull`/`onTimeout` |
 * | reject    | (final)                                    | done                                     |
 *
 * The caller hanging up ends everything; a 487 is never a reason to continue.
 *
 * @example
 *   const d = router.decide(call, Date.now(), state);
 *   if (d.actions[0].kind === 'ring') for (const t of d.actions[0].targets) console.log(t.kind, t.timeoutMs);
 */
import type { Outcome } from '../config/schema/actions.js';
import type { IvrMenuDefinition, QueueDefinition, VoicemailBoxDefinition } from '../config/schema/config.js';

export type { Outcome };

/** Identifies a chain that runs later (an IVR option, a queue overflow); see `Router.resolveChain`. */
export type ChainId = string;

export type ResolvedTarget =
  | {
      readonly kind: 'user';
      readonly user: string;
      /** Whether the user had a live registration at decision time. */
      readonly registered: boolean;
      /** Static contacts from the configuration, rung in addition to registrations. */
      readonly contacts: readonly string[];
      /** How long the target rings; 0 for a forward target without its own timeout (the far end decides). */
      readonly timeoutMs: number;
    }
  | { readonly kind: 'uri'; readonly uri: string; readonly timeoutMs: number }
  | {
      readonly kind: 'number';
      readonly number: string;
      readonly trunk: string;
      /** In-service gateways in failover order. */
      readonly gateways: readonly string[];
      readonly timeoutMs: number;
    };

export type Action =
  | {
      readonly kind: 'ring';
      readonly mode: 'simultaneous' | 'sequential';
      readonly targets: readonly ResolvedTarget[];
      readonly continueOn: readonly Outcome[];
    }
  | { readonly kind: 'forward'; readonly target: ResolvedTarget; readonly redirect: boolean; readonly continueOn: readonly Outcome[] }
  | { readonly kind: 'voicemail'; readonly box: string; readonly settings: VoicemailBoxDefinition; readonly continueOn: readonly Outcome[] }
  | {
      readonly kind: 'ivr';
      readonly menu: string;
      readonly settings: IvrMenuDefinition;
      /** DTMF key -> the chain to resolve when the caller presses it. */
      readonly options: Readonly<Record<string, ChainId>>;
      readonly onFailure: ChainId;
    }
  /** Answer the caller, play the files, go on with the next action (none: hang up). */
  | { readonly kind: 'play'; readonly files: readonly string[] }
  | { readonly kind: 'reject'; readonly status: number; readonly reason: string }
  | {
      readonly kind: 'queue';
      readonly queue: string;
      readonly priority: number;
      readonly settings: QueueDefinition;
      readonly onFull: ChainId;
      readonly onTimeout: ChainId;
    };

export type Condition = 'trunk' | 'to' | 'from' | 'header' | 'schedule';

export type TraceEntry =
  /** Facts about the call: normalised numbers, how the trunk was identified. */
  | { readonly kind: 'call'; readonly detail: string }
  /** One rule tried: matched, or the first condition that failed and why. */
  | {
      readonly kind: 'rule';
      readonly index: number;
      readonly rule: string;
      readonly matched: boolean;
      readonly condition?: Condition;
      readonly detail: string;
    }
  /** How the chain was resolved: follow-the-sun sites, skipped targets, full queues. */
  | { readonly kind: 'step'; readonly detail: string }
  /** No rule matched. */
  | { readonly kind: 'default'; readonly detail: string };

export interface ChainResolution {
  readonly actions: readonly Action[];
  readonly trace: readonly TraceEntry[];
}

export interface Decision extends ChainResolution {
  /** The matching rule's name, or null when none matched (the default decision). */
  readonly rule: string | null;
  /** The call as the rules saw it: normalised numbers and the trunk. */
  readonly call: { readonly to: string; readonly from: string; readonly trunk?: string };
}

/** The decision for a call no rule matches. */
export const DEFAULT_REJECT = Object.freeze({ kind: 'reject', status: 404, reason: 'Not Found' } as const);
