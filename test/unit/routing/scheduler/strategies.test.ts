import { describe, expect, it } from 'vitest';
import type { QueueStrategy } from '../../../../src/routing/scheduler/types.js';
import { agent, build, loginAll, ok, pairs, queue, serve } from './helpers.js';

describe('longest-idle (default)', () => {
  it('offers the agents in the order they became available, across four agents', () => {
    const { s } = build([queue('q', ['a', 'b', 'c', 'd'])], ['a', 'b', 'c', 'd'].map((id) => agent(id)));
    ok(s.login('c', 0));
    ok(s.login('a', 10));
    ok(s.login('d', 20));
    ok(s.login('b', 30));
    for (const id of ['c1', 'c2', 'c3', 'c4']) ok(s.enqueue({ callId: id, queueId: 'q', now: 100 }));
    const first = s.dispatch(100);
    expect(pairs(first)).toEqual(['c1>c', 'c2>a', 'c3>d', 'c4>b']);

    serve(s, first, 110);
    // Calls end in a new order; idle time now counts from each call's end.
    for (const [callId, at] of [['c4', 200], ['c3', 210], ['c2', 220], ['c1', 230]] as const) ok(s.callEnded(callId, at));
    for (const id of ['x1', 'x2', 'x3', 'x4']) ok(s.enqueue({ callId: id, queueId: 'q', now: 300 }));
    expect(pairs(s.dispatch(300))).toEqual(['x1>b', 'x2>d', 'x3>a', 'x4>c']);
  });

  it('counts idle time from the end of wrap-up, not from the end of the call', () => {
    const { s } = build([queue('q', ['slow', 'fast'])], [agent('slow', { wrapUpMs: 50 }), agent('fast')]);
    loginAll(s, ['slow', 'fast'], 0);
    ok(s.enqueue({ callId: 'c1', queueId: 'q', now: 0 }));
    ok(s.enqueue({ callId: 'c2', queueId: 'q', now: 0 }));
    serve(s, s.dispatch(0), 1);
    ok(s.callEnded('c1', 10)); // slow: wrap-up until 60
    ok(s.callEnded('c2', 40)); // fast: idle since 40
    expect(s.dispatch(70).offers).toEqual([]); // slow's wrap-up elapsed at 60
    ok(s.enqueue({ callId: 'c3', queueId: 'q', now: 70 }));
    expect(pairs(s.dispatch(70))).toEqual(['c3>fast']);
  });
});

describe('strategies pick different agents from the same history', () => {
  // Members a, b, c log in at 0 (equal idle time: member order breaks ties). Three calls
  // go out at once (a, b, c) and end in reverse order: c at 10, b at 20, a at 30. Then
  // x1 arrives at 40 and is answered and ended at 45; x2 arrives at 50.
  const cases: [QueueStrategy, string, string][] = [
    ['longest-idle', 'x1>c', 'x2>b'], // idle since: c 10, b 20, a 30; then c 45
    ['fewest-calls', 'x1>c', 'x2>b'], // all answered 1, then idle time; c has 2 at x2
    ['round-robin', 'x1>a', 'x2>b'], // least recently offered in this queue
    ['linear', 'x1>a', 'x2>a'], // always the first free member
    ['ring-all', 'x1>a,b,c', 'x2>a,b,c'],
  ];

  it.each(cases)('%s', (strategy, firstOffer, secondOffer) => {
    const { s } = build([queue('q', ['a', 'b', 'c'], { strategy })], ['a', 'b', 'c'].map((id) => agent(id)));
    loginAll(s, ['a', 'b', 'c'], 0);
    if (strategy === 'ring-all') {
      // Ring-all rings everyone for each call; give the history one call per agent by hand.
      for (const id of ['c1', 'c2', 'c3']) {
        ok(s.enqueue({ callId: id, queueId: 'q', now: 0 }));
      }
      expect(pairs(s.dispatch(0))).toEqual(['c1>a,b,c']);
      ok(s.offerAnswered('c1', 'a', 1));
      expect(pairs(s.dispatch(1))).toEqual(['c2>b,c']);
      ok(s.offerAnswered('c2', 'b', 1));
      expect(pairs(s.dispatch(1))).toEqual(['c3>c']);
      ok(s.offerAnswered('c3', 'c', 1));
    } else {
      for (const id of ['c1', 'c2', 'c3']) ok(s.enqueue({ callId: id, queueId: 'q', now: 0 }));
      const history = s.dispatch(0);
      expect(pairs(history)).toEqual(['c1>a', 'c2>b', 'c3>c']);
      serve(s, history, 1);
    }
    ok(s.callEnded('c3', 10));
    ok(s.callEnded('c2', 20));
    ok(s.callEnded('c1', 30));

    ok(s.enqueue({ callId: 'x1', queueId: 'q', now: 40 }));
    const x1 = s.dispatch(40);
    expect(pairs(x1)).toEqual([firstOffer]);
    const x1Agent = (x1.offers[0]?.agentIds[0]) as string;
    ok(s.offerAnswered('x1', x1Agent, 41));
    ok(s.callEnded('x1', 45));

    ok(s.enqueue({ callId: 'x2', queueId: 'q', now: 50 }));
    expect(pairs(s.dispatch(50))).toEqual([secondOffer]);
  });
});

