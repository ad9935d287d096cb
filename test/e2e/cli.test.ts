import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertSippPassed, startSipp } from '../helpers/sipp.js';
import { freeLoopbackPort } from '../helpers/sipp-ports.js';
import { SIPP_FLOWS, SIPP_SCENARIOS } from '../helpers/sipp-scenarios.js';
import { UdpPeer, waitFor } from '../helpers/sip-peer.js';
import { loopbackRequest } from '../helpers/sip-text.js';
import { pidAlive, rtpPortRange } from '../helpers/rtp/managed-rtpengine.js';
import { testConfigYaml } from '../helpers/switchboard.js';

/**
 * The compiled `switchboard` command as users run it (`make test` builds dist/ first):
 * `engine` alone, and `start` with the engine in its worker thread and the application
 * on the main thread. Each process is stopped by its PID with SIGTERM and must exit 0.
 */
const CLI = resolve(import.meta.dirname, '../../dist/src/cli/main.js');
const children: ChildProcess[] = [];

function run(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SWITCHBOARD_LOG_LEVEL: 'info' } });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.pid !== undefined) process.kill(c.pid, 'SIGKILL');
});

async function options(port: number): Promise<number | undefined> {
  const peer = await UdpPeer.bind(0);
  try {
    const callId = `cli-${Date.now()}`;
    await peer.send(loopbackRequest('OPTIONS', { callId, to: port, from: peer.port }), port);
    await waitFor(() => peer.responsesFor(callId).length > 0, 3000);
    return peer.responsesFor(callId)[0]?.status;
  } finally {
    await peer.close();
  }
}

