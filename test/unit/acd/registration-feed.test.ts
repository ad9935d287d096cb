import { describe, expect, it } from 'vitest';
import type { AcdAgentConfig } from '../../../src/acd/agent-config.js';
import { AgentStates } from '../../../src/acd/agent-states.js';
import { agentRegistrations } from '../../../src/acd/registration-feed.js';
import type { Binding } from '../../../src/registrar/binding.js';
import { InMemoryRegistrationStore } from '../../../src/registrar/registration-store.js';
import { feedRegistrations } from '../../../src/registrar/routing-feed.js';
import { FakeTimers } from '../registrar/fake-timers.js';

const configs: AcdAgentConfig[] = [
  { id: 'alice', user: 'alice', maxCalls: 1, wrapUpMs: 0, registrationRequired: true },
  { id: 'night-alice', user: 'alice', maxCalls: 1, wrapUpMs: 0, registrationRequired: true },
  { id: 'bob', user: 'bob', maxCalls: 1, wrapUpMs: 0, registrationRequired: true },
];

describe('agentRegistrations', () => {
  it('a live registration logs in every agent of the user; its expiry logs them out', () => {
    const timers = new FakeTimers();
    const registrations = new InMemoryRegistrationStore({ clock: timers.clock, timers });
    const agents = new AgentStates({ agents: configs, clock: timers.clock, timers });
    const binding = (user: string): Binding => ({
      user, key: `sip:${user}@192.0.2.10`, uri: `sip:${user}@192.0.2.10`, expiresAt: timers.clock.now() + 60_000,
      updatedAt: timers.clock.now(), callId: `${user}-reg`, cseq: 1, source: { address: '192.0.2.10', port: 5060, transport: 'udp' },
    });
    registrations.replace('bob', [binding('bob')]); // registered before the feed starts
    const stop = feedRegistrations(registrations, agentRegistrations(agents, configs));
    expect(agents.list().map((r) => r.state)).toEqual(['logged_out', 'logged_out', 'available']);
    timers.advance(30_000);
    registrations.replace('alice', [binding('alice')]);
    registrations.replace('carol', [binding('carol')]); // a user with no agent
    expect(agents.list().map((r) => r.state)).toEqual(['available', 'available', 'available']);
    timers.advance(30_000); // bob's registration lapses
    expect(agents.list().map((r) => r.state)).toEqual(['available', 'available', 'logged_out']);
    stop();
    registrations.close();
  });
});
