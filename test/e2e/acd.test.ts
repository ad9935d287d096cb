/**
 * The ACD carrying real calls: callers (test user agents over UDP, and SIPp) routed to
 * queues, agents as SIP user agents on their own loopback ports (static contacts), the
 * production application on the embedded engine, and the queue events it emits. Times are
 * real but short (seconds); assertions only use lower bounds on time, never upper ones.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { QueueEventRecord } from '../../src/acd/index.js';
import type { B2buaApp } from '../../src/app/b2bua.js';
import type { CallReport } from '../../src/app/call/call-flow.js';
import { MediaCaller } from '../helpers/media-caller.js';
import { assertSippPassed, startSipp } from '../helpers/sipp.js';
import { SIPP_FLOWS } from '../helpers/sipp-scenarios.js';
import { ScriptedUas, type UasBehaviour } from '../helpers/scripted-uas.js';
import { sleep, waitFor } from '../helpers/sip-peer.js';
import { startSwitchboard, type TestSwitchboard } from '../helpers/switchboard.js';

let sb: TestSwitchboard;
let app: B2buaApp;
const reports: CallReport[] = [];
const events: QueueEventRecord[] = [];
const closers: Array<() => void | Promise<void>> = [];

beforeAll(async () => {
  sb = await startSwitchboard();
});

afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

afterAll(async () => {
  await sb?.stop();
});

async function agent(behaviour: UasBehaviour = { kind: 'answer', afterMs: 50 }): Promise<ScriptedUas> {
  const uas = await ScriptedUas.start(behaviour);
  closers.push(() => uas.close());
  return uas;
}

async function caller(): Promise<MediaCaller> {
  const c = await MediaCaller.open();
  closers.push(() => c.close());
  return c;
}

/** Agents a1… on these UAS ports (static contacts, no registration needed) and the queues/routes given. */
async function configure(agents: Record<string, { port: number; extra?: string }>, rest: string): Promise<void> {
  reports.length = 0;
  events.length = 0;
  const users = Object.entries(agents).map(([id, a]) => `  ${id}: { contacts: ["sip:${id}@127.0.0.1:${a.port}"] }`).join('\n');
  const agentLines = Object.entries(agents).map(([id, a]) => `  ${id}: { ${a.extra ?? ''} }`).join('\n');
  app = await sb.configure(`trunks:\n  lab: { inbound: { sources: [127.0.0.0/8] } }\nusers:\n${users}\nagents:\n${agentLines}\n${rest}`, { onCallEnd: (r) => reports.push(r) });
  app.acd!.events.on((e) => events.push(e));
}

/** A call into the queue; resolves once it is in line (its call-entered event). */
async function queued(number = '1000'): Promise<{ c: MediaCaller; status: Promise<number> }> {
  const c = await caller();
  const status = c.invite(sb.engine.udpPort, number, 30_000);
  expect(await waitFor(() => events.some((e) => e.type === 'call-entered' && e.callId === c.callId), 5000)).toBe(true);
  return { c, status };
}

function agentOf(callId: string): string | undefined {
  const e = events.find((x) => x.type === 'call-answered' && x.callId === callId);
  return e !== undefined && 'agentId' in e ? (e.agentId ?? undefined) : undefined;
}

