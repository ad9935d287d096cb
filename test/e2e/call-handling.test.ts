import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CdrWriter, type CallRecord } from '../../src/cdr/index.js';
import type { B2buaOptions } from '../../src/app/b2bua.js';
import type { CallReport } from '../../src/app/call/call-flow.js';
import { ScriptedUas, type UasBehaviour } from '../helpers/scripted-uas.js';
import { waitFor } from '../helpers/sip-peer.js';
import { assertSippPassed, liveSippPids, startSipp, type SippRun } from '../helpers/sipp.js';
import { SIPP_SCENARIOS, type SippScenario } from '../helpers/sipp-scenarios.js';
import { startSwitchboard, type TestSwitchboard } from '../helpers/switchboard.js';

/**
 * Issue 5: routing decisions carried out on real calls. SIPp is the caller and most
 * callees (phones, gateways); a scripted UDP callee plays the parts SIPp cannot (an
 * answer that crosses our CANCEL, a gateway that never responds) and shows the headers
 * Switchboard sends. Every callee is on its own loopback port.
 */
let sb: TestSwitchboard;
let reports: CallReport[] = [];
let dir: string;
let cdr: CdrWriter;
let cdrFile = 0;
const scripted: ScriptedUas[] = [];
const sipps: SippRun[] = [];

beforeAll(async () => {
  sb = await startSwitchboard();
  dir = mkdtempSync(join(tmpdir(), 'sb-calls-'));
});

afterEach(async () => {
  await Promise.all(scripted.splice(0).map((u) => u.close()));
  await Promise.all(sipps.splice(0).map((s) => s.stop()));
});

afterAll(async () => {
  await sb?.stop();
  rmSync(dir, { recursive: true, force: true });
  expect(liveSippPids()).toEqual([]);
});

const TRUNK = `
trunks:
  lab:
    inbound: { sources: [127.0.0.0/8] }
`;

async function callee(behaviour: UasBehaviour): Promise<ScriptedUas> {
  const u = await ScriptedUas.start(behaviour);
  scripted.push(u);
  return u;
}

async function sippCallee(scenario: SippScenario, calls = 1, keys: Record<string, string> = {}): Promise<{ run: SippRun; uri: string }> {
  const run = await startSipp({ scenario, transport: 'udp', calls, keys, timeoutSeconds: 30 });
  sipps.push(run);
  return { run, uri: `sip:phone@127.0.0.1:${run.localPort}` };
}

async function configure(yaml: string, options: Omit<B2buaOptions, 'config' | 'router'> = {}): Promise<void> {
  reports = [];
  cdr = new CdrWriter({ path: join(dir, `cdr-${++cdrFile}.jsonl`) });
  await sb.configure(TRUNK + yaml, { ...options, cdr, onCallEnd: (r) => reports.push(r) });
}

