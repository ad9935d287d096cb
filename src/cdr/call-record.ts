/**
 * Call detail records: the data model of one call attempt's story (who called whom,
 * how it was routed, every target tried, when it was answered and ended, who hung up)
 * and a builder the SIP application feeds as the call progresses. Time is injected:
 * every step takes the epoch ms it happened at; the record carries ISO-8601 UTC
 * timestamps with milliseconds. docs/registrar-and-cdr.md describes every field.
 *
 * The builder never throws on late or repeated events, since it runs in the call path:
 * the first answer wins, attempts still ringing when the call ends are `cancelled`, and
 * steps after `finish` are ignored (`finish` returns the same record again).
 *
 * @example
 *   const cdr = new CallRecordBuilder({ callId, caller: '+14155550123', callee: '18005550100', trunk: 'carrier-a', at: now });
 *   cdr.routed({ rule: 'sales', callee: 'sales' }).action('ring:simultaneous');
 *   const a = cdr.targetStarted('user:alice', 'sip:alice@192.0.2.10:5060', now + 20);
 *   cdr.targetEnded(a, 'answered', 200, now + 4000);
 *   const record = cdr.finish({ at: now + 64_000, status: 200, hungUpBy: 'callee' });
 *   cdrWriter.write(record);
 */
import type { Outcome } from '../config/schema/actions.js';

/** How one target's ringing ended: answered, a routing outcome, or `cancelled` (answered elsewhere, caller gone). */
export type TargetOutcome = 'answered' | Outcome | 'cancelled';

export type HungUpBy = 'caller' | 'callee' | 'system';

export interface TargetAttempt {
  /** What was rung, as the application names it, e.g. "user:alice", "number:+14155550100@carrier-b". */
  readonly target: string;
  /** The Request-URI sent. */
  readonly uri: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly outcome: TargetOutcome;
  /** The target's final SIP status; null when it sent none (ring timeout, cancelled before a final response). */
  readonly status: number | null;
}

export interface CallRecord {
  readonly callId: string;
  readonly caller: string;
  /** The called party as dialled (Request-URI user or To). */
  readonly calleeDialled: string;
  /** The called party after routing (user, queue or number); null when the call was not routed. */
  readonly calleeRouted: string | null;
  /** The trunk the call came in on; null for calls from users. */
  readonly trunk: string | null;
  /** The route rule that matched; null when none did. */
  readonly rule: string | null;
  /** The actions run, in order, as "kind:detail", e.g. ["ring:simultaneous", "voicemail:sales"]. */
  readonly actions: readonly string[];
  readonly targets: readonly TargetAttempt[];
  readonly startedAt: string;
  readonly answeredAt: string | null;
  readonly endedAt: string;
  /** The target that answered; null when none did (unanswered, or answered by IVR/voicemail/queue). */
  readonly answeredBy: string | null;
  /** ms from the call's arrival to its answer, or to its end when it was not answered. */
  readonly setupMs: number;
  /** Seconds from answer to end, with ms precision; 0 when not answered. */
  readonly talkSeconds: number;
  /** The final status sent to the caller: 200 when answered, else e.g. 486, 480, 487 (caller cancelled). */
  readonly status: number;
  readonly hungUpBy: HungUpBy;
}

export interface CallStart {
  readonly callId: string;
  readonly caller: string;
  readonly callee: string;
  readonly trunk?: string | undefined;
  /** Epoch ms the INVITE arrived. */
  readonly at: number;
}

export interface CallEnd {
  readonly at: number;
  readonly status: number;
  readonly hungUpBy: HungUpBy;
}

interface OpenAttempt {
  readonly target: string;
  readonly uri: string;
  readonly startedAt: number;
  end?: { at: number; outcome: TargetOutcome; status: number | null };
}

/** Epoch ms as ISO-8601 UTC with milliseconds, e.g. "2026-03-02T14:05:07.123Z". */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

export class CallRecordBuilder {
  private readonly start: CallStart;
  private calleeRouted: string | null = null;
  private rule: string | null = null;
  private readonly actions: string[] = [];
  private readonly attempts: OpenAttempt[] = [];
  private answeredAt: number | undefined;
  private answeredBy: string | null = null;
  private record: CallRecord | undefined;

  constructor(start: CallStart) {
    this.start = start;
  }

  /** Whether `finish` has been called. */
  get finished(): boolean {
    return this.record !== undefined;
  }

  /** The routing decision: the rule that matched and the callee it routed to. */
  routed(decision: { readonly rule?: string | null | undefined; readonly callee?: string | null | undefined }): this {
    if (this.record !== undefined) return this;
    if (decision.rule !== undefined) this.rule = decision.rule;
    if (decision.callee !== undefined) this.calleeRouted = decision.callee;
    return this;
  }

  /** An action that started, as "kind:detail". */
  action(step: string): this {
    if (this.record === undefined) this.actions.push(step);
    return this;
  }

  /** A target started ringing; returns the attempt's id for `targetEnded`. */
  targetStarted(target: string, uri: string, at: number): number {
    if (this.record !== undefined) return -1;
    return this.attempts.push({ target, uri, startedAt: at }) - 1;
  }

  /** A target's ringing ended. An 'answered' outcome also answers the call (first answer wins). Repeats are ignored. */
  targetEnded(attempt: number, outcome: TargetOutcome, status: number | null, at: number): void {
    const open = this.attempts[attempt];
    if (this.record !== undefined || open === undefined || open.end !== undefined) return;
    open.end = { at, outcome, status };
    if (outcome === 'answered') this.answer(at, open.target);
  }

  /** The call was answered by something other than a rung target (IVR, voicemail, queue music). */
  answered(at: number): void {
    if (this.record === undefined) this.answer(at, null);
  }

  /** Closes the record. Attempts still open end `cancelled` at `end.at`. Idempotent. */
  finish(end: CallEnd): CallRecord {
    if (this.record !== undefined) return this.record;
    const { start } = this;
    const answered = this.answeredAt;
    const endAt = Math.max(end.at, start.at);
    this.record = Object.freeze({
      callId: start.callId,
      caller: start.caller,
      calleeDialled: start.callee,
      calleeRouted: this.calleeRouted,
      trunk: start.trunk ?? null,
      rule: this.rule,
      actions: Object.freeze([...this.actions]),
      targets: Object.freeze(
        this.attempts.map((a): TargetAttempt => {
          const e = a.end ?? { at: end.at, outcome: 'cancelled', status: null };
          return Object.freeze({ target: a.target, uri: a.uri, startedAt: isoTime(a.startedAt), endedAt: isoTime(e.at), outcome: e.outcome, status: e.status });
        }),
      ),
      startedAt: isoTime(start.at),
      answeredAt: answered === undefined ? null : isoTime(answered),
      endedAt: isoTime(endAt),
      answeredBy: this.answeredBy,
      setupMs: Math.max(0, (answered ?? endAt) - start.at),
      talkSeconds: answered === undefined ? 0 : Math.max(0, endAt - answered) / 1000,
      status: end.status,
      hungUpBy: end.hungUpBy,
    });
    return this.record;
  }

  private answer(at: number, by: string | null): void {
    if (this.answeredAt !== undefined) return;
    this.answeredAt = at;
    this.answeredBy = by;
  }
}
