import { describe, expect, it } from 'vitest';
import { QueueScheduler } from '../../../../src/routing/scheduler/scheduler.js';
import type { AgentSpec, QueueSpec } from '../../../../src/routing/scheduler/types.js';
import { isSwitchboardError } from '../../../../src/util/errors.js';
import { agent, build, ok, queue } from './helpers.js';

/**
 * A scheduler with: 'idle' logged in and free, 'ringing' being offered c-ringing,
 * 'talking' on c-talking, 'paused' paused, 'out' logged out, and c-waiting in line.
 */
function world(): QueueScheduler {
  const { s } = build(
    [queue('q', ['ringing', 'talking']), queue('idle-q', ['idle', 'paused', 'out']), queue('nobody', [])],
    ['idle', 'ringing', 'talking', 'paused', 'out'].map((id) => agent(id)),
  );
  ok(s.login('talking', 0));
  ok(s.enqueue({ callId: 'c-talking', queueId: 'q', now: 0 }));
  s.dispatch(0);
  ok(s.offerAnswered('c-talking', 'talking', 1));
  ok(s.login('ringing', 2));
  ok(s.enqueue({ callId: 'c-ringing', queueId: 'q', now: 2 }));
  s.dispatch(2);
  ok(s.login('idle', 3));
  ok(s.login('paused', 3));
  ok(s.pause('paused', 'lunch', 3));
  ok(s.enqueue({ callId: 'c-waiting', queueId: 'nobody', now: 4 }));
  s.dispatch(4);
  return s;
}

type Op = (s: QueueScheduler) => { ok: boolean; error?: string; entity?: string; message?: string };

describe('illegal transitions (409)', () => {
  const cases: [string, Op, RegExp][] = [
    ['login twice', (s) => s.login('idle', 10), /already logged in/],
    ['logout when logged out', (s) => s.logout('out', 10), /not logged in/],
    ['logout while ringing', (s) => s.logout('ringing', 10), /while offered: resolve the ring first/],
    ['logout while on a call', (s) => s.logout('talking', 10), /while on-call: end the calls first/],
    ['pause when logged out', (s) => s.pause('out', 'x', 10), /logged out/],
    ['pause twice', (s) => s.pause('paused', 'again', 10), /already paused \(lunch\)/],
    ['unpause when not paused', (s) => s.unpause('idle', 10), /not paused/],
    ['answer by an agent the call is not ringing', (s) => s.offerAnswered('c-ringing', 'idle', 10), /not ringing agent "idle"/],
    ['answer a waiting call', (s) => s.offerAnswered('c-waiting', 'idle', 10), /not ringing/],
    ['answer a connected call', (s) => s.offerAnswered('c-talking', 'talking', 10), /already connected/],
    ['miss by the wrong agent', (s) => s.offerMissed('c-ringing', 'talking', 10), /not ringing agent "talking"/],
    ['cancel a waiting call', (s) => s.offerCancelled('c-waiting', 'idle', 10), /not ringing/],
    ['end a waiting call', (s) => s.callEnded('c-waiting', 10), /is waiting, not connected/],
    ['end a ringing call', (s) => s.callEnded('c-ringing', 10), /is offered, not connected/],
    ['abandon a connected call', (s) => s.abandon('c-talking', 10), /connected to an agent; end it with callEnded/],
    ['enqueue a known call id', (s) => s.enqueue({ callId: 'c-waiting', queueId: 'q', now: 10 }), /already known/],
    ['enqueue a connected call id', (s) => s.enqueue({ callId: 'c-talking', queueId: 'q', now: 10 }), /already known/],
  ];

  it.each(cases)('%s', (_label, op, message) => {
    const s = world();
    const before = s.snapshot(10);
    const r = op(s);
    expect(r).toMatchObject({ ok: false, error: 'illegal-transition' });
    expect(r.message).toMatch(message);
    expect(s.snapshot(10)).toEqual(before); // refused operations change nothing
  });
});

describe('unknown ids (404)', () => {
  const cases: [string, Op, string, string][] = [
    ['login', (s) => s.login('ghost', 10), 'agent', 'ghost'],
    ['logout', (s) => s.logout('ghost', 10), 'agent', 'ghost'],
    ['pause', (s) => s.pause('ghost', 'x', 10), 'agent', 'ghost'],
    ['unpause', (s) => s.unpause('ghost', 10), 'agent', 'ghost'],
    ['enqueue to an unknown queue', (s) => s.enqueue({ callId: 'n', queueId: 'nope', now: 10 }), 'queue', 'nope'],
    ['abandon', (s) => s.abandon('nope', 10), 'call', 'nope'],
    ['offerAnswered, unknown call', (s) => s.offerAnswered('nope', 'idle', 10), 'call', 'nope'],
    ['offerAnswered, unknown agent', (s) => s.offerAnswered('c-ringing', 'ghost', 10), 'agent', 'ghost'],
    ['offerMissed, unknown call', (s) => s.offerMissed('nope', 'ringing', 10), 'call', 'nope'],
    ['offerCancelled, unknown agent', (s) => s.offerCancelled('c-ringing', 'ghost', 10), 'agent', 'ghost'],
    ['callEnded', (s) => s.callEnded('nope', 10), 'call', 'nope'],
    ['position', (s) => s.position('nope'), 'call', 'nope'],
    ['agentStatus', (s) => s.agentStatus('ghost'), 'agent', 'ghost'],
    ['queueStatus', (s) => s.queueStatus('nope', 10), 'queue', 'nope'],
  ];

  it.each(cases)('%s', (_label, op, entity, id) => {
    const r = op(world());
    expect(r).toEqual({ ok: false, error: 'not-found', entity, id, message: `${entity} "${id}" does not exist` });
  });
});

