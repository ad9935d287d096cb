import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AcdAgentConfig } from '../../../src/acd/agent-config.js';
import { InMemoryAgentStateStore, type AgentState } from '../../../src/acd/agent-state-store.js';
import { AgentStateError, AgentStates, type AgentStateChange } from '../../../src/acd/agent-states.js';
import { isSwitchboardError } from '../../../src/util/errors.js';
import { FakeTimers } from '../registrar/fake-timers.js';

const T0 = 1_700_000_000_000;

function agent(id: string, extra: Partial<AcdAgentConfig> = {}): AcdAgentConfig {
  return { id, user: id, maxCalls: 1, wrapUpMs: 10_000, registrationRequired: true, ...extra };
}

function setup(configs: AcdAgentConfig[] = [agent('alice', { maxMissedOffers: 2 }), agent('bob', { registrationRequired: false })]) {
  const timers = new FakeTimers(T0);
  const store = new InMemoryAgentStateStore();
  const machine = new AgentStates({ agents: configs, clock: timers.clock, timers, store });
  const changes: AgentStateChange[] = [];
  machine.onChange((c) => changes.push(c));
  const states = () => changes.map((c) => `${c.agentId}:${c.from}->${c.to}${c.pauseReason === undefined ? '' : `(${c.pauseReason})`}@${c.at - T0}`);
  return { timers, store, machine, changes, states };
}

/** The error code the operation throws. */
function refusal(op: () => unknown): string {
  try {
    op();
  } catch (err) {
    expect(err).toBeInstanceOf(AgentStateError);
    if (isSwitchboardError(err)) return err.code;
  }
  throw new Error('the operation was not refused');
}

const state = (machine: AgentStates, id: string): AgentState => machine.get(id).state;

describe('AgentStates: registration', () => {
  it('a registration logs the agent in; losing it logs the agent out', () => {
    const { machine, states } = setup();
    expect(state(machine, 'alice')).toBe('logged_out');
    machine.registered('alice');
    expect(state(machine, 'alice')).toBe('available');
    machine.unregistered('alice');
    expect(machine.get('alice')).toMatchObject({ state: 'logged_out', registered: false, loggedIn: false });
    expect(states()).toEqual(['alice:logged_out->available@0', 'alice:available->logged_out@0']);
  });

  it('an agent whose user has static contacts stays logged in without a registration', () => {
    const { machine } = setup();
    machine.login('bob');
    machine.registered('bob');
    machine.unregistered('bob');
    expect(state(machine, 'bob')).toBe('available');
  });

  it('the admin cannot log in an agent that needs a registration and has none (409)', () => {
    const { machine } = setup();
    expect(refusal(() => machine.login('alice'))).toBe('SB_AGENT_TRANSITION');
    expect(state(machine, 'alice')).toBe('logged_out');
  });

  it('an admin logout holds until the registration is gone; the next registration logs in again', () => {
    const { machine } = setup();
    machine.registered('alice');
    machine.logout('alice');
    machine.registered('alice'); // a refresh of the same registration
    expect(state(machine, 'alice')).toBe('logged_out');
    machine.unregistered('alice');
    machine.registered('alice');
    expect(state(machine, 'alice')).toBe('available');
    machine.logout('alice');
    machine.login('alice'); // the admin may always log a registered agent back in
    expect(state(machine, 'alice')).toBe('available');
  });

  it('registration lost during a ring or a call: logged out when they are over, without wrap-up', () => {
    const { machine, states } = setup();
    machine.registered('alice');
    machine.offer('alice', 'c1');
    machine.unregistered('alice');
    expect(state(machine, 'alice')).toBe('offered');
    machine.offerAnswered('alice', 'c1');
    expect(state(machine, 'alice')).toBe('on_call');
    machine.callEnded('alice', 'c1');
    expect(machine.get('alice')).toMatchObject({ state: 'logged_out', wrapUpUntil: undefined });
    expect(states().at(-1)).toBe('alice:on_call->logged_out@0');
  });

  it('an unknown agent is refused with SB_AGENT_UNKNOWN', () => {
    const { machine } = setup();
    expect(refusal(() => machine.registered('mallory'))).toBe('SB_AGENT_UNKNOWN');
    expect(refusal(() => machine.get('mallory'))).toBe('SB_AGENT_UNKNOWN');
    expect(machine.has('mallory')).toBe(false);
  });
});