describe('dispatch', () => {
  it('serves callers in order by the longest-idle agent across three agents', async () => {
    const [u1, u2, u3] = [await agent(), await agent(), await agent()];
    await configure({ a1: { port: u1.port }, a2: { port: u2.port }, a3: { port: u3.port } }, `queues:\n  q: { members: [a1, a2, a3] }\nroutes:\n  - name: q\n    then: { queue: q }\n`);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { c, status } = await queued();
      expect(await status).toBe(200);
      order.push(agentOf(c.callId)!);
      expect(await c.bye()).toBe(200);
      await waitFor(() => events.some((e) => e.type === 'call-completed' && e.callId === c.callId), 5000);
      await sleep(20); // the idle clock has millisecond resolution
    }
    // Each agent becomes the longest idle again only after the other two have had a call.
    expect(order.slice(0, 3).sort()).toEqual(['a1', 'a2', 'a3']);
    expect(order[3]).toBe(order[0]);
  });

  it('serves a priority caller ahead of an earlier one', async () => {
    const u = await agent();
    await configure(
      { a1: { port: u.port } },
      `queues:\n  q: { members: [a1] }\nroutes:\n  - name: vip\n    match: { to: "2000" }\n    then: { queue: { name: q, priority: 10 } }\n  - name: q\n    then: { queue: q }\n`,
    );
    const busy = await queued();
    expect(await busy.status).toBe(200);
    const early = await queued('1000');
    const vip = await queued('2000');
    expect(await busy.c.bye()).toBe(200);
    expect(await vip.status).toBe(200);
    expect(agentOf(vip.c.callId)).toBe('a1');
    expect(early.c.finalResponse()).toBeUndefined();
    expect(await vip.c.bye()).toBe(200);
    expect(await early.status).toBe(200);
    expect(await early.c.bye()).toBe(200);
  });

  it('picks agents by skill, and relaxes the requirement after the configured wait', async () => {
    const [expert, novice] = [await agent(), await agent()];
    await configure(
      { expert: { port: expert.port, extra: 'skills: { fr: 5 }' }, novice: { port: novice.port, extra: 'skills: { fr: 1 }' } },
      `queues:\n  q:\n    members: [novice, expert]\n    skills: { need: { fr: 4 }, relax: [{ after: 2s, need: { fr: 1 } }] }\nroutes:\n  - name: q\n    then: { queue: q }\n`,
    );
    // The expert takes the first call although the novice is listed first and as idle.
    const first = await queued();
    expect(await first.status).toBe(200);
    expect(agentOf(first.c.callId)).toBe('expert');
    // With the expert busy, the second caller waits until the requirement relaxes to fr >= 1.
    const t0 = Date.now();
    const second = await queued();
    expect(await second.status).toBe(200);
    expect(agentOf(second.c.callId)).toBe('novice');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    await first.c.bye();
    await second.c.bye();
  });

  it('is fair across queues: a free agent takes the longest-waiting call of all its queues', async () => {
    const u = await agent();
    await configure(
      { a1: { port: u.port } },
      `queues:\n  sales: { members: [a1] }\n  support: { members: [a1] }\nroutes:\n  - name: sales\n    match: { to: "1000" }\n    then: { queue: sales }\n  - name: support\n    then: { queue: support }\n`,
    );
    const busy = await queued('1000');
    expect(await busy.status).toBe(200);
    const support = await queued('3000'); // waits longer
    await sleep(50);
    const sales = await queued('1000');
    expect(await busy.c.bye()).toBe(200);
    expect(await support.status).toBe(200);
    expect(sales.c.finalResponse()).toBeUndefined();
    expect(await support.c.bye()).toBe(200);
    expect(await sales.status).toBe(200);
    expect(await sales.c.bye()).toBe(200);
  });
});

describe('with SIPp', () => {
  it('SIPp callers are spread over three SIPp agents in longest-idle rotation', async () => {
    const uas = await Promise.all([1, 2, 3].map(() => startSipp({ scenario: SIPP_FLOWS.basic.uas, transport: 'udp', calls: 3, timeoutSeconds: 60 })));
    await configure(
      { s1: { port: uas[0]!.localPort }, s2: { port: uas[1]!.localPort }, s3: { port: uas[2]!.localPort } },
      `queues:\n  q: { members: [s1, s2, s3] }\nroutes:\n  - name: q\n    then: { queue: q }\n`,
    );
    // One call at a time (-l 1), so each agent is idle again before the next call.
    const uac = await startSipp({ scenario: SIPP_FLOWS.basic.uac, transport: 'udp', calls: 9, rate: 5, maxConcurrent: 1, target: `127.0.0.1:${sb.engine.udpPort}`, timeoutSeconds: 60 });
    assertSippPassed(await uac.done);
    for (const u of uas) assertSippPassed(await u.done);
    const answered = events.flatMap((e) => (e.type === 'call-answered' && 'agentId' in e ? [e.agentId] : []));
    expect(answered).toHaveLength(9);
    // Rotation: every window of three consecutive calls went to three different agents.
    for (let i = 0; i + 3 <= answered.length; i++) expect(new Set(answered.slice(i, i + 3)).size).toBe(3);
  });
});

describe('agents', () => {
  it('offers the call to the next agent when one does not answer, and pauses that agent after N misses', async () => {
    const [sleepy, awake] = [await agent({ kind: 'ring' }), await agent()];
    await configure(
      { sleepy: { port: sleepy.port }, awake: { port: awake.port } },
      `queues:\n  q:\n    strategy: linear\n    members: [sleepy, awake]\n    offer: { ring_timeout: 1s, retry_delay: 0s, auto_pause_after: 1 }\nroutes:\n  - name: q\n    then: { queue: q }\n`,
    );
    const { c, status } = await queued();
    expect(await status).toBe(200);
    expect(sleepy.invites()).toHaveLength(1);
    expect(sleepy.methods()).toContain('CANCEL');
    expect(agentOf(c.callId)).toBe('awake');
    expect(events.some((e) => e.type === 'offer-missed' && 'agentId' in e && e.agentId === 'sleepy')).toBe(true);
    expect(app.acd!.agents.get('sleepy')).toMatchObject({ state: 'paused', pauseReason: 'missed-offers' });
    expect(await c.bye()).toBe(200);
  });

  it('respects wrap-up: the next call waits until the agent has wrapped up', async () => {
    const u = await agent();
    await configure({ a1: { port: u.port, extra: 'wrap_up: 2s' } }, `queues:\n  q: { members: [a1] }\nroutes:\n  - name: q\n    then: { queue: q }\n`);
    const first = await queued();
    expect(await first.status).toBe(200);
    const second = await queued();
    // A queue without music keeps its callers ringing, unanswered.
    expect(await waitFor(() => second.c.responses.some((r) => r.status === 180), 5000)).toBe(true);
    const ended = Date.now();
    expect(await first.c.bye()).toBe(200);
    expect(await second.status).toBe(200);
    expect(Date.now() - ended).toBeGreaterThanOrEqual(1900);
    expect(await second.c.bye()).toBe(200);
  });
});

