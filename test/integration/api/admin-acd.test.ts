import { afterEach, describe, expect, it } from 'vitest';
import { acdAdminModel } from '../../../src/acd/admin-view.js';
import { acdAgentConfigs } from '../../../src/acd/agent-config.js';
import { AgentStates } from '../../../src/acd/agent-states.js';
import { QueueEvents, type QueueEventRecord } from '../../../src/acd/queue-events.js';
import { connectScheduler, type SchedulerFeed } from '../../../src/acd/scheduler-feed.js';
import { startAdminServer, type AdminServer } from '../../../src/api/admin-server.js';
import { parseConfig } from '../../../src/config/load.js';
import { QueueScheduler } from '../../../src/routing/scheduler/index.js';
import { toSchedulerSpecs } from '../../../src/routing/scheduler-specs.js';
import { FakeTimers } from '../../unit/registrar/fake-timers.js';
import { yaml } from '../../unit/config/helpers.js';

const T0 = Date.parse('2026-11-22T09:00:00Z');
const TOKEN = 'a-long-enough-admin-token';

const config = parseConfig(
  yaml`
    users: { alice: { password: alice-secret }, bob: { password: bob-secret-1 } }
    agents: { alice: { wrap_up: 30s }, bob: {} }
    queues:
      support: { members: [alice, bob] }
    admin: { listen: "127.0.0.1:8080", token: ${TOKEN} }
  `,
  'admin-acd.yaml',
);

let server: AdminServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The SIP-free ACD wired as the application will wire it, behind a real admin server. */
async function start() {
  const timers = new FakeTimers(T0);
  const specs = toSchedulerSpecs(config);
  const events = new QueueEvents({ clock: timers.clock });
  const log: QueueEventRecord[] = [];
  events.on((e) => log.push(e));
  const agents = new AgentStates({ agents: acdAgentConfigs(config), clock: timers.clock, timers });
  agents.onChange((c) => events.agentStateChanged(c));
  let feed: SchedulerFeed | undefined;
  const scheduler = new QueueScheduler(specs, {
    onEvent: (e) => {
      events.fromScheduler(e);
      feed?.onSchedulerEvent(e);
    },
  });
  feed = connectScheduler(agents, scheduler);
  const model = acdAdminModel({ agents, scheduler, queues: specs.queues });
  server = await startAdminServer({ listen: '127.0.0.1:0', token: config.admin.token, model });
  const base = `http://127.0.0.1:${server.address.port}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { timers, agents, scheduler, call, log, now: () => timers.clock.now() };
}

describe('admin API on the live ACD', () => {
  it('state changes reach the agent state machine and the scheduler; reads show both', async () => {
    const { agents, scheduler, call, log, now, timers } = await start();

    expect(await call('POST', '/agents/alice/state', { state: 'available' })).toMatchObject({
      status: 409,
      body: { error: 'illegal-transition', message: 'agent "alice" cannot log in: user "alice" has no live registration' },
    });
    agents.registered('alice');
    agents.registered('bob');
    expect(await call('GET', '/agents/alice')).toMatchObject({ status: 200, body: { id: 'alice', state: 'available', registered: true, since: '2026-11-22T09:00:00.000Z' } });

    timers.advance(60_000);
    expect(await call('POST', '/agents/bob/state', { state: 'paused', reason: 'lunch' })).toMatchObject({
      status: 200,
      body: { state: 'paused', pauseReason: 'lunch', since: '2026-11-22T09:01:00.000Z' },
    });
    const bob = scheduler.agentStatus('bob');
    expect(bob.ok && [bob.agent.state, bob.agent.pauseReason]).toEqual(['paused', 'lunch']);

    scheduler.enqueue({ callId: 'c1', queueId: 'support', now: now() });
    scheduler.enqueue({ callId: 'c2', queueId: 'support', now: now() });
    expect(scheduler.dispatch(now()).offers).toEqual([{ callId: 'c1', queueId: 'support', agentIds: ['alice'] }]);
    timers.advance(5_000);
    scheduler.offerAnswered('c1', 'alice', now());

    expect(await call('GET', '/queues/support')).toMatchObject({
      status: 200,
      body: {
        id: 'support', size: 1, waiting: 1, offered: 0, oldestWaitMs: 5_000, staffedCapacity: 1, members: ['alice', 'bob'],
        agents: { logged_out: 0, available: 0, offered: 0, on_call: 1, wrap_up: 0, paused: 1 },
      },
    });
    expect(await call('POST', '/agents/alice/state', { state: 'logged_out' })).toMatchObject({ status: 409, body: { error: 'illegal-transition' } });
    expect(await call('GET', '/agents/alice')).toMatchObject({ body: { state: 'on_call', callIds: ['c1'], answeredCalls: 1 } });

    scheduler.callEnded('c1', now());
    expect(await call('GET', '/agents/alice')).toMatchObject({ body: { state: 'wrap_up', wrapUpUntil: '2026-11-22T09:01:35.000Z' } });
    expect(await call('POST', '/agents/bob/state', { state: 'available' })).toMatchObject({ status: 200, body: { state: 'available' } });
    expect(scheduler.dispatch(now()).offers).toEqual([{ callId: 'c2', queueId: 'support', agentIds: ['bob'] }]);
    expect(await call('POST', '/agents/carol/state', { state: 'available' })).toMatchObject({ status: 404, body: { error: 'not-found' } });

    const list = await call('GET', '/agents');
    expect((list.body.agents as Array<{ id: string; state: string }>).map((a) => [a.id, a.state])).toEqual([
      ['alice', 'wrap_up'],
      ['bob', 'offered'],
    ]);
    expect(log.filter((e) => e.type === 'agent-state-changed' && e.agentId === 'bob').map((e) => (e.type === 'agent-state-changed' ? `${e.cause}:${e.to}` : ''))).toEqual([
      'registered:available',
      'pause:paused',
      'unpause:available',
      'offer:offered',
    ]);
  });
});