describe('AgentStates: pause', () => {
  it('pause and unpause; a second pause, a pause while logged out and an unpause while not paused are refused', () => {
    const { machine, states } = setup();
    expect(refusal(() => machine.pause('alice', 'lunch'))).toBe('SB_AGENT_TRANSITION');
    machine.registered('alice');
    machine.pause('alice', 'lunch');
    expect(machine.get('alice')).toMatchObject({ state: 'paused', pauseReason: 'lunch' });
    expect(refusal(() => machine.pause('alice', 'coffee'))).toBe('SB_AGENT_TRANSITION');
    machine.unpause('alice');
    expect(refusal(() => machine.unpause('alice'))).toBe('SB_AGENT_TRANSITION');
    expect(states()).toEqual(['alice:logged_out->available@0', 'alice:available->paused(lunch)@0', 'alice:paused->available@0']);
  });

  it('a pause during a call takes effect after the call and its wrap-up', () => {
    const { machine, timers, states } = setup();
    machine.registered('alice');
    machine.offer('alice', 'c1');
    machine.offerAnswered('alice', 'c1');
    machine.pause('alice', 'lunch');
    expect(machine.get('alice')).toMatchObject({ state: 'on_call', pauseReason: 'lunch' });
    expect(refusal(() => machine.offer('alice', 'c2'))).toBe('SB_AGENT_TRANSITION');
    timers.advance(60_000);
    machine.callEnded('alice', 'c1');
    expect(state(machine, 'alice')).toBe('wrap_up');
    timers.advance(10_000);
    expect(state(machine, 'alice')).toBe('paused');
    expect(states().slice(-3)).toEqual(['alice:on_call->on_call(lunch)@0', 'alice:on_call->wrap_up(lunch)@60000', 'alice:wrap_up->paused(lunch)@70000']);
  });
});