describe('programming errors throw SB_SCHEDULER_INPUT', () => {
  it.each([
    ['a non-finite now', (s: QueueScheduler) => s.dispatch(Number.NaN), /now must be a finite/],
    ['a fractional priority', (s: QueueScheduler) => s.enqueue({ callId: 'x', queueId: 'q', priority: 1.5, now: 10 }), /priority must be an integer/],
    ['an empty pause reason', (s: QueueScheduler) => s.pause('idle', '', 10), /non-empty/],
  ])('%s', (_label, op, message) => {
    const s = world();
    expect(() => op(s)).toThrow(message);
    try {
      op(s);
    } catch (err) {
      expect(isSwitchboardError(err, 'SB_SCHEDULER_INPUT')).toBe(true);
    }
  });
});

describe('spec validation', () => {
  const a = agent('a');
  const q = queue('q', ['a']);
  const cases: [string, QueueSpec[], AgentSpec[], RegExp][] = [
    ['an unknown member', [queue('q', ['a', 'zed'])], [a], /queue "q": member "zed" is not a defined agent/],
    ['a member listed twice', [queue('q', ['a', 'a'])], [a], /member "a" is listed twice/],
    ['a duplicate queue', [q, q], [a], /queue "q" is defined twice/],
    ['a duplicate agent', [q], [a, a], /agent "a" is defined twice/],
    ['an empty agent id', [], [agent('')], /agent id must be a non-empty string/],
    ['an unknown strategy', [queue('q', [], { strategy: 'random' as never })], [], /unknown strategy "random"/],
    ['no stages', [queue('q', [], { stages: [] })], [], /at least one skill stage/],
    ['a first stage after 0', [queue('q', [], { stages: [{ afterMs: 5, need: {} }] })], [], /stage 0 must start at afterMs 0/],
    [
      'stages out of order',
      [queue('q', [], { stages: [{ afterMs: 0, need: { en: 3 } }, { afterMs: 0, need: { en: 2 } }] })],
      [],
      /stage 1 afterMs must be finite and greater/,
    ],
    [
      'a stage that tightens',
      [queue('q', [], { stages: [{ afterMs: 0, need: { en: 3 } }, { afterMs: 60_000, need: { en: 4 } }] })],
      [],
      /stage 1 must relax stage 0/,
    ],
    [
      'a stage that adds a skill',
      [queue('q', [], { stages: [{ afterMs: 0, need: { en: 3 } }, { afterMs: 60_000, need: { en: 1, fr: 1 } }] })],
      [],
      /stage 1 must relax stage 0/,
    ],
    ['a level above 5', [queue('q', [], { stages: [{ afterMs: 0, need: { en: 6 } }] })], [], /level of "en" must be an integer 1\.\.5/],
    ['an agent level of 0', [], [agent('a', { skills: { en: 0 } })], /agent "a" skills: level of "en"/],
    ['zero agingMs', [queue('q', [], { agingMs: 0 })], [], /agingMs must be a finite number > 0/],
    ['a negative maxSize', [queue('q', [], { maxSize: -1 })], [], /maxSize must be an integer >= 0/],
    ['a zero maxWaitMs', [queue('q', [], { maxWaitMs: 0 })], [], /maxWaitMs must be a finite number > 0/],
    ['maxCalls 0', [], [agent('a', { maxCalls: 0 })], /maxCalls must be an integer >= 1/],
    ['a negative wrap-up', [], [agent('a', { wrapUpMs: -1 })], /wrapUpMs must be a finite number >= 0/],
    ['maxMissedOffers 0', [], [agent('a', { maxMissedOffers: 0 })], /maxMissedOffers must be an integer >= 1/],
  ];

  it.each(cases)('rejects %s', (_label, queues, agents, message) => {
    let thrown: unknown;
    try {
      new QueueScheduler({ queues, agents });
    } catch (err) {
      thrown = err;
    }
    expect(isSwitchboardError(thrown, 'SB_SCHEDULER_INPUT')).toBe(true);
    expect((thrown as Error).message).toMatch(message);
  });

  it('accepts maxSize 0 (always overflow) and agents who qualify for no stage', () => {
    const s = new QueueScheduler({
      queues: [queue('q', ['a'], { maxSize: 0, stages: [{ afterMs: 0, need: { en: 5 } }] })],
      agents: [agent('a', { skills: { en: 1 } })],
    });
    expect(s.enqueue({ callId: 'c', queueId: 'q', now: 0 })).toEqual({ ok: true, status: 'overflow', reason: 'max-size' });
  });
});
