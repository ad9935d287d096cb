import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { acdAgentConfigs } from '../../../src/acd/agent-config.js';
import { AgentStates } from '../../../src/acd/agent-states.js';
import { connectScheduler, type SchedulerFeed } from '../../../src/acd/scheduler-feed.js';
import { parseConfig } from '../../../src/config/load.js';
import { QueueScheduler, type SchedulerEvent } from '../../../src/routing/scheduler/index.js';
import { toSchedulerSpecs } from '../../../src/routing/scheduler-specs.js';
import { yaml } from '../config/helpers.js';
import { FakeTimers } from '../registrar/fake-timers.js';

const T0 = 1_700_000_000_000;

const config = parseConfig(
  yaml`
    users:
      alice: { password: alice-secret }
      bob: { password: bob-secret-1 }
      desk: { contacts: ['sip:desk@127.0.0.1:5090'] }
    agents:
      alice: { wrap_up: 10s }
      bob: {}
      carol: { user: desk, max_calls: 2 }
    queues:
      support:
        members: [alice, bob]
        offer: { auto_pause_after: 2 }
      all:
        strategy: ring-all
        members: [alice, bob, carol]
  `,
  'acd.yaml',
);

/** The machine and a real scheduler, connected; the host's part (dispatch) is done by hand. */
function setup() {
  const timers = new FakeTimers(T0);
  const entries: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => void entries.push(JSON.parse(line) as { level: number; msg: string }) });
  const agents = new AgentStates({ agents: acdAgentConfigs(config), clock: timers.clock, timers });
  let feed: SchedulerFeed | undefined;
  const events: SchedulerEvent[] = [];
  const scheduler = new QueueScheduler(toSchedulerSpecs(config), {
    onEvent: (e) => {
      events.push(e);
      feed?.onSchedulerEvent(e);
    },
  });
  let changes = 0;
  feed = connectScheduler(agents, scheduler, { afterChange: () => changes++, logger });
  const now = () => timers.clock.now();
  const dispatch = () => scheduler.dispatch(now());
  const both = (id: string) => {
    const s = scheduler.agentStatus(id);
    if (!s.ok) throw new Error(s.message);
    return { machine: agents.get(id).state, scheduler: s.agent.state, reason: agents.get(id).pauseReason, schedulerReason: s.agent.pauseReason };
  };
  return { timers, agents, scheduler, events, feed, now, dispatch, both, afterChanges: () => changes, errors: () => entries.filter((e) => e.level >= 50) };
}

describe('acdAgentConfigs', () => {
  it('maps limits through the scheduler specs; an agent whose user has static contacts needs no registration', () => {
    expect(acdAgentConfigs(config)).toEqual([
      { id: 'alice', user: 'alice', maxCalls: 1, wrapUpMs: 10_000, maxMissedOffers: 2, registrationRequired: true },
      { id: 'bob', user: 'bob', maxCalls: 1, wrapUpMs: 0, maxMissedOffers: 2, registrationRequired: true },
      { id: 'carol', user: 'desk', maxCalls: 2, wrapUpMs: 0, registrationRequired: false },
    ]);
  });
});