describe('AgentStates: calls', () => {
  it('offer, answer, call end, wrap-up for wrapUpMs on the timer, then available', () => {
    const { machine, timers, changes } = setup();
    machine.registered('alice');
    machine.offer('alice', 'c1');
    timers.advance(4_000);
    machine.offerAnswered('alice', 'c1');
    timers.advance(100_000);
    machine.callEnded('alice', 'c1');
    expect(machine.get('alice')).toMatchObject({ state: 'wrap_up', wrapUpUntil: T0 + 114_000, answeredCalls: 1 });
    timers.advance(9_999);
    expect(state(machine, 'alice')).toBe('wrap_up');
    timers.advance(1);
    expect(changes.map((c) => [c.cause, c.to, c.at - T0])).toEqual([
      ['registered', 'available', 0],
      ['offer', 'offered', 0],
      ['offer-answered', 'on_call', 4_000],
      ['call-ended', 'wrap_up', 104_000],
      ['wrap-up-elapsed', 'available', 114_000],
    ]);
    expect(timers.pendingCount).toBe(0);
  });

  it('a wrap-up that is due ends before the next operation, even if its timer has not fired yet', () => {
    const { machine, timers, changes } = setup();
    machine.registered('alice');
    machine.offer('alice', 'c1');
    machine.offerAnswered('alice', 'c1');
    machine.callEnded('alice', 'c1');
    timers.clock.set(T0 + 10_000); // the clock moves, the timer has not run
    machine.offer('alice', 'c2');
    expect(changes.slice(-2).map((c) => [c.cause, c.to])).toEqual([
      ['wrap-up-elapsed', 'available'],
      ['offer', 'offered'],
    ]);
    expect(timers.pendingCount).toBe(0); // the timer was cancelled
  });

  it('an explicit instant (a replayed scheduler event) drives wrap-up; earlier instants count as the latest seen', () => {
    const { machine } = setup();
    machine.registered('alice', T0 + 5_000);
    machine.offer('alice', 'c1', T0 + 1_000); // earlier: held at T0 + 5000
    expect(machine.get('alice').since).toBe(T0 + 5_000);
    machine.offerAnswered('alice', 'c1', T0 + 6_000);
    machine.callEnded('alice', 'c1', T0 + 20_000);
    expect(machine.get('alice').wrapUpUntil).toBe(T0 + 30_000);
    machine.offer('alice', 'c2', T0 + 30_000);
    expect(state(machine, 'alice')).toBe('offered');
  });

  it('missed offers are counted; an answer ends the streak, not the count', () => {
    const { machine } = setup();
    machine.registered('alice');
    machine.offer('alice', 'c1');
    machine.offerMissed('alice', 'c1');
    expect(machine.get('alice')).toMatchObject({ state: 'available', missedInARow: 1, missedOffers: 1 });
    machine.offer('alice', 'c2');
    machine.offerAnswered('alice', 'c2');
    expect(machine.get('alice')).toMatchObject({ state: 'on_call', missedInARow: 0, missedOffers: 1 });
  });

  it('two misses in a row pause the agent; unpause resets the streak but not the count', () => {
    const { machine, states } = setup();
    machine.registered('alice');
    for (const call of ['c1', 'c2']) {
      machine.offer('alice', call);
      machine.offerMissed('alice', call);
    }
    expect(machine.get('alice')).toMatchObject({ state: 'paused', pauseReason: 'missed-offers', missedInARow: 2, missedOffers: 2 });
    expect(states().at(-1)).toBe('alice:offered->paused(missed-offers)@0');
    machine.unpause('alice');
    expect(machine.get('alice')).toMatchObject({ state: 'available', missedInARow: 0, missedOffers: 2 });
  });

  it('a withdrawn offer (answered elsewhere, caller gone) counts nothing', () => {
    const { machine } = setup();
    machine.registered('alice');
    machine.offer('alice', 'c1');
    machine.offerWithdrawn('alice', 'c1');
    expect(machine.get('alice')).toMatchObject({ state: 'available', missedInARow: 0, missedOffers: 0 });
  });

  it('refuses what does not fit: offers to busy agents, ends of rings and calls that are not there, logout while busy', () => {
    const { machine } = setup();
    expect(refusal(() => machine.offer('alice', 'c1'))).toBe('SB_AGENT_TRANSITION'); // logged out
    machine.registered('alice');
    machine.offer('alice', 'c1');
    expect(refusal(() => machine.offer('alice', 'c2'))).toBe('SB_AGENT_TRANSITION'); // ringing
    expect(refusal(() => machine.offerAnswered('alice', 'c2'))).toBe('SB_AGENT_TRANSITION');
    expect(refusal(() => machine.logout('alice'))).toBe('SB_AGENT_TRANSITION');
    machine.offerAnswered('alice', 'c1');
    expect(refusal(() => machine.offer('alice', 'c2'))).toBe('SB_AGENT_TRANSITION'); // at maxCalls
    expect(refusal(() => machine.logout('alice'))).toBe('SB_AGENT_TRANSITION');
    expect(refusal(() => machine.callEnded('alice', 'c2'))).toBe('SB_AGENT_TRANSITION');
    machine.callEnded('alice', 'c1');
    expect(refusal(() => machine.offer('alice', 'c2'))).toBe('SB_AGENT_TRANSITION'); // wrap-up
    expect(refusal(() => machine.offerMissed('alice', 'c1'))).toBe('SB_AGENT_TRANSITION');
    machine.logout('alice'); // allowed in wrap-up: drops it
    expect(machine.get('alice')).toMatchObject({ state: 'logged_out', wrapUpUntil: undefined });
  });

  it('an agent with maxCalls 2 can be offered a second call while on one, one ring at a time; wrap-up waits for the last call', () => {
    const { machine, timers } = setup([agent('carol', { maxCalls: 2, registrationRequired: false })]);
    machine.login('carol');
    machine.offer('carol', 'c1');
    machine.offerAnswered('carol', 'c1');
    machine.offer('carol', 'c2');
    expect(state(machine, 'carol')).toBe('offered');
    machine.offerAnswered('carol', 'c2');
    expect(machine.get('carol').callIds).toEqual(['c1', 'c2']);
    timers.advance(1_000);
    machine.callEnded('carol', 'c1');
    expect(state(machine, 'carol')).toBe('on_call'); // wrap-up pending behind the other call
    timers.advance(5_000);
    machine.callEnded('carol', 'c2');
    expect(machine.get('carol')).toMatchObject({ state: 'wrap_up', wrapUpUntil: T0 + 16_000 });
    timers.advance(10_000);
    expect(state(machine, 'carol')).toBe('available');
  });
});

