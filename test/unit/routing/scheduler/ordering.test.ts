import { describe, expect, it } from 'vitest';
import type { SkillStage } from '../../../../src/routing/scheduler/types.js';
import { agent, build, ok, pairs, queue, serveUnderPriorityStream } from './helpers.js';

const AGING = 60_000;

describe('caller priority', () => {
  it('serves a priority caller ahead of earlier callers', () => {
    const { s } = build([queue('q', ['a'], { agingMs: AGING })], [agent('a')]);
    ok(s.enqueue({ callId: 'early', queueId: 'q', priority: 0, now: 0 }));
    ok(s.enqueue({ callId: 'later', queueId: 'q', priority: 0, now: 1_000 }));
    ok(s.enqueue({ callId: 'vip', queueId: 'q', priority: 5, now: 2_000 }));
    expect([s.position('vip'), s.position('early'), s.position('later')].map((p) => p.ok && p.position)).toEqual([1, 2, 3]);
    ok(s.login('a', 3_000));
    expect(pairs(s.dispatch(3_000))).toEqual(['vip>a']);
  });

  // A priority-0 caller arrives at 0, a priority-1 caller after `gap` ms. One level is
  // worth AGING ms of waiting, so the priority caller is ahead only if it came sooner.
  it.each([
    [AGING - 1, 'high'],
    [AGING, 'low'], // equal virtual arrival: the earlier arrival wins
    [AGING + 1, 'low'],
  ])('aging: a priority-1 caller %i ms later is behind/ahead -> %s served first', (gap, first) => {
    const { s } = build([queue('q', ['a'], { agingMs: AGING })], [agent('a')]);
    ok(s.enqueue({ callId: 'low', queueId: 'q', priority: 0, now: 0 }));
    ok(s.enqueue({ callId: 'high', queueId: 'q', priority: 1, now: gap }));
    ok(s.login('a', gap));
    expect(s.dispatch(gap).offers[0]?.callId).toBe(first);
  });

  it('never starves a low-priority caller under a constant stream of priority callers', () => {
    // One agent takes a call every 10 s; priority-2 callers arrive every 5 s, twice what
    // the agent can take, so without aging the low caller would wait forever. With a 30 s
    // aging rate the priority callers' head start is 60 s: only those who arrived before
    // 60 s (high0..high11) go first, then the low caller, then everyone after.
    const agingMs = 30_000;
    const { s } = build([queue('q', ['a'], { agingMs })], [agent('a')]);
    const served = serveUnderPriorityStream(s, { low: 'q', high: 'q' });
    const headStartCallers = (2 * agingMs) / 5_000;
    expect(served).toEqual([...Array.from({ length: headStartCallers }, (_, i) => `high${i}`), 'low']);
  });
});

describe('cross-queue fairness', () => {
  it('an agent in two queues takes the globally oldest caller, not queue by queue', () => {
    const { s } = build([queue('sales', ['x']), queue('support', ['x', 'y'])], [agent('x'), agent('y')]);
    ok(s.enqueue({ callId: 'sales-10', queueId: 'sales', now: 10 }));
    ok(s.enqueue({ callId: 'support-20', queueId: 'support', now: 20 }));
    ok(s.enqueue({ callId: 'sales-30', queueId: 'sales', now: 30 }));
    ok(s.enqueue({ callId: 'support-5p', queueId: 'support', priority: 1, now: 40 })); // virtual 40 - 60 s
    ok(s.login('x', 50));
    const order: string[] = [];
    for (let t = 50; t < 60; t++) {
      const offer = s.dispatch(t).offers[0];
      if (offer === undefined) break;
      order.push(offer.callId);
      ok(s.offerAnswered(offer.callId, 'x', t));
      ok(s.callEnded(offer.callId, t));
    }
    expect(order).toEqual(['support-5p', 'sales-10', 'support-20', 'sales-30']);
  });

  it('compares queues with different agingMs by each call\'s own virtual arrival time', () => {
    // fast: one level = 10 s; slow: one level = 60 s.
    const { s } = build(
      [queue('fast', ['x'], { agingMs: 10_000 }), queue('slow', ['x'], { agingMs: 60_000 })],
      [agent('x')],
    );
    ok(s.enqueue({ callId: 'fast-p1', queueId: 'fast', priority: 1, now: 0 })); // virtual -10 s
    ok(s.enqueue({ callId: 'slow-p1', queueId: 'slow', priority: 1, now: 30_000 })); // virtual -30 s
    ok(s.login('x', 40_000));
    expect(pairs(s.dispatch(40_000))).toEqual(['slow-p1>x']);
  });

  it('a call waiting in one queue does not take an agent who is not its member', () => {
    const { s } = build([queue('a-only', ['a']), queue('b-only', ['b'])], [agent('a'), agent('b')]);
    ok(s.enqueue({ callId: 'k1', queueId: 'a-only', now: 0 }));
    ok(s.login('b', 1));
    expect(s.dispatch(1).offers).toEqual([]);
    ok(s.login('a', 2));
    expect(pairs(s.dispatch(2))).toEqual(['k1>a']);
  });
});