describe('switchboard engine', () => {
  it('answers on its SIP port without an application (503) and stops cleanly on SIGTERM', async () => {
    const port = await freeLoopbackPort();
    const p = run(['engine', '--sip', `udp:127.0.0.1:${port},tcp:127.0.0.1:${port}`]);
    expect(await waitFor(() => p.output().includes('switchboard engine started'), 10_000), p.output()).toBe(true);
    expect(await options(port)).toBe(503);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('refuses bad usage with exit 2 and a clear message', async () => {
    const p = run(['engine', '--sip', 'udp:example.com:5060']);
    expect(await p.exited).toBe(2);
    expect(p.output()).toMatch(/IP|address|literal/i);
    const q = run(['engine', '--sip', 'udp:127.0.0.1:0', '--control', '127.0.0.1:9022']);
    expect(await q.exited).toBe(2);
    expect(q.output()).toMatch(/--secret/);
  });
});

describe('switchboard start', () => {
  it('runs the engine, a managed rtpengine and the application and carries SIPp calls; exits 0 on SIGTERM, rtpengine stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-start-'));
    try {
      const uas = await startSipp({ scenario: SIPP_FLOWS.basic.uas, transport: 'udp', calls: 20 });
      const sipPort = await freeLoopbackPort();
      const controlPort = await freeLoopbackPort();
      const ngPort = await freeLoopbackPort();
      const adminPort = await freeLoopbackPort();
      const { portMin: rtpMin } = rtpPortRange();
      const config = join(dir, 'switchboard.yaml');
      writeFileSync(
        config,
        `sip:\n  listen: [udp:127.0.0.1:${sipPort}, tcp:127.0.0.1:${sipPort}]\n  control: { listen: 127.0.0.1:${controlPort} }\n` +
          `admin: { listen: 127.0.0.1:${adminPort} }\n` +
          `media:\n  rtpengine: { mode: managed, ng: 127.0.0.1:${ngPort}, port_min: ${rtpMin}, port_max: ${rtpMin + 99} }\n` +
          `  recordings: ${join(dir, 'recordings')}\n  voicemail: ${join(dir, 'voicemail')}\n` +
          testConfigYaml(`sip:service@127.0.0.1:${uas.localPort}`),
      );
      const p = run(['start', '--config', config]);
      expect(await waitFor(() => p.output().includes('switchboard started'), 15_000), p.output()).toBe(true);
      // pino's line has its own "pid" first; the child's, logged with the message, comes last and wins in JSON.parse.
      const running = p.output().split('\n').find((l) => l.includes('rtpengine running'));
      const pid = running === undefined ? 0 : (JSON.parse(running) as { pid: number }).pid;
      expect(pid, p.output()).toBeGreaterThan(0);
      expect(p.output()).toMatch(/"available":true[^\n]*media started/);
      // The admin API answers on its loopback port (no queues here: no agents).
      const agents = await fetch(`http://127.0.0.1:${adminPort}/agents`);
      expect(agents.status).toBe(200);
      expect(await agents.json()).toEqual({ agents: [] });
      const uac = await startSipp({ scenario: SIPP_FLOWS.basic.uac, transport: 'udp', calls: 20, rate: 20, target: `127.0.0.1:${sipPort}` });
      assertSippPassed(await uac.done);
      assertSippPassed(await uas.done);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      expect(pidAlive(pid)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('with sip.drachtio.mode external, the application drives a separate `switchboard engine`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-start-'));
    try {
      const uas = await startSipp({ scenario: SIPP_FLOWS.basic.uas, transport: 'udp', calls: 5 });
      const sipPort = await freeLoopbackPort();
      const controlPort = await freeLoopbackPort();
      const engine = run(['engine', '--sip', `udp:127.0.0.1:${sipPort}`, '--control', `127.0.0.1:${controlPort}`, '--secret', 'external-secret']);
      expect(await waitFor(() => engine.output().includes('switchboard engine started'), 10_000), engine.output()).toBe(true);
      const config = join(dir, 'switchboard.yaml');
      writeFileSync(
        config,
        `sip:
  drachtio: { mode: external, host: 127.0.0.1, port: ${controlPort}, secret: external-secret }
media: { rtpengine: { mode: off } }
admin: { listen: 127.0.0.1:${await freeLoopbackPort()} }
` +
          testConfigYaml(`sip:service@127.0.0.1:${uas.localPort}`),
      );
      const app = run(['start', '--config', config]);
      expect(await waitFor(() => app.output().includes('switchboard started'), 15_000), app.output()).toBe(true);
      const uac = await startSipp({ scenario: SIPP_FLOWS.basic.uac, transport: 'udp', calls: 5, rate: 5, target: `127.0.0.1:${sipPort}` });
      assertSippPassed(await uac.done);
      assertSippPassed(await uas.done);
      // The engine goes first: the application must still stop cleanly.
      engine.child.kill('SIGTERM');
      expect(await engine.exited).toBe(0);
      app.child.kill('SIGTERM');
      expect(await app.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('routes by the --test-clock instant (a Sunday: closed) and writes the CDR line before it exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-start-'));
    try {
      const sipPort = await freeLoopbackPort();
      const controlPort = await freeLoopbackPort();
      const config = join(dir, 'switchboard.yaml');
      const cdr = join(dir, 'cdr', 'calls.jsonl');
      writeFileSync(
        config,
        `sip:
  listen: [udp:127.0.0.1:${sipPort}]
  control: { listen: 127.0.0.1:${controlPort} }
trunks:
  lab:
    inbound: { sources: [127.0.0.0/8] }
schedules:
  office: { tz: Europe/Berlin, weekly: { mon-fri: "08:00-18:00" } }
routes:
  - name: closed
    match: { to: "1000", schedule: { not: office } }
    then: { reject: { status: 486, reason: Closed } }
  - name: open
    match: { to: "1000" }
    then: { reject: { status: 404 } }
cdr: { path: ${cdr} }
media: { rtpengine: { mode: off } }
admin: { listen: 127.0.0.1:${await freeLoopbackPort()} }
`,
      );
      const p = run(['start', '--config', config, '--test-clock', '2026-12-06T12:00:00Z']);
      expect(await waitFor(() => p.output().includes('switchboard started'), 15_000), p.output()).toBe(true);
      expect(p.output()).toContain('test clock in use');
      const uac = await startSipp({ scenario: SIPP_SCENARIOS['busy-uac'], transport: 'udp', calls: 1, target: `127.0.0.1:${sipPort}`, service: '1000' });
      assertSippPassed(await uac.done);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      const lines = readFileSync(cdr, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { rule: string; status: number; startedAt: string });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ rule: 'closed', status: 486 });
      expect(lines[0]!.startedAt.slice(0, 10)).toBe('2026-12-06');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a --test-clock that is no instant (exit 2)', async () => {
    const p = run(['start', '--config', 'config/switchboard.example.yaml', '--test-clock', 'tomorrow']);
    expect(await p.exited).toBe(2);
    expect(p.output()).toMatch(/--test-clock "tomorrow" is not an ISO-8601 instant/);
  });

  it('rejects an invalid configuration with file:line:column and exit 1, starting nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-start-'));
    try {
      const config = join(dir, 'bad.yaml');
      writeFileSync(config, 'routes:\n  - name: x\n    then: { ring: { targets: [nobody] } }\n    colour: blue\n');
      const p = run(['start', '--config', config]);
      expect(await p.exited).toBe(1);
      expect(p.output()).toMatch(/bad\.yaml:\d+:\d+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
