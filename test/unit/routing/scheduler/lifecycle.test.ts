import { describe, expect, it } from 'vitest';
import type { SchedulerEvent } from '../../../../src/routing/scheduler/events.js';
import { QueueScheduler } from '../../../../src/routing/scheduler/scheduler.js';
import { agent, build, loginAll, ok, pairs, queue } from './helpers.js';

function stateOf(s: QueueScheduler, id: string): string | undefined {
  const r = s.agentStatus(id);
  return r.ok ? r.agent.state : undefined;
}

function positions(s: QueueScheduler, ids: readonly string[]): (number | false)[] {
  return ids.map((id) => {
    const p = s.position(id);
    return p.ok && p.position;
  });
}

describe('missed offers', () => {
  it('put the call back at its original place in line and offer it to the next agent', () => {
    const { s } = build([queue('q', ['a', 'b'])], [agent('a'), agent('b')]);
    ok(s.login('a', 0));
    for (const [id, at] of [['c1', 10], ['c2', 20], ['c3', 30]] as const) ok(s.enqueue({ callId: id, queueId: 'q', now: at }));
    expect(pairs(s.dispatch(30))).toEqual(['c1>a']);
    expect(positions(s, ['c2', 'c3'])).toEqual([1, 2]);
    ok(s.offerMissed('c1', 'a', 50));
    expect(positions(s, ['c1', 'c2', 'c3'])).toEqual([1, 2, 3]);
    ok(s.login('b', 60)); // b idles for less time than a, but a just missed
    expect(pairs(s.dispatch(60))).toEqual(['c1>b', 'c2>a']);
  });

  it('rings the same agent again when nobody else can take the call', () => {
    const { s } = build([queue('q', ['a'])], [agent('a')]);
    ok(s.login('a', 0));
    ok(s.enqueue({ callId: 'c1', queueId: 'q', now: 0 }));
    expect(pairs(s.dispatch(0))).toEqual(['c1>a']);
    ok(s.offerMissed('c1', 'a', 15_000));
    expect(pairs(s.dispatch(15_000))).toEqual(['c1>a']);
  });

  it('auto-pause the agent after maxMissedOffers consecutive misses; answering resets the streak', () => {
    const { s, events } = build([queue('q', ['a'])], [agent('a', { maxMissedOffers: 2 })]);
    ok(s.login('a', 0));
    ok(s.enqueue({ callId: 'c1', queueId: 'q', now: 0 }));
    s.dispatch(0);
    ok(s.offerMissed('c1', 'a', 1)); // streak 1
    s.dispatch(1);
    ok(s.offerAnswered('c1', 'a', 2)); // streak 0
    ok(s.callEnded('c1', 3));
    ok(s.enqueue({ callId: 'c2', queueId: 'q', now: 4 }));
    s.dispatch(4);
    ok(s.offerMissed('c2', 'a', 5)); // streak 1
    expect(stateOf(s, 'a')).toBe('available');
    s.dispatch(5);
    ok(s.offerMissed('c2', 'a', 6)); // streak 2: paused
    expect(s.agentStatus('a')).toMatchObject({ agent: { state: 'paused', pauseReason: 'missed-offers', missedInARow: 2 } });
    expect(s.dispatch(7).offers).toEqual([]);
    expect(events.filter((e) => e.type === 'agent-state').at(-1)).toEqual({
      type: 'agent-state',
      at: 6,
      agentId: 'a',
      from: 'offered',
      to: 'paused',
      pauseReason: 'missed-offers',
    });
    ok(s.unpause('a', 8));
    expect(s.agentStatus('a')).toMatchObject({ agent: { state: 'available', missedInARow: 0 } });
    expect(pairs(s.dispatch(8))).toEqual(['c2>a']);
  });

  it('a cancelled offer counts no miss and keeps the agent first in line', () => {
    const { s } = build([queue('q', ['a', 'b'])], [agent('a', { maxMissedOffers: 1 }), agent('b')]);
    ok(s.login('a', 0));
    ok(s.login('b', 5));
    ok(s.enqueue({ callId: 'c1', queueId: 'q', now: 10 }));
    expect(pairs(s.dispatch(10))).toEqual(['c1>a']);
    ok(s.offerCancelled('c1', 'a', 12));
    expect(s.agentStatus('a')).toMatchObject({ agent: { state: 'available', missedInARow: 0, idleSince: 0 } });
    expect(pairs(s.dispatch(12))).toEqual(['c1>a']);
  });
});

