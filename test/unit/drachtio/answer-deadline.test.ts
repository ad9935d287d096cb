import { describe, expect, it } from 'vitest';
import { AnswerDeadlines } from '../../../src/engine/drachtio/answer-deadline.js';
import { AnsweredRing } from '../../../src/engine/drachtio/answered-ring.js';
import { newTxnId, txnCounterOf } from '../../../src/engine/drachtio/ids.js';

describe('AnswerDeadlines', () => {
  it('expires only unanswered items, oldest first, and holds nothing once the queue is drained', () => {
    let now = 0;
    const expired: string[] = [];
    const d = new AnswerDeadlines<{ id: string; answered: boolean }>(1000, (i) => expired.push(i.id), () => now);
    const a = { id: 'a', answered: false };
    const b = { id: 'b', answered: false };
    const c = { id: 'c', answered: false };
    d.add(a);
    now = 400;
    d.add(b);
    now = 900;
    d.add(c);
    b.answered = true;
    now = 1000;
    d.sweep();
    expect(expired).toEqual(['a']);
    now = 1900;
    d.sweep();
    expect(expired).toEqual(['a', 'c']);
    expect(d.size).toBe(0);
    d.close();
  });

  it('compacts a long-lived queue', () => {
    let now = 0;
    const d = new AnswerDeadlines<{ answered: boolean }>(10, () => undefined, () => now);
    for (let i = 0; i < 5000; i++) d.add({ answered: true });
    d.add({ answered: false });
    now = 5;
    d.sweep();
    expect(d.size).toBe(1);
    d.close();
  });
});

describe('AnswerDeadlines.forget', () => {
  it('lets go of an answered item before the sweep reaches its entry', () => {
    let now = 0;
    const expired: string[] = [];
    const d = new AnswerDeadlines<{ id: string; answered: boolean }>(1000, (i) => expired.push(i.id), () => now);
    const slow = { id: 'slow', answered: false };
    d.add(slow);
    const quick = { id: 'quick', answered: false };
    const entry = d.add(quick);
    quick.answered = true;
    AnswerDeadlines.forget(entry);
    expect(entry.item).toBeUndefined();
    now = 1000;
    d.sweep();
    expect(expired).toEqual(['slow']);
    expect(d.size).toBe(0);
    d.close();
  });
});

describe('AnsweredRing', () => {
  it('remembers answered ids of this process, and nothing for ids it never issued', () => {
    const ring = new AnsweredRing();
    const a = newTxnId();
    const b = newTxnId();
    ring.issued(a);
    ring.issued(b);
    ring.answered(a);
    expect(ring.has(a)).toBe(true);
    expect(ring.has(b)).toBe(false);
    expect(ring.has('someone-else.1')).toBe(false);
    expect(ring.has(a.replace(/\.[0-9a-z]+$/, '.zzzzzz'))).toBe(false); // newer than any issued
  });

  it('forgets an id once its slot is issued again', () => {
    const ring = new AnsweredRing();
    const a = newTxnId();
    ring.issued(a);
    ring.answered(a);
    const n = txnCounterOf(a)!;
    const later = a.replace(/\.[0-9a-z]+$/, '.' + (n + (1 << 21)).toString(36));
    ring.issued(later);
    expect(ring.has(a)).toBe(false);
    expect(ring.has(later)).toBe(false);
  });
});