describe('AgentStates: setState (admin API)', () => {
  it('follows the table: login, unpause, pause, new reason, logout; the same state again changes nothing', () => {
    const { machine, changes } = setup();
    machine.registered('alice');
    machine.logout('alice');
    expect(machine.setState('alice', { state: 'available' }).state).toBe('available'); // login
    expect(machine.setState('alice', { state: 'paused' })).toMatchObject({ state: 'paused', pauseReason: 'admin' });
    const count = changes.length;
    expect(machine.setState('alice', { state: 'paused', reason: 'admin' }).state).toBe('paused');
    expect(changes).toHaveLength(count); // nothing changed, nothing reported
    machine.setState('alice', { state: 'paused', reason: 'lunch' });
    expect(changes.at(-1)).toMatchObject({ from: 'paused', to: 'paused', pauseReason: 'lunch', cause: 'pause' });
    expect(machine.setState('alice', { state: 'available' }).state).toBe('available'); // unpause
    expect(machine.setState('alice', { state: 'available' }).state).toBe('available');
    expect(machine.setState('alice', { state: 'logged_out' }).state).toBe('logged_out');
    expect(machine.setState('alice', { state: 'logged_out' }).state).toBe('logged_out');
  });

  it('refuses a pause while logged out and a logout during a call (409)', () => {
    const { machine } = setup();
    expect(refusal(() => machine.setState('bob', { state: 'paused', reason: 'lunch' }))).toBe('SB_AGENT_TRANSITION');
    machine.setState('bob', { state: 'available' });
    machine.offer('bob', 'c1');
    machine.offerAnswered('bob', 'c1');
    expect(refusal(() => machine.setState('bob', { state: 'logged_out' }))).toBe('SB_AGENT_TRANSITION');
    expect(refusal(() => machine.setState('nobody', { state: 'available' }))).toBe('SB_AGENT_UNKNOWN');
  });

  it('a new pause reason resets the miss streak, as unpause + pause', () => {
    const { machine } = setup();
    machine.registered('alice');
    for (const call of ['c1', 'c2']) {
      machine.offer('alice', call);
      machine.offerMissed('alice', call);
    }
    machine.setState('alice', { state: 'paused', reason: 'training' });
    expect(machine.get('alice')).toMatchObject({ pauseReason: 'training', missedInARow: 0 });
  });
});

describe('AgentStates: listeners and store', () => {
  it('a listener that calls the machine again sees its change after the current one, in order', () => {
    const { machine, states } = setup();
    machine.onChange((c) => {
      if (c.agentId === 'alice' && c.to === 'available') machine.login('bob');
    });
    machine.registered('alice');
    expect(states()).toEqual(['alice:logged_out->available@0', 'bob:logged_out->available@0']);
  });

  it('a listener that throws does not break the operation; the error is logged', () => {
    const entries: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void entries.push(JSON.parse(line) as { level: number; msg: string }) });
    const timers = new FakeTimers(T0);
    const machine = new AgentStates({ agents: [agent('alice')], clock: timers.clock, timers, logger });
    const seen: string[] = [];
    machine.onChange(() => {
      throw new Error('boom');
    });
    machine.onChange((c) => seen.push(c.to));
    expect(machine.registered('alice').state).toBe('available');
    expect(seen).toEqual(['available']);
    expect(entries.map((e) => e.msg)).toEqual(['agent state listener failed']);
  });

  it('records in the store are frozen values; a machine built on a store with a wrap-up in progress resumes its timer', () => {
    const { machine, store, timers } = setup();
    machine.registered('alice');
    machine.offer('alice', 'c1');
    machine.offerAnswered('alice', 'c1');
    machine.callEnded('alice', 'c1');
    const stored = store.get('alice');
    expect(Object.isFrozen(stored)).toBe(true);
    expect(stored).toMatchObject({ state: 'wrap_up', wrapUpUntil: T0 + 10_000 });
    machine.close();
    expect(timers.pendingCount).toBe(0);

    const restarted = new AgentStates({ agents: [agent('alice', { maxMissedOffers: 2 }), agent('bob')], clock: timers.clock, timers, store });
    const seen: string[] = [];
    restarted.onChange((c) => seen.push(`${c.from}->${c.to}`));
    timers.advance(10_000);
    expect(seen).toEqual(['wrap_up->available']);
    expect(restarted.list().map((r) => [r.id, r.state])).toEqual([
      ['alice', 'available'],
      ['bob', 'logged_out'],
    ]);
  });
});