describe('wrap-up', () => {
  it('keeps the agent out of dispatch for wrapUpMs after the call, then makes it available', () => {
    const { s, events } = build([queue('q', ['a'])], [agent('a', { wrapUpMs: 30_000 })]);
    ok(s.login('a', 0));
    ok(s.enqueue({ callId: 'c1', queueId: 'q', now: 0 }));
    s.dispatch(0);
    ok(s.offerAnswered('c1', 'a', 5));
    ok(s.callEnded('c1', 100));
    expect(s.agentStatus('a')).toMatchObject({ agent: { state: 'wrap-up', wrapUpUntil: 30_100 } });
    ok(s.enqueue({ callId: 'c2', queueId: 'q', now: 200 }));
    expect(s.dispatch(200).offers).toEqual([]);
    expect(s.nextDeadline()).toBe(30_100);
    expect(s.dispatch(30_099).offers).toEqual([]);
    expect(pairs(s.dispatch(30_100))).toEqual(['c2>a']);
    const states = events.filter((e): e is Extract<SchedulerEvent, { type: 'agent-state' }> => e.type === 'agent-state');
    expect(states.map((e) => `${e.from}>${e.to}@${e.at}`)).toEqual([
      'logged-out>available@0',
      'available>offered@0',
      'offered>on-call@5',
      'on-call>wrap-up@100',
      'wrap-up>available@30100',
      'available>offered@30100',
    ]);
  });

  it('a pause during wrap-up takes effect when wrap-up ends', () => {
    const { s } = build([queue('q', ['a'])], [agent('a', { wrapUpMs: 1_000 })]);
    ok(s.login('a', 0));
    ok(s.enqueue({ callId: 'c1', queueId: 'q', now: 0 }));
    s.dispatch(0);
    ok(s.offerAnswered('c1', 'a', 0));
    ok(s.callEnded('c1', 10));
    ok(s.pause('a', 'break', 20));
    expect(s.agentStatus('a')).toMatchObject({ agent: { state: 'wrap-up', pauseReason: 'break' } });
    s.dispatch(1_010);
    expect(stateOf(s, 'a')).toBe('paused');
  });
});

describe('maxCalls > 1', () => {
  it('offers an agent on a call another call while below maxCalls, one ring at a time', () => {
    const { s } = build([queue('chat', ['a'])], [agent('a', { maxCalls: 2 })]);
    ok(s.login('a', 0));
    for (const id of ['c1', 'c2', 'c3']) ok(s.enqueue({ callId: id, queueId: 'chat', now: 1 }));
    expect(pairs(s.dispatch(1))).toEqual(['c1>a']); // ringing: no second ring at once
    ok(s.offerAnswered('c1', 'a', 2));
    expect(pairs(s.dispatch(2))).toEqual(['c2>a']);
    ok(s.offerAnswered('c2', 'a', 3));
    expect(s.dispatch(3).offers).toEqual([]);
    expect(s.agentStatus('a')).toMatchObject({ agent: { state: 'on-call', activeCalls: 2 } });
    ok(s.callEnded('c1', 4));
    expect(pairs(s.dispatch(4))).toEqual(['c3>a']);
  });

  it('wrap-up after one of two calls blocks new offers until it ends', () => {
    const { s } = build([queue('chat', ['a'])], [agent('a', { maxCalls: 2, wrapUpMs: 100 })]);
    ok(s.login('a', 0));
    for (const id of ['c1', 'c2', 'c3']) ok(s.enqueue({ callId: id, queueId: 'chat', now: 0 }));
    s.dispatch(0);
    ok(s.offerAnswered('c1', 'a', 1));
    s.dispatch(1);
    ok(s.offerAnswered('c2', 'a', 2));
    ok(s.callEnded('c1', 10));
    expect(stateOf(s, 'a')).toBe('on-call');
    expect(s.dispatch(50).offers).toEqual([]);
    expect(pairs(s.dispatch(110))).toEqual(['c3>a']);
  });
});

