/**
 * CDRs from the application's call reports: one record per call attempt, including
 * calls a trunk limit refused (those come from a known trunk and matter for capacity;
 * requests from unknown sources do not get a CDR, or a scanner could fill the disk).
 *
 * @example
 *   cdrWriter.write(toCallRecord(await flow.run()));
 */
import type Srf from 'drachtio-srf';
import { CallRecordBuilder, type CallRecord } from '../cdr/index.js';
import type { CallReport } from './call/call-flow.js';
import { userOf } from './user-of.js';

export function toCallRecord(r: CallReport): CallRecord {
  const b = new CallRecordBuilder({ callId: r.callId, caller: r.from, callee: r.to, trunk: r.trunk, at: r.startedAt });
  const answered = r.legs.find((l) => l.outcome === 'answered');
  b.routed({ rule: r.rule, callee: answered?.target ?? null });
  for (const step of r.path) b.action(step);
  for (const leg of r.legs) {
    const id = b.targetStarted(leg.target, leg.uri, leg.startedAt);
    b.targetEnded(id, leg.outcome, leg.status ?? null, leg.endedAt || r.endedAt);
  }
  if (answered === undefined && r.answeredAt !== undefined) b.answered(r.answeredAt);
  return b.finish({ at: r.endedAt, status: r.status, hungUpBy: r.hungUpBy ?? 'system' });
}

export function refusedCallRecord(req: Srf.SrfRequest, trunk: string, status: number, at: number): CallRecord {
  const b = new CallRecordBuilder({ callId: req.get('Call-ID') ?? '', caller: userOf(req.get('From') ?? ''), callee: userOf(req.uri), trunk, at });
  return b.finish({ at, status, hungUpBy: 'system' });
}