describe('fewest-calls', () => {
  it('counts answered calls since login: an agent who logs in again catches up first', () => {
    const { s } = build([queue('q', ['a', 'b', 'c'], { strategy: 'fewest-calls' })], ['a', 'b', 'c'].map((id) => agent(id)));
    loginAll(s, ['a', 'b', 'c'], 0);
    const served: string[] = [];
    let t = 1;
    const oneCall = (): void => {
      const id = `k${t}`;
      ok(s.enqueue({ callId: id, queueId: 'q', now: t }));
      const r = s.dispatch(t);
      const who = r.offers[0]?.agentIds[0] as string;
      served.push(who);
      ok(s.offerAnswered(id, who, t));
      ok(s.callEnded(id, t + 1));
      t += 10;
    };
    for (let i = 0; i < 6; i++) oneCall();
    expect(served).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);

    ok(s.logout('b', t));
    ok(s.login('b', t + 1));
    t += 10;
    served.length = 0;
    for (let i = 0; i < 3; i++) oneCall();
    // b has 0 then 1 answered while a and c have 2; at 2 each, a has been idle longest.
    expect(served).toEqual(['b', 'b', 'a']);
  });
});

describe('round-robin', () => {
  it('keeps its rotation per queue and skips busy agents', () => {
    const { s } = build(
      [queue('q', ['a', 'b', 'c'], { strategy: 'round-robin' }), queue('other', ['a'])],
      ['a', 'b', 'c'].map((id) => agent(id)),
    );
    loginAll(s, ['a', 'b', 'c'], 0);
    ok(s.enqueue({ callId: 'c1', queueId: 'q', now: 1 }));
    expect(pairs(s.dispatch(1))).toEqual(['c1>a']);
    ok(s.offerAnswered('c1', 'a', 2));
    ok(s.callEnded('c1', 3));
    // A call from another queue does not move q's rotation.
    ok(s.enqueue({ callId: 'o1', queueId: 'other', now: 4 }));
    expect(pairs(s.dispatch(4))).toEqual(['o1>a']);
    ok(s.offerAnswered('o1', 'a', 5));
    ok(s.enqueue({ callId: 'c2', queueId: 'q', now: 6 }));
    expect(pairs(s.dispatch(6))).toEqual(['c2>b']);
    ok(s.offerAnswered('c2', 'b', 7));
    ok(s.enqueue({ callId: 'c3', queueId: 'q', now: 8 }));
    expect(pairs(s.dispatch(8))).toEqual(['c3>c']);
    ok(s.offerAnswered('c3', 'c', 9));
    ok(s.callEnded('o1', 10));
    ok(s.callEnded('c2', 10));
    ok(s.enqueue({ callId: 'c4', queueId: 'q', now: 11 }));
    expect(pairs(s.dispatch(11))).toEqual(['c4>a']);
  });
});

describe('ring-all', () => {
  it('rings every qualified free agent and cancels the others on answer', () => {
    const { s, events } = build(
      [queue('q', ['a', 'b', 'c', 'busy'], { strategy: 'ring-all', stages: [{ afterMs: 0, need: { en: 2 } }] })],
      [agent('a', { skills: { en: 3 } }), agent('b', { skills: { en: 1 } }), agent('c', { skills: { en: 2 } }), agent('busy', { skills: { en: 5 } })],
    );
    loginAll(s, ['a', 'b', 'c', 'busy'], 0);
    ok(s.pause('busy', 'meeting', 0));
    ok(s.enqueue({ callId: 'c1', queueId: 'q', now: 1 }));
    expect(pairs(s.dispatch(1))).toEqual(['c1>a,c']);
    const answered = s.offerAnswered('c1', 'c', 2);
    expect(answered).toEqual({ ok: true, withdrawnAgentIds: ['a'] });
    expect(s.agentStatus('a')).toMatchObject({ agent: { state: 'available', missedInARow: 0 } });
    expect(events.filter((e) => e.type === 'offer-withdrawn')).toEqual([
      { type: 'offer-withdrawn', at: 2, callId: 'c1', queueId: 'q', agentId: 'a' },
    ]);
  });

  it('puts the call back in line only when every ringing agent missed', () => {
    const { s } = build([queue('q', ['a', 'b'], { strategy: 'ring-all' })], [agent('a'), agent('b')]);
    loginAll(s, ['a', 'b'], 0);
    ok(s.enqueue({ callId: 'c1', queueId: 'q', now: 1 }));
    expect(pairs(s.dispatch(1))).toEqual(['c1>a,b']);
    ok(s.offerMissed('c1', 'a', 20));
    expect(s.position('c1')).toMatchObject({ state: 'offered' });
    expect(s.dispatch(20).offers).toEqual([]); // b still rings; a is free but the call is not waiting
    ok(s.offerMissed('c1', 'b', 21));
    expect(s.position('c1')).toMatchObject({ state: 'waiting', position: 1 });
    expect(pairs(s.dispatch(21))).toEqual(['c1>a,b']);
  });
});

describe('linear', () => {
  it('always offers the first free member in list order', () => {
    const { s } = build([queue('q', ['c', 'a', 'b'], { strategy: 'linear' })], ['a', 'b', 'c'].map((id) => agent(id)));
    ok(s.login('a', 0));
    ok(s.login('b', 0));
    ok(s.enqueue({ callId: 'k1', queueId: 'q', now: 1 }));
    expect(pairs(s.dispatch(1))).toEqual(['k1>a']);
    ok(s.login('c', 2));
    ok(s.enqueue({ callId: 'k2', queueId: 'q', now: 3 }));
    expect(pairs(s.dispatch(3))).toEqual(['k2>c']);
  });
});