describe('abandon', () => {
  it('removes a waiting caller; the callers behind move up', () => {
    const { s, events } = build([queue('q', ['a'])], [agent('a')]);
    for (const id of ['c1', 'c2', 'c3']) ok(s.enqueue({ callId: id, queueId: 'q', now: 0 }));
    expect(s.abandon('c2', 30_000)).toEqual({ ok: true, withdrawnAgentIds: [] });
    expect(positions(s, ['c1', 'c3'])).toEqual([1, 2]);
    expect(s.position('c2')).toMatchObject({ ok: false, error: 'not-found' });
    expect(events.at(-1)).toEqual({ type: 'call-abandoned', at: 30_000, callId: 'c2', queueId: 'q', waitedMs: 30_000 });
    ok(s.login('a', 30_001));
    expect(pairs(s.dispatch(30_001))).toEqual(['c1>a']);
  });

  it('while ringing: returns the agent legs to cancel; the agent is free with its idle time kept', () => {
    const { s } = build([queue('q', ['a', 'b'])], [agent('a'), agent('b')]);
    ok(s.login('a', 0));
    ok(s.login('b', 10));
    ok(s.enqueue({ callId: 'c1', queueId: 'q', now: 20 }));
    expect(pairs(s.dispatch(20))).toEqual(['c1>a']);
    expect(s.abandon('c1', 25)).toEqual({ ok: true, withdrawnAgentIds: ['a'] });
    expect(s.agentStatus('a')).toMatchObject({ agent: { state: 'available', missedInARow: 0, idleSince: 0 } });
    expect(s.queueStatus('q', 25)).toMatchObject({ queue: { size: 0, waiting: 0, offered: 0 } });
    ok(s.enqueue({ callId: 'c2', queueId: 'q', now: 30 }));
    expect(pairs(s.dispatch(30))).toEqual(['c2>a']);
  });
});

describe('overflow', () => {
  it('by the host (offer retries used up): the waiting call leaves with reason max-offers; a ringing one cannot', () => {
    const { s, events } = build([queue('q', ['a'])], [agent('a')]);
    for (const id of ['c1', 'c2']) ok(s.enqueue({ callId: id, queueId: 'q', now: 0 }));
    expect(s.overflow('c1', 5_000)).toEqual({ ok: true });
    expect(events.at(-1)).toEqual({ type: 'call-overflowed', at: 5_000, callId: 'c1', queueId: 'q', reason: 'max-offers', waitedMs: 5_000 });
    expect(positions(s, ['c2'])).toEqual([1]);
    expect(s.overflow('c1', 5_001)).toMatchObject({ ok: false, error: 'not-found' });
    ok(s.login('a', 5_002));
    expect(pairs(s.dispatch(5_002))).toEqual(['c2>a']);
    expect(s.overflow('c2', 5_003)).toMatchObject({ ok: false, error: 'illegal-transition' });
  });

  it('max size: the call is not queued; calls being offered still count', () => {
    const { s, events } = build([queue('q', ['a'], { maxSize: 2 })], [agent('a')]);
    ok(s.login('a', 0));
    expect(s.enqueue({ callId: 'c1', queueId: 'q', now: 0 })).toEqual({ ok: true, status: 'queued' });
    s.dispatch(0); // c1 rings a, still in the queue
    expect(s.enqueue({ callId: 'c2', queueId: 'q', now: 1 })).toEqual({ ok: true, status: 'queued' });
    expect(s.enqueue({ callId: 'c3', queueId: 'q', now: 2 })).toEqual({ ok: true, status: 'overflow', reason: 'max-size' });
    expect(events.at(-1)).toEqual({ type: 'call-overflowed', at: 2, callId: 'c3', queueId: 'q', reason: 'max-size', waitedMs: 0 });
    expect(s.position('c3')).toMatchObject({ ok: false });
    ok(s.offerAnswered('c1', 'a', 3));
    expect(s.enqueue({ callId: 'c3', queueId: 'q', now: 4 })).toEqual({ ok: true, status: 'queued' });
  });

  it('max wait: dispatch returns the call, in order of expiry, and nextDeadline announces it', () => {
    const { s } = build(
      [queue('q', ['a'], { maxWaitMs: 60_000 }), queue('r', ['a'], { maxWaitMs: 30_000 })],
      [agent('a')],
    );
    ok(s.enqueue({ callId: 'q1', queueId: 'q', now: 0 }));
    ok(s.enqueue({ callId: 'r1', queueId: 'r', now: 10_000 }));
    s.dispatch(10_000);
    expect(s.nextDeadline()).toBe(40_000);
    expect(s.dispatch(39_999).overflows).toEqual([]);
    expect(s.dispatch(70_000).overflows).toEqual([
      { callId: 'r1', queueId: 'r', reason: 'max-wait', waitedMs: 70_000 - 10_000 },
      { callId: 'q1', queueId: 'q', reason: 'max-wait', waitedMs: 70_000 },
    ]);
    expect(s.position('q1')).toMatchObject({ ok: false, error: 'not-found' });
    expect(s.nextDeadline()).toBeUndefined();
  });

  it('max wait does not cut a ring short; a missed call that is past its max wait overflows next', () => {
    const { s } = build([queue('q', ['a'], { maxWaitMs: 20_000 })], [agent('a')]);
    ok(s.login('a', 0));
    ok(s.enqueue({ callId: 'c1', queueId: 'q', now: 5_000 }));
    expect(pairs(s.dispatch(5_000))).toEqual(['c1>a']);
    expect(s.dispatch(30_000).overflows).toEqual([]);
    ok(s.offerMissed('c1', 'a', 30_000));
    expect(s.nextDeadline()).toBe(30_000);
    expect(s.dispatch(30_000)).toEqual({ offers: [], overflows: [{ callId: 'c1', queueId: 'q', reason: 'max-wait', waitedMs: 25_000 }] });
  });
});

