import { request } from 'node:http';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentStateError, type AgentStateRequest } from '../../../src/acd/agent-states.js';
import type { AdminModel, AgentView, QueueView } from '../../../src/api/admin-model.js';
import { startAdminServer, type AdminServer } from '../../../src/api/admin-server.js';
import { parseConfig } from '../../../src/config/load.js';
import { isSwitchboardError } from '../../../src/util/errors.js';
import { issuesOf } from '../../unit/config/helpers.js';

const TOKEN = 'correct-horse-battery-staple';

function agentView(id: string, over: Partial<AgentView> = {}): AgentView {
  return {
    id, state: 'available', since: '2026-11-22T09:00:00.000Z', pauseReason: null, registered: true, offeredCallId: null,
    callIds: [], maxCalls: 1, wrapUpUntil: null, missedInARow: 0, missedOffers: 0, answeredCalls: 0, ...over,
  };
}

const support: QueueView = {
  id: 'support', strategy: 'longest-idle', size: 3, waiting: 2, offered: 1, oldestWaitMs: 42_000, estimatedWaitMs: null,
  averageHandleMs: null, staffedCapacity: 2, members: ['alice', 'a b'],
  agents: { logged_out: 0, available: 1, offered: 1, on_call: 0, wrap_up: 0, paused: 0 },
};

/** A model with two agents and one queue that records state requests and fails as told. */
class FakeModel implements AdminModel {
  readonly requests: Array<[string, AgentStateRequest]> = [];
  failWith: Error | undefined;
  agents(): AgentView[] {
    return [agentView('alice'), agentView('a b')];
  }
  agent(id: string): AgentView | undefined {
    return this.agents().find((a) => a.id === id);
  }
  queues(): QueueView[] {
    return [support];
  }
  queue(id: string): QueueView | undefined {
    return id === 'support' ? support : undefined;
  }
  setAgentState(id: string, req: AgentStateRequest): AgentView {
    this.requests.push([id, req]);
    if (this.failWith) throw this.failWith;
    if (this.agent(id) === undefined) throw new AgentStateError('SB_AGENT_UNKNOWN', id, `agent "${id}" does not exist`);
    return agentView(id, { state: req.state, pauseReason: req.reason ?? null });
  }
}

let server: AdminServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: { token?: string } = {}) {
  const model = new FakeModel();
  const entries: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void entries.push(JSON.parse(line) as { level: number; msg: string }) });
  server = await startAdminServer({ listen: '127.0.0.1:0', model, logger, ...options });
  const base = `http://127.0.0.1:${server.address.port}`;
  const call = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, { method, headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers }, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, headers: res.headers };
  };
  return { model, call, entries, base };
}

describe('admin API: reads', () => {
  it('lists agents and queues and shows one of each; unknown ones are 404 with a JSON error', async () => {
    const { call } = await start();
    expect(await call('GET', '/agents')).toMatchObject({ status: 200, body: { agents: [agentView('alice'), agentView('a b')] } });
    expect(await call('GET', '/agents/alice')).toMatchObject({ status: 200, body: agentView('alice') });
    expect(await call('GET', '/agents/a%20b')).toMatchObject({ status: 200, body: { id: 'a b' } });
    expect(await call('GET', '/queues')).toMatchObject({ status: 200, body: { queues: [support] } });
    expect(await call('GET', '/queues/support/')).toMatchObject({ status: 200, body: support });
    expect(await call('GET', '/agents/mallory')).toEqual(expect.objectContaining({ status: 404, body: { error: 'not-found', message: 'agent "mallory" does not exist' } }));
    expect(await call('GET', '/queues/sales')).toMatchObject({ status: 404, body: { error: 'not-found' } });
  });

  it('unknown paths are 404, wrong methods 405 with Allow, bad percent-encoding 400', async () => {
    const { call } = await start();
    expect(await call('GET', '/')).toMatchObject({ status: 404, body: { error: 'not-found' } });
    expect(await call('GET', '/agents/alice/state/now')).toMatchObject({ status: 404 });
    const del = await call('DELETE', '/agents');
    expect(del).toMatchObject({ status: 405, body: { error: 'method-not-allowed' } });
    expect(del.headers.get('allow')).toBe('GET');
    const get = await call('GET', '/agents/alice/state');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await call('GET', '/agents/%E0%A4%A')).toMatchObject({ status: 400, body: { error: 'bad-request' } });
  });
});