describe('connectScheduler', () => {
  it('a registration logs the agent into the scheduler; offers, answer, call end and wrap-up agree on both sides', () => {
    const { agents, scheduler, dispatch, both, timers, now, afterChanges } = setup();
    agents.registered('alice');
    expect(both('alice')).toMatchObject({ machine: 'available', scheduler: 'available' });
    expect(afterChanges()).toBe(1);
    scheduler.enqueue({ callId: 'c1', queueId: 'support', now: now() });
    expect(dispatch().offers).toEqual([{ callId: 'c1', queueId: 'support', agentIds: ['alice'] }]);
    expect(both('alice')).toMatchObject({ machine: 'offered', scheduler: 'offered' });
    timers.advance(3_000);
    scheduler.offerAnswered('c1', 'alice', now());
    expect(both('alice')).toMatchObject({ machine: 'on_call', scheduler: 'on-call' });
    timers.advance(60_000);
    scheduler.callEnded('c1', now());
    expect(both('alice')).toMatchObject({ machine: 'wrap_up', scheduler: 'wrap-up' });
    expect(agents.get('alice').wrapUpUntil).toBe(scheduler.nextDeadline());
    timers.advance(10_000); // the machine's timer; the host's timer runs dispatch at nextDeadline
    dispatch();
    expect(both('alice')).toMatchObject({ machine: 'available', scheduler: 'available' });
  });

  it('the scheduler offers at the end of wrap-up before the machine timer fires: the machine ends its wrap-up first', () => {
    const { agents, scheduler, dispatch, both, timers, now, errors } = setup();
    agents.registered('alice');
    scheduler.enqueue({ callId: 'c1', queueId: 'support', now: now() });
    dispatch();
    scheduler.offerAnswered('c1', 'alice', now());
    scheduler.callEnded('c1', now());
    scheduler.enqueue({ callId: 'c2', queueId: 'support', now: now() });
    timers.clock.set(T0 + 10_000); // the host's timer runs first
    expect(dispatch().offers).toEqual([{ callId: 'c2', queueId: 'support', agentIds: ['alice'] }]);
    expect(both('alice')).toMatchObject({ machine: 'offered', scheduler: 'offered' });
    expect(errors()).toEqual([]);
  });

  it('missed offers: both pause the agent at the Nth miss, once; an admin unpause reaches the scheduler', () => {
    const { agents, scheduler, dispatch, both, now, errors, events } = setup();
    agents.registered('alice');
    scheduler.enqueue({ callId: 'c1', queueId: 'support', now: now() });
    for (let miss = 0; miss < 2; miss++) {
      expect(dispatch().offers).toEqual([{ callId: 'c1', queueId: 'support', agentIds: ['alice'] }]); // nobody else: alice again
      scheduler.offerMissed('c1', 'alice', now());
    }
    expect(both('alice')).toEqual({ machine: 'paused', scheduler: 'paused', reason: 'missed-offers', schedulerReason: 'missed-offers' });
    expect(events.filter((e) => e.type === 'agent-state' && e.to === 'paused')).toHaveLength(1);
    agents.setState('alice', { state: 'available' });
    expect(both('alice')).toMatchObject({ machine: 'available', scheduler: 'available' });
    const status = scheduler.agentStatus('alice');
    expect(status.ok && status.agent.missedInARow).toBe(0);
    expect(agents.get('alice').missedInARow).toBe(0);
    expect(errors()).toEqual([]);
  });

  it('an admin pause and a new reason reach the scheduler; staffed capacity follows', () => {
    const { agents, scheduler, both, now } = setup();
    agents.registered('alice');
    agents.registered('bob');
    const capacity = () => {
      const q = scheduler.queueStatus('support', now());
      return q.ok ? q.queue.staffedCapacity : -1;
    };
    expect(capacity()).toBe(2);
    agents.setState('bob', { state: 'paused', reason: 'lunch' });
    expect(both('bob')).toMatchObject({ scheduler: 'paused', schedulerReason: 'lunch' });
    expect(capacity()).toBe(1);
    agents.setState('bob', { state: 'paused', reason: 'training' });
    expect(both('bob')).toMatchObject({ scheduler: 'paused', schedulerReason: 'training' });
    agents.setState('bob', { state: 'logged_out' });
    expect(both('bob')).toMatchObject({ machine: 'logged_out', scheduler: 'logged-out' });
  });

  it('registration lost during a call: the logout reaches the scheduler when the call ends', () => {
    const { agents, scheduler, dispatch, both, now, errors } = setup();
    agents.registered('bob');
    scheduler.enqueue({ callId: 'c1', queueId: 'support', now: now() });
    dispatch();
    scheduler.offerAnswered('c1', 'bob', now());
    agents.unregistered('bob');
    expect(both('bob')).toMatchObject({ machine: 'on_call', scheduler: 'on-call' });
    scheduler.callEnded('c1', now());
    expect(both('bob')).toMatchObject({ machine: 'logged_out', scheduler: 'logged-out' });
    expect(errors()).toEqual([]);
  });

  it('ring-all: the agent who answers is on the call, the others are withdrawn without a miss', () => {
    const { agents, scheduler, dispatch, both, now } = setup();
    agents.registered('alice');
    agents.registered('bob');
    agents.login('carol'); // static contacts: no registration needed
    scheduler.enqueue({ callId: 'c1', queueId: 'all', now: now() });
    expect(dispatch().offers[0]?.agentIds).toEqual(['alice', 'bob', 'carol']);
    expect(agents.list().map((r) => r.state)).toEqual(['offered', 'offered', 'offered']);
    scheduler.offerAnswered('c1', 'carol', now());
    expect(agents.list().map((r) => [r.id, r.state, r.missedOffers])).toEqual([
      ['alice', 'available', 0],
      ['bob', 'available', 0],
      ['carol', 'on_call', 0],
    ]);
    expect(both('alice')).toMatchObject({ scheduler: 'available' });
  });

  it('a scheduler event the machine refuses is logged, not thrown into the scheduler', () => {
    const { feed, errors } = setup();
    expect(() => feed.onSchedulerEvent({ type: 'call-answered', at: T0, callId: 'ghost', queueId: 'support', agentId: 'alice', waitedMs: 0 })).not.toThrow();
    expect(errors().map((e) => e.msg)).toEqual(['the agent state machine refused a scheduler event']);
  });

  it('connecting brings the scheduler in line with records already in the machine; stop() ends the feed', () => {
    const timers = new FakeTimers(T0);
    const agents = new AgentStates({ agents: acdAgentConfigs(config), clock: timers.clock, timers });
    agents.registered('alice');
    agents.pause('alice', 'lunch');
    const scheduler = new QueueScheduler(toSchedulerSpecs(config));
    let changes = 0;
    const feed = connectScheduler(agents, scheduler, { afterChange: () => changes++ });
    const status = scheduler.agentStatus('alice');
    expect(status.ok && [status.agent.state, status.agent.pauseReason]).toEqual(['paused', 'lunch']);
    expect(changes).toBe(1);
    feed.stop();
    agents.unpause('alice');
    const after = scheduler.agentStatus('alice');
    expect(after.ok && after.agent.state).toBe('paused');
  });
});