/** SIPp callers: `calls` calls to `service`, one at a time; resolves with the finished run. */
async function place(scenario: SippScenario, opts: { calls?: number; service?: string; keys?: Record<string, string> } = {}) {
  const calls = opts.calls ?? 1;
  const uac = await startSipp({ scenario, transport: 'udp', calls, target: `127.0.0.1:${sb.engine.udpPort}`, service: opts.service ?? '1000', keys: opts.keys, timeoutSeconds: 30, rate: 5, maxConcurrent: 1 });
  const result = await uac.done;
  expect(await waitFor(() => reports.length >= calls, 10_000), `${reports.length}/${calls} call reports`).toBe(true);
  // One CDR line per call, telling the same story as the report.
  await cdr.close();
  const lines = readFileSync(join(dir, `cdr-${cdrFile}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as CallRecord);
  const story = (r: { callId: string; status: number; rule: string | null }, outcomes: string[], by: string) => [r.callId, r.status, r.rule, outcomes, by];
  expect(lines.map((l) => story(l, l.targets.map((t) => t.outcome), l.hungUpBy))).toEqual(
    reports.map((r) => story(r, r.legs.map((l) => l.outcome), r.hungUpBy ?? 'system')),
  );
  return result;
}

const ok = SIPP_SCENARIOS['basic-uac'];

describe('simultaneous ring', () => {
  it('rings every target at once; the first answer wins and the others are cancelled', async () => {
    const ringing = await sippCallee(SIPP_SCENARIOS['cancel-uas']);
    const quiet = await callee({ kind: 'ring' });
    const answering = await sippCallee(SIPP_SCENARIOS['basic-uas'], 1, { ring_ms: '300' });
    await configure(`
routes:
  - name: all
    match: { to: "1000" }
    then: { ring: { targets: ["${ringing.uri}", "${quiet.uri}", "${answering.uri}"], mode: simultaneous, timeout: 10s } }
`);
    assertSippPassed(await place(ok));
    assertSippPassed(await answering.run.done);
    assertSippPassed(await ringing.run.done); // it expects the CANCEL
    expect(quiet.methods()).toEqual(['INVITE', 'CANCEL', 'ACK']);
    const [r] = reports;
    expect(r).toMatchObject({ rule: 'all', path: ['ring:simultaneous'], status: 200, hungUpBy: 'caller' });
    expect(r!.legs.map((l) => l.outcome).sort()).toEqual(['answered', 'cancelled', 'cancelled']);
  }, 60_000);

  it('ACKs and hangs up a loser whose answer crossed the CANCEL', async () => {
    const winner = await sippCallee(SIPP_SCENARIOS['basic-uas'], 1, { ring_ms: '200' });
    const late = await callee({ kind: 'answerOnCancel' });
    await configure(`
routes:
  - name: race
    match: { to: "1000" }
    then: { ring: { targets: ["${winner.uri}", "${late.uri}"], mode: simultaneous, timeout: 10s } }
`);
    assertSippPassed(await place(ok));
    expect(await waitFor(() => late.methods().includes('BYE'), 5000)).toBe(true);
    expect(late.methods()).toEqual(['INVITE', 'CANCEL', 'ACK', 'BYE']);
    assertSippPassed(await winner.run.done);
  }, 60_000);

  it("cancels every B leg when the caller cancels", async () => {
    const a = await callee({ kind: 'ring' });
    const b = await callee({ kind: 'ring' });
    const c = await sippCallee(SIPP_SCENARIOS['cancel-uas']);
    await configure(`
routes:
  - name: all
    match: { to: "1000" }
    then: { ring: { targets: ["${a.uri}", "${b.uri}", "${c.uri}"], mode: simultaneous, timeout: 10s } }
`);
    assertSippPassed(await place(SIPP_SCENARIOS['cancel-uac'], { keys: { cancel_after_ms: '400' } }));
    assertSippPassed(await c.run.done);
    expect(await waitFor(() => a.methods().includes('ACK') && b.methods().includes('ACK'), 5000)).toBe(true);
    expect(a.methods()).toEqual(['INVITE', 'CANCEL', 'ACK']);
    expect(b.methods()).toEqual(['INVITE', 'CANCEL', 'ACK']);
    expect(reports[0]).toMatchObject({ status: 487, hungUpBy: 'caller' });
  }, 60_000);
});

describe('sequential hunt and fallbacks', () => {
  it('moves to the next target when one rings out its own timeout', async () => {
    const first = await callee({ kind: 'ring' });
    const second = await sippCallee(SIPP_SCENARIOS['basic-uas']);
    await configure(`
routes:
  - name: hunt
    match: { to: "1000" }
    then:
      ring:
        mode: sequential
        targets: [{ uri: "${first.uri}", timeout: 1s }, "${second.uri}"]
`);
    assertSippPassed(await place(ok));
    assertSippPassed(await second.run.done);
    expect(first.methods()).toEqual(['INVITE', 'CANCEL', 'ACK']);
    expect(reports[0]!.legs.map((l) => [l.outcome, l.uri])).toEqual([
      ['no_answer', first.uri],
      ['answered', second.uri],
    ]);
  }, 60_000);

  it.each<[string, UasBehaviour, string]>([
    ['busy (486)', { kind: 'reject', status: 486 }, 'busy'],
    ['busy everywhere (600)', { kind: 'reject', status: 600 }, 'busy'],
    ['no answer (480)', { kind: 'reject', status: 480 }, 'no_answer'],
    ['no answer (408)', { kind: 'reject', status: 408 }, 'no_answer'],
    ['failure (500)', { kind: 'reject', status: 500 }, 'failure'],
  ])('runs the next action on %s', async (_name, behaviour, outcome) => {
    const first = await callee(behaviour);
    const next = await sippCallee(SIPP_SCENARIOS['basic-uas']);
    await configure(`
routes:
  - name: fallback
    match: { to: "1000" }
    then:
      - ring: "${first.uri}"
        continue_on: [${outcome}]
      - ring: "${next.uri}"
`);
    assertSippPassed(await place(ok));
    assertSippPassed(await next.run.done);
    expect(reports[0]).toMatchObject({ path: ['ring', 'ring'], status: 200 });
    expect(reports[0]!.legs[0]).toMatchObject({ outcome, status: (behaviour as { status: number }).status });
  }, 60_000);

  it('relays busy to the caller when busy is not a reason to go on', async () => {
    const busy = await sippCallee(SIPP_SCENARIOS['busy-uas']);
    const unused = await callee({ kind: 'answer', afterMs: 0 });
    await configure(`
routes:
  - name: strict
    match: { to: "1000" }
    then:
      - ring: "${busy.uri}"
        continue_on: [no_answer]
      - ring: "${unused.uri}"
`);
    assertSippPassed(await place(SIPP_SCENARIOS['busy-uac']));
    assertSippPassed(await busy.run.done);
    expect(unused.invites()).toHaveLength(0);
    expect(reports[0]).toMatchObject({ status: 486, path: ['ring'] });
  }, 60_000);
});

describe('gateway failover', () => {
  it('tries the next gateway on 503 and skips the first for its Retry-After', async () => {
    const gw1 = await sippCallee(SIPP_SCENARIOS['unavailable-uas'], 1, { retry_after: '60' });
    const gw2 = await sippCallee(SIPP_SCENARIOS['basic-uas'], 2);
    const gw1Uri = `sip:127.0.0.1:${gw1.run.localPort}`;
    await configure(`
  pstn:
    outbound: { gateways: ["${gw1Uri}", "sip:127.0.0.1:${gw2.run.localPort}"] }
routes:
  - name: out
    match: { to: "1000" }
    then: { forward: { to: { number: "+14155550123", trunk: pstn } } }
`);
    assertSippPassed(await place(ok, { calls: 2 }));
    assertSippPassed(await gw1.run.done); // exactly one call: the second skipped it
    assertSippPassed(await gw2.run.done);
    expect(reports.map((r) => r.legs.map((l) => [l.uri.replace(/@.*/, ''), l.outcome, l.status]))).toEqual([
      [
        ['sip:+14155550123', 'failure', 503],
        ['sip:+14155550123', 'answered', 200],
      ],
      [['sip:+14155550123', 'answered', 200]],
    ]);
  }, 60_000);

  it('tries the next gateway when one does not respond within failover_timeout', async () => {
    const dead = await callee({ kind: 'silent' });
    const alive = await sippCallee(SIPP_SCENARIOS['basic-uas']);
    await configure(`
  pstn:
    outbound:
      gateways: ["sip:127.0.0.1:${dead.port}", "sip:127.0.0.1:${alive.run.localPort}"]
      failover_timeout: 500ms
routes:
  - name: out
    match: { to: "1000" }
    then: { forward: { to: { number: "+14155550123", trunk: pstn } } }
`);
    assertSippPassed(await place(ok));
    assertSippPassed(await alive.run.done);
    expect(dead.invites()).toHaveLength(1);
    expect(reports[0]!.legs.map((l) => l.outcome)).toEqual(['failure', 'answered']);
  }, 60_000);
});

describe('forward, reject, headers', () => {
  it('forwards with Diversion, Max-Forwards minus one, and nothing of the caller leg inside', async () => {
    const target = await callee({ kind: 'answer', afterMs: 50 });
    await configure(`
  sip:
    headers: { copy: [X-Tier] }
routes:
  - name: fwd
    match: { to: "1000" }
    then: { forward: { to: "${target.uri}" } }
`.replace('\n  sip:', '\nsip:'));
    assertSippPassed(await place(ok));
    const invite = target.invites()[0]!;
    expect(invite.get('diversion')).toMatch(/^<sip:1000@[^>]+>;reason=unconditional;counter=1$/);
    expect(invite.get('max-forwards')).toBe('69');
    expect(invite.getAll('via')).toHaveLength(1);
    expect(invite.get('via')).toContain(`127.0.0.1:${sb.engine.udpPort}`);
    expect(invite.callId).not.toBe(reports[0]!.callId);
    expect(invite.get('contact')).not.toContain('SIPp');
    expect(reports[0]).toMatchObject({ path: ['forward'], status: 200 });
  }, 60_000);

  it('rejects with the configured status', async () => {
    await configure(`
routes:
  - name: closed
    match: { to: "1000" }
    then: { reject: { status: 486, reason: Closed } }
`);
    assertSippPassed(await place(SIPP_SCENARIOS['busy-uac']));
    expect(reports[0]).toMatchObject({ status: 486, reason: 'Closed', path: ['reject:486'], legs: [] });
  }, 60_000);
});

describe('follow-the-sun on an injected clock', () => {
  it.each([
    ['2026-12-07T15:00:00Z', 'new-york'], // 10:00 in New York, 16:00 in Berlin: the first open site
    ['2026-12-07T08:00:00Z', 'berlin'], // 03:00 in New York, 09:00 in Berlin
  ])('at %s the call goes to %s', async (instant, site) => {
    const ny = await callee({ kind: 'answer', afterMs: 0 });
    const berlin = await callee({ kind: 'answer', afterMs: 0 });
    await configure(
      `
schedules:
  ny: { tz: America/New_York, weekly: { mon-fri: "08:00-18:00" } }
  de: { tz: Europe/Berlin, weekly: { mon-fri: "08:00-18:00" } }
routes:
  - name: sun
    match: { to: "1000" }
    then:
      follow_the_sun:
        sites:
          - { name: new-york, schedule: ny, then: { ring: "${ny.uri}" } }
          - { name: berlin, schedule: de, then: { ring: "${berlin.uri}" } }
        fallback: { reject: { status: 480 } }
`,
      { now: () => Date.parse(instant) },
    );
    assertSippPassed(await place(ok));
    expect(ny.invites()).toHaveLength(site === 'new-york' ? 1 : 0);
    expect(berlin.invites()).toHaveLength(site === 'berlin' ? 1 : 0);
  }, 60_000);
});