describe('admin API: POST /agents/{id}/state', () => {
  it('passes a valid request to the model and returns the agent', async () => {
    const { call, model, entries } = await start();
    const res = await call('POST', '/agents/alice/state', JSON.stringify({ state: 'paused', reason: 'lunch' }));
    expect(res).toMatchObject({ status: 200, body: { id: 'alice', state: 'paused', pauseReason: 'lunch' } });
    await call('POST', '/agents/alice/state', '{"state":"available"}');
    await call('POST', '/agents/alice/state', '{"state":"logged_out"}');
    expect(model.requests).toEqual([
      ['alice', { state: 'paused', reason: 'lunch' }],
      ['alice', { state: 'available' }],
      ['alice', { state: 'logged_out' }],
    ]);
    expect(entries.filter((e) => e.msg === 'agent state set through the admin API')).toHaveLength(3);
  });

  it('unknown agent 404, a change that is not allowed 409, each with a JSON error body', async () => {
    const { call, model } = await start();
    expect(await call('POST', '/agents/mallory/state', '{"state":"available"}')).toEqual(
      expect.objectContaining({ status: 404, body: { error: 'not-found', message: 'agent "mallory" does not exist' } }),
    );
    model.failWith = new AgentStateError('SB_AGENT_TRANSITION', 'alice', 'agent "alice" cannot log out while on a call; end the call first');
    expect(await call('POST', '/agents/alice/state', '{"state":"logged_out"}')).toEqual(
      expect.objectContaining({ status: 409, body: { error: 'illegal-transition', message: 'agent "alice" cannot log out while on a call; end the call first' } }),
    );
  });

  it.each([
    ['not JSON', '{"state": available}'],
    ['empty', ''],
    ['an array', '["paused"]'],
    ['null', 'null'],
    ['no state', '{"reason":"lunch"}'],
    ['a state that only calls set', '{"state":"on_call"}'],
    ['a state that is not a string', '{"state":1}'],
    ['an unknown field', '{"state":"paused","until":"13:00"}'],
    ['a reason without pause', '{"state":"available","reason":"back"}'],
    ['an empty reason', '{"state":"paused","reason":""}'],
    ['a reason that is not a string', '{"state":"paused","reason":5}'],
    ['a reason with a control character', '{"state":"paused","reason":"a\\nb"}'],
    ['a reason over 100 characters', JSON.stringify({ state: 'paused', reason: 'x'.repeat(101) })],
  ])('400 for a body that is %s; the model is not called', async (_what, body) => {
    const { call, model } = await start();
    const res = await call('POST', '/agents/alice/state', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad-request');
    expect(typeof res.body.message).toBe('string');
    expect(model.requests).toEqual([]);
  });

  it('413 for a body over 16 KiB', async () => {
    const { call, model } = await start();
    const res = await call('POST', '/agents/alice/state', JSON.stringify({ state: 'paused', reason: 'x'.repeat(20_000) }));
    expect(res).toMatchObject({ status: 413, body: { error: 'payload-too-large' } });
    expect(model.requests).toEqual([]);
  });

  it('413 for a chunked body that grows over 16 KiB; the server keeps serving', async () => {
    const { model, base, call } = await start();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/agents/alice/state`, { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write('x'.repeat(1024));
      req.end();
    });
    expect(status).toBe(413);
    expect(model.requests).toEqual([]);
    expect((await call('GET', '/agents/alice')).status).toBe(200);
  });

  it('500 with a JSON body for an unexpected failure, logged', async () => {
    const { call, model, entries } = await start();
    model.failWith = new Error('bug');
    expect(await call('POST', '/agents/alice/state', '{"state":"available"}')).toMatchObject({ status: 500, body: { error: 'internal', message: 'internal error' } });
    expect(entries.filter((e) => e.level >= 50).map((e) => e.msg)).toEqual(['admin API request failed']);
  });
});

describe('admin API: authentication', () => {
  it('with a token, every request needs "Authorization: Bearer <token>"', async () => {
    const { call, model } = await start({ token: TOKEN });
    const missing = await call('GET', '/agents');
    expect(missing).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect((await call('GET', '/agents', undefined, { Authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await call('GET', '/agents', undefined, { Authorization: `Bearer ${TOKEN.slice(0, -1)}` })).status).toBe(401);
    expect((await call('GET', '/agents', undefined, { Authorization: `Basic ${TOKEN}` })).status).toBe(401);
    expect((await call('POST', '/agents/alice/state', '{"state":"available"}', { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect(model.requests).toEqual([]);
    expect((await call('GET', '/agents', undefined, { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await call('GET', '/agents/nobody', undefined, { Authorization: `bearer ${TOKEN}` })).status).toBe(404);
  });

  it('refuses to listen on a non-loopback address without a token, before binding', async () => {
    const err = await startAdminServer({ listen: '0.0.0.0:0', model: new FakeModel() }).catch((e: unknown) => e);
    expect(isSwitchboardError(err, 'SB_CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/admin\.token is required/);
    await expect(startAdminServer({ listen: 'localhost:8080', model: new FakeModel() })).rejects.toThrow(/not ADDR:PORT/);
  });

  it('the configuration defaults to loopback and requires a token for any other address', () => {
    expect(parseConfig('{}', 'a.yaml').admin).toEqual({ listen: '127.0.0.1:8080' });
    expect(issuesOf('admin: { listen: "192.0.2.1:8080" }').map((i) => i.message)).toEqual([
      'a token is required because the admin API listens on 192.0.2.1:8080, which is not loopback',
    ]);
    expect(parseConfig(`admin: { listen: "192.0.2.1:8080", token: ${TOKEN} }`, 'a.yaml').admin.token).toBe(TOKEN);
  });
});