describe('position and estimated wait', () => {
  it('estimates position × average handle time ÷ staffed capacity', () => {
    const { s } = build(
      [queue('q', ['a', 'b', 'unqualified'], { stages: [{ afterMs: 0, need: { en: 1 } }] })],
      [agent('a', { skills: { en: 1 }, wrapUpMs: 20_000 }), agent('b', { skills: { en: 1 }, wrapUpMs: 20_000 }), agent('unqualified')],
    );
    loginAll(s, ['a', 'b', 'unqualified'], 0);
    ok(s.enqueue({ callId: 'h1', queueId: 'q', now: 0 }));
    ok(s.enqueue({ callId: 'h2', queueId: 'q', now: 0 }));
    for (const id of ['w1', 'w2', 'w3']) ok(s.enqueue({ callId: id, queueId: 'q', now: 0 }));
    expect(s.position('w1')).toEqual({ ok: true, queueId: 'q', state: 'waiting', position: 3, estimatedWaitMs: undefined });
    s.dispatch(0); // h1 > a, h2 > b
    expect(s.position('h1')).toEqual({ ok: true, queueId: 'q', state: 'offered', position: 0, estimatedWaitMs: 0 });
    ok(s.offerAnswered('h1', 'a', 0));
    ok(s.offerAnswered('h2', 'b', 0));
    ok(s.callEnded('h1', 100_000)); // handle 100 s talk + 20 s wrap-up = 120 s
    ok(s.callEnded('h2', 200_000)); // handle 220 s: average 120 + 0.2 × (220 − 120) = 140 s
    // Capacity 2: a and b (the unqualified member does not count).
    expect(s.position('w3')).toEqual({ ok: true, queueId: 'q', state: 'waiting', position: 3, estimatedWaitMs: (3 * 140_000) / 2 });
    ok(s.pause('b', 'lunch', 200_001));
    expect(s.position('w1')).toMatchObject({ position: 1, estimatedWaitMs: 140_000 });
    ok(s.logout('a', 200_002));
    expect(s.position('w1')).toMatchObject({ estimatedWaitMs: undefined });
  });

  it('reports a connected call as not in a queue', () => {
    const { s } = build([queue('q', ['a'])], [agent('a')]);
    ok(s.login('a', 0));
    ok(s.enqueue({ callId: 'c1', queueId: 'q', now: 0 }));
    s.dispatch(0);
    ok(s.offerAnswered('c1', 'a', 1));
    expect(s.position('c1')).toMatchObject({ ok: false, error: 'not-found', message: 'call "c1" is connected to an agent, not in a queue' });
  });
});

