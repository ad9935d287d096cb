import { describe, expect, it } from 'vitest';
import { CallRecordBuilder, isoTime } from '../../../src/cdr/call-record.js';

const T0 = Date.UTC(2026, 2, 2, 14, 5, 7, 123);

function builder() {
  return new CallRecordBuilder({ callId: 'abc@192.0.2.1', caller: '+14155550123', callee: '18005550100', trunk: 'carrier-a', at: T0 });
}

describe('CallRecordBuilder', () => {
  it('tells the story of an answered call: routing, targets, durations', () => {
    const cdr = builder();
    cdr.routed({ rule: 'sales', callee: 'sales' }).action('ring:simultaneous');
    const alice = cdr.targetStarted('user:alice', 'sip:alice@192.0.2.10:5060', T0 + 20);
    const bob = cdr.targetStarted('user:bob', 'sip:bob@192.0.2.11:5060', T0 + 21);
    cdr.targetEnded(bob, 'busy', 486, T0 + 500);
    cdr.targetEnded(alice, 'answered', 200, T0 + 4123);
    const record = cdr.finish({ at: T0 + 64_246, status: 200, hungUpBy: 'callee' });
    expect(record).toEqual({
      callId: 'abc@192.0.2.1',
      caller: '+14155550123',
      calleeDialled: '18005550100',
      calleeRouted: 'sales',
      trunk: 'carrier-a',
      rule: 'sales',
      actions: ['ring:simultaneous'],
      targets: [
        { target: 'user:alice', uri: 'sip:alice@192.0.2.10:5060', startedAt: '2026-03-02T14:05:07.143Z', endedAt: '2026-03-02T14:05:11.246Z', outcome: 'answered', status: 200 },
        { target: 'user:bob', uri: 'sip:bob@192.0.2.11:5060', startedAt: '2026-03-02T14:05:07.144Z', endedAt: '2026-03-02T14:05:07.623Z', outcome: 'busy', status: 486 },
      ],
      startedAt: '2026-03-02T14:05:07.123Z',
      answeredAt: '2026-03-02T14:05:11.246Z',
      endedAt: '2026-03-02T14:06:11.369Z',
      answeredBy: 'user:alice',
      setupMs: 4123,
      talkSeconds: 60.123,
      status: 200,
      hungUpBy: 'callee',
    });
  });

  it('an unanswered call: setup lasts until the end, no talk time, open attempts cancelled', () => {
    const cdr = builder();
    cdr.routed({ rule: 'sales', callee: 'sales' }).action('ring:sequential').action('voicemail:sales');
    const a = cdr.targetStarted('user:alice', 'sip:alice@192.0.2.10', T0 + 10);
    cdr.targetEnded(a, 'no_answer', null, T0 + 20_010);
    cdr.targetStarted('user:bob', 'sip:bob@192.0.2.11', T0 + 20_020);
    const record = cdr.finish({ at: T0 + 25_000, status: 487, hungUpBy: 'caller' });
    expect(record.actions).toEqual(['ring:sequential', 'voicemail:sales']);
    expect(record.targets.map((t) => [t.outcome, t.status, t.endedAt])).toEqual([
      ['no_answer', null, isoTime(T0 + 20_010)],
      ['cancelled', null, isoTime(T0 + 25_000)],
    ]);
    expect(record.answeredAt).toBeNull();
    expect(record.answeredBy).toBeNull();
    expect(record.setupMs).toBe(25_000);
    expect(record.talkSeconds).toBe(0);
    expect(record.status).toBe(487);
  });

  it('the first answer wins; answered() covers IVR and voicemail', () => {
    const cdr = builder();
    cdr.answered(T0 + 300);
    const a = cdr.targetStarted('agent:carol', 'sip:carol@192.0.2.12', T0 + 5000);
    cdr.targetEnded(a, 'answered', 200, T0 + 9000);
    const record = cdr.finish({ at: T0 + 10_300, status: 200, hungUpBy: 'caller' });
    expect(record.answeredAt).toBe(isoTime(T0 + 300));
    expect(record.answeredBy).toBeNull();
    expect(record.setupMs).toBe(300);
    expect(record.talkSeconds).toBe(10);
  });

  it('a call that was never routed has nulls, not missing fields', () => {
    const record = new CallRecordBuilder({ callId: 'x', caller: 'alice', callee: '999', at: T0 }).finish({ at: T0 + 2, status: 404, hungUpBy: 'system' });
    expect(record).toMatchObject({ trunk: null, rule: null, calleeRouted: null, actions: [], targets: [], answeredAt: null, setupMs: 2 });
    expect(Object.keys(JSON.parse(JSON.stringify(record)))).toHaveLength(16);
  });

  it('ignores repeats, unknown attempts and anything after finish; finish is idempotent', () => {
    const cdr = builder();
    const a = cdr.targetStarted('user:alice', 'sip:alice@192.0.2.10', T0);
    cdr.targetEnded(a, 'busy', 486, T0 + 100);
    cdr.targetEnded(a, 'answered', 200, T0 + 200);
    cdr.targetEnded(42, 'answered', 200, T0 + 200);
    const record = cdr.finish({ at: T0 + 300, status: 486, hungUpBy: 'system' });
    expect(cdr.finished).toBe(true);
    cdr.action('ring:late');
    cdr.answered(T0 + 400);
    expect(cdr.targetStarted('user:bob', 'sip:bob@192.0.2.11', T0 + 400)).toBe(-1);
    expect(cdr.finish({ at: T0 + 999, status: 200, hungUpBy: 'caller' })).toBe(record);
    expect(record.targets).toHaveLength(1);
    expect(record.targets[0]?.outcome).toBe('busy');
    expect(record.answeredAt).toBeNull();
    expect(record.actions).toEqual([]);
    expect(Object.isFrozen(record)).toBe(true);
  });

  it('an end stamped before the start (clock stepped back) gives no negative durations', () => {
    const cdr = builder();
    cdr.answered(T0 + 100);
    const record = cdr.finish({ at: T0 + 50, status: 200, hungUpBy: 'caller' });
    expect(record.setupMs).toBe(100);
    expect(record.talkSeconds).toBe(0);
  });
});