describe('leaving the queue', () => {
  it('counts a caller who hangs up while waiting, and one who hangs up while an agent rings (its leg is cancelled)', async () => {
    const u = await agent({ kind: 'ring' });
    await configure({ a1: { port: u.port } }, `queues:\n  q:\n    members: [a1]\n    offer: { ring_timeout: 30s }\nroutes:\n  - name: q\n    then: { queue: q }\n`);
    const ringing = await queued();
    expect(await waitFor(() => u.invites().length === 1, 5000)).toBe(true);
    const waiting = await queued();
    await waiting.c.cancel();
    expect(await waiting.status).toBe(487);
    await ringing.c.cancel();
    expect(await ringing.status).toBe(487);
    expect(await waitFor(() => u.methods().includes('CANCEL'), 5000)).toBe(true);
    expect(await waitFor(() => events.filter((e) => e.type === 'call-abandoned').length === 2, 5000)).toBe(true);
    expect(u.invites()).toHaveLength(1);
  });

  it('gives up after offer.retries missed offers and runs on_timeout', async () => {
    const u = await agent({ kind: 'ring' });
    await configure(
      { a1: { port: u.port } },
      `queues:\n  q:\n    members: [a1]\n    offer: { ring_timeout: 1s, retry_delay: 0s, retries: 1 }\n    on_timeout: { reject: { status: 480, reason: Nobody Answers } }\nroutes:\n  - name: q\n    then: { queue: q }\n`,
    );
    const { status } = await queued();
    expect(await status).toBe(480);
    expect(u.invites()).toHaveLength(2);
    expect(events.filter((e) => e.type === 'offer-missed')).toHaveLength(2);
    expect(events.find((e) => e.type === 'call-overflowed')).toMatchObject({ reason: 'max-offers' });
  });

  it('overflows on max wait to on_timeout, and on max size to on_full', async () => {
    const u = await agent({ kind: 'ring' });
    await configure(
      { a1: { port: u.port } },
      `queues:\n  q:\n    members: [a1]\n    max_size: 1\n    max_wait: 2s\n    on_full: { reject: { status: 486, reason: Queue Full } }\n    on_timeout: { reject: { status: 480, reason: Nobody Free } }\nroutes:\n  - name: q\n    then: { queue: q }\n`,
    );
    // No agent is logged in (paused by the admin API), so the first caller waits.
    app.acd!.agents.setState('a1', { state: 'paused', reason: 'meeting' });
    const first = await queued();
    const second = await caller();
    expect(await second.invite(sb.engine.udpPort, '1000')).toBe(486);
    expect(await first.status).toBe(480);
    expect(events.filter((e) => e.type === 'call-overflowed').map((e) => ('reason' in e ? e.reason : ''))).toEqual(['max-wait']);
    expect(u.invites()).toHaveLength(0);
  });
});

describe('queue log', () => {
  it('appends each queue event once, in order, with timestamps, to queue_log.path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-queue-log-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'queue.jsonl');
    const u = await agent();
    await configure({ a1: { port: u.port } }, `queue_log: { path: ${path} }\nqueues:\n  q: { members: [a1] }\nroutes:\n  - name: q\n    then: { queue: q }\n`);
    const { c, status } = await queued();
    expect(await status).toBe(200);
    expect(await c.bye()).toBe(200);
    expect(await waitFor(() => events.some((e) => e.type === 'call-completed'), 5000)).toBe(true);
    await app.shutdown();
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; at: string; type: string; callId?: string });
    const ofCall = lines.filter((l) => l.callId === c.callId).map((l) => l.type);
    expect(ofCall).toEqual(['call-entered', 'call-offered', 'call-answered', 'call-completed']);
    expect(lines.map((l) => l.seq)).toEqual([...lines.map((l) => l.seq)].sort((a, b) => a - b));
    expect(new Set(lines.map((l) => l.seq)).size).toBe(lines.length);
    for (const l of lines) expect(Number.isNaN(Date.parse(l.at))).toBe(false);
    expect(lines.some((l) => l.type === 'agent-state-changed')).toBe(true);
  });
});