describe('skills', () => {
  it.each([
    [{ en: 2 }, false],
    [{ en: 3, billing: 2 }, true], // the minimums themselves qualify
    [{ en: 5, billing: 5, fr: 1 }, true],
    [{ en: 5 }, false],
    [{ fr: 5 }, false],
    [{ en: 4, billing: 1 }, false],
    [{ en: 4, billing: 2 }, true],
  ])('need { en: 3, billing: 2 } and skills %j -> qualifies: %s', (skills, qualifies) => {
    const { s } = build([queue('q', ['a'], { stages: [{ afterMs: 0, need: { en: 3, billing: 2 } }] })], [agent('a', { skills })]);
    ok(s.login('a', 0));
    ok(s.enqueue({ callId: 'k', queueId: 'q', now: 0 }));
    expect(s.dispatch(0).offers.length).toBe(qualifies ? 1 : 0);
  });

  it('picks the qualified agent even when an unqualified one has been idle longer', () => {
    const { s } = build(
      [queue('q', ['low', 'high', 'other'], { stages: [{ afterMs: 0, need: { en: 3 } }] })],
      [agent('low', { skills: { en: 2 } }), agent('high', { skills: { en: 4 } }), agent('other', { skills: { fr: 5 } })],
    );
    ok(s.login('low', 0));
    ok(s.login('other', 0));
    ok(s.login('high', 100));
    ok(s.enqueue({ callId: 'k', queueId: 'q', now: 200 }));
    expect(pairs(s.dispatch(200))).toEqual(['k>high']);
  });

  it('relaxes the requirement in steps as the caller waits', () => {
    const stages: SkillStage[] = [
      { afterMs: 0, need: { en: 4 } },
      { afterMs: 60_000, need: { en: 2 } },
      { afterMs: 120_000, need: {} },
    ];
    const { s } = build(
      [queue('q', ['novice', 'none'], { stages })],
      [agent('novice', { skills: { en: 2 } }), agent('none', { skills: { de: 5 } })],
    );
    ok(s.login('novice', 0));
    ok(s.enqueue({ callId: 'k1', queueId: 'q', now: 0 }));
    ok(s.enqueue({ callId: 'k2', queueId: 'q', now: 10_000 }));
    expect(s.dispatch(0).offers).toEqual([]);
    expect(s.nextDeadline()).toBe(60_000);
    expect(s.dispatch(59_999).offers).toEqual([]);
    expect(pairs(s.dispatch(60_000))).toEqual(['k1>novice']);
    ok(s.offerAnswered('k1', 'novice', 60_001));
    // k2 is at stage 1 from 70 s, but the only en:2 agent is busy; 'none' qualifies at 130 s.
    ok(s.login('none', 70_000));
    expect(s.dispatch(70_000).offers).toEqual([]);
    expect(s.nextDeadline()).toBe(130_000);
    expect(pairs(s.dispatch(130_000))).toEqual(['k2>none']);
  });

  it('a free agent takes an older caller who has relaxed over a newer caller it does not qualify for', () => {
    const stages = [
      { afterMs: 0, need: { en: 4 } },
      { afterMs: 60_000, need: { en: 2 } },
    ];
    const { s } = build([queue('q', ['a'], { stages })], [agent('a', { skills: { en: 2 } })]);
    ok(s.enqueue({ callId: 'old', queueId: 'q', now: 0 }));
    ok(s.enqueue({ callId: 'new', queueId: 'q', priority: 5, now: 65_000 })); // ahead in line, still strict
    ok(s.login('a', 70_000));
    expect(pairs(s.dispatch(70_000))).toEqual(['old>a']);
  });

  it('cross-queue: an agent takes a later caller from a queue it qualifies for over an earlier one it does not', () => {
    const { s } = build(
      [queue('expert', ['a'], { stages: [{ afterMs: 0, need: { en: 5 } }] }), queue('general', ['a'])],
      [agent('a', { skills: { en: 3 } })],
    );
    ok(s.enqueue({ callId: 'expert-1', queueId: 'expert', now: 0 }));
    ok(s.enqueue({ callId: 'general-1', queueId: 'general', now: 10 }));
    ok(s.login('a', 20));
    expect(pairs(s.dispatch(20))).toEqual(['general-1>a']);
  });
});