describe('events', () => {
  it('reports each change once, in order, with the operation time', () => {
    const { s, events } = build([queue('q', ['a'])], [agent('a', { wrapUpMs: 10 })]);
    ok(s.enqueue({ callId: 'c1', queueId: 'q', priority: 3, now: 100 }));
    ok(s.login('a', 110));
    s.dispatch(110);
    ok(s.offerMissed('c1', 'a', 120));
    s.dispatch(121);
    ok(s.offerAnswered('c1', 'a', 130));
    ok(s.callEnded('c1', 190));
    s.dispatch(200);
    expect(events).toEqual([
      { type: 'call-entered', at: 100, callId: 'c1', queueId: 'q', priority: 3 },
      { type: 'agent-state', at: 110, agentId: 'a', from: 'logged-out', to: 'available', pauseReason: undefined },
      { type: 'call-offered', at: 110, callId: 'c1', queueId: 'q', agentIds: ['a'] },
      { type: 'agent-state', at: 110, agentId: 'a', from: 'available', to: 'offered', pauseReason: undefined },
      { type: 'offer-missed', at: 120, callId: 'c1', queueId: 'q', agentId: 'a', missedInARow: 1 },
      { type: 'agent-state', at: 120, agentId: 'a', from: 'offered', to: 'available', pauseReason: undefined },
      { type: 'call-offered', at: 121, callId: 'c1', queueId: 'q', agentIds: ['a'] },
      { type: 'agent-state', at: 121, agentId: 'a', from: 'available', to: 'offered', pauseReason: undefined },
      { type: 'call-answered', at: 130, callId: 'c1', queueId: 'q', agentId: 'a', waitedMs: 30 },
      { type: 'agent-state', at: 130, agentId: 'a', from: 'offered', to: 'on-call', pauseReason: undefined },
      { type: 'call-completed', at: 190, callId: 'c1', queueId: 'q', agentId: 'a', talkMs: 60 },
      { type: 'agent-state', at: 190, agentId: 'a', from: 'on-call', to: 'wrap-up', pauseReason: undefined },
      { type: 'agent-state', at: 200, agentId: 'a', from: 'wrap-up', to: 'available', pauseReason: undefined },
    ]);
  });

  it('delivers after the operation completes, so a listener can read the scheduler', () => {
    const seen: string[] = [];
    const s: QueueScheduler = new QueueScheduler(
      { queues: [queue('q', ['a'])], agents: [agent('a')] },
      {
        onEvent: (e) => {
          if (e.type !== 'call-entered') return;
          const p = s.position(e.callId);
          seen.push(`${e.callId}:${p.ok ? p.position : 'none'}`);
        },
      },
    );
    ok(s.enqueue({ callId: 'c1', queueId: 'q', now: 0 }));
    ok(s.enqueue({ callId: 'c2', queueId: 'q', now: 0 }));
    expect(seen).toEqual(['c1:1', 'c2:2']);
  });
});

describe('time', () => {
  it('holds a clock that steps back at the last instant instead of reordering', () => {
    const { s, events } = build([queue('q', ['a'])], [agent('a')]);
    ok(s.enqueue({ callId: 'c1', queueId: 'q', now: 1_000 }));
    ok(s.enqueue({ callId: 'c2', queueId: 'q', now: 900 }));
    expect(events.map((e) => e.at)).toEqual([1_000, 1_000]);
    expect(positions(s, ['c1', 'c2'])).toEqual([1, 2]);
  });

  it('nextDeadline is now while work is pending, the earliest deadline after dispatch, undefined when idle', () => {
    const { s } = build([queue('q', ['a'], { maxWaitMs: 5_000, stages: [{ afterMs: 0, need: { x: 2 } }, { afterMs: 3_000, need: {} }] })], [agent('a')]);
    expect(s.nextDeadline()).toBeUndefined();
    ok(s.enqueue({ callId: 'c1', queueId: 'q', now: 100 }));
    expect(s.nextDeadline()).toBe(100);
    s.dispatch(100);
    expect(s.nextDeadline()).toBe(3_100);
    s.dispatch(3_100);
    expect(s.nextDeadline()).toBe(5_100);
  });
});

describe('snapshots', () => {
  it('lists queue sizes, oldest wait and members by state', () => {
    const { s } = build(
      [queue('q', ['a', 'b', 'c', 'd']), queue('r', ['d'])],
      ['a', 'b', 'c', 'd'].map((id) => agent(id, { wrapUpMs: 1_000 })),
    );
    loginAll(s, ['a', 'b', 'c'], 0);
    ok(s.pause('c', 'training', 0));
    for (const [id, at] of [['c1', 10], ['c2', 20], ['c3', 30]] as const) ok(s.enqueue({ callId: id, queueId: 'q', now: at }));
    s.dispatch(30); // c1 > a, c2 > b
    ok(s.offerAnswered('c1', 'a', 40));
    const snap = s.snapshot(100);
    expect(snap.at).toBe(100);
    expect(snap.queues[0]).toEqual({
      id: 'q',
      strategy: 'longest-idle',
      size: 2,
      waiting: 1,
      offered: 1,
      oldestWaitMs: 80,
      averageHandleMs: undefined,
      staffedCapacity: 2,
      estimatedWaitMs: undefined,
      agents: { 'logged-out': 1, available: 0, offered: 1, 'on-call': 1, 'wrap-up': 0, paused: 1 },
    });
    expect(snap.queues[1]).toMatchObject({ id: 'r', size: 0, oldestWaitMs: undefined });
    expect(snap.agents.map((a) => `${a.id}:${a.state}`)).toEqual(['a:on-call', 'b:offered', 'c:paused', 'd:logged-out']);
  });
});
