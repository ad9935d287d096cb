/**
 * Load bench: SIPp UAC → Switchboard (engine in its worker thread + the drachtio-srf
 * B2BUA on the main thread, as `switchboard start` runs them) → SIPp UAS, basic call
 * flow (INVITE/100/180/200/ACK/BYE/200), stepped call rates. Loopback only; every SIPp
 * run is bounded by -m and -timeout and stopped by PID.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/b2bua-load.bench.js [rate …] [--seconds N]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { B2buaApp } from '../src/app/b2bua.js';
import { parseConfig } from '../src/config/index.js';
import { EngineThread } from '../src/engine/worker/engine-thread.js';
import { compileRouter } from '../src/routing/index.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Scenarios live with the e2e tests (…/test/e2e/sipp), from src or from dist. */
const SCENARIOS = [resolve(here, '../test/e2e/sipp'), resolve(here, '../../test/e2e/sipp')].find((d) => {
  try {
    return readdirSync(d).includes('basic-uac.xml');
  } catch {
    return false;
  }
})!;
const SIPP = process.env['SWITCHBOARD_SIPP'] ?? '/usr/bin/sipp';

export interface StepResult {
  readonly rate: number;
  readonly seconds: number;
  readonly calls: number;
  readonly successful: number;
  readonly failed: number;
  readonly retransmissions: number;
  readonly achievedCps: number;
  /** CPU time of this process (engine thread + application thread) per call, ms; 0 for the baseline. */
  readonly cpuMsPerCall: number;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

/** Runs SIPp to completion (bounded) and returns the last row of its statistics CSV. */
function sipp(args: string[], dir: string, wallMs: number): Promise<Record<string, string>> {
  return new Promise((res) => {
    const child = spawn(SIPP, [...args, '-trace_stat', '-stf', join(dir, 'stat.csv'), '-fd', '1', '-nostdin'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-500)));
    const kill = setTimeout(() => child.kill('SIGKILL'), wallMs);
    child.on('exit', (code) => {
      clearTimeout(kill);
      let row: Record<string, string> = { exit: String(code), stderr: stderr.trim() };
      try {
        const lines = readFileSync(join(dir, 'stat.csv'), 'utf8').trim().split('\n');
        const head = lines[0]!.split(';');
        const last = lines[lines.length - 1]!.split(';');
        row = { ...row, ...Object.fromEntries(head.map((h, i) => [h, last[i] ?? ''])) };
      } catch {
        // no statistics: reported as zero calls
      }
      res(row);
    });
  });
}

/** One step: `sipPort` is Switchboard's SIP port, or undefined for SIPp calling SIPp directly (the baseline). */
async function step(rate: number, seconds: number, sipPort: number | undefined): Promise<StepResult> {
  const calls = rate * seconds;
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-'));
  const uasDir = mkdtempSync(join(tmpdir(), 'sb-bench-uas-'));
  const uasPort = await freePort();
  const common = ['-t', 'u1', '-i', '127.0.0.1', '-buff_size', '4194304', '-timeout', String(seconds + 30), '-timeout_error', '-key', 'linger_ms', '0'];
  const uas = sipp(['-sf', join(SCENARIOS, 'basic-uas.xml'), '-p', String(uasPort), '-m', String(calls), '-key', 'ring_ms', '0', ...common], uasDir, (seconds + 40) * 1000);
  await new Promise((r) => setTimeout(r, 300));
  if (sipPort !== undefined) {
    routeTo = `sip:service@127.0.0.1:${uasPort}`;
    await reconnect();
  }
  const started = Date.now();
  const cpuBefore = process.cpuUsage();
  const uacRow = await sipp(
    [
      '-sf', join(SCENARIOS, 'basic-uac.xml'), '-key', 'caller', 'bench', '-key', 'hold_ms', '0', '-p', String(await freePort()),
      '-r', String(rate), '-m', String(calls), '-l', String(Math.max(100, rate * 2)), ...common, `127.0.0.1:${sipPort ?? uasPort}`,
    ],
    dir,
    (seconds + 40) * 1000,
  );
  const elapsed = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await uas;
  rmSync(dir, { recursive: true, force: true });
  rmSync(uasDir, { recursive: true, force: true });
  if (uacRow['SuccessfulCall(C)'] === undefined) {
    throw new Error(`SIPp wrote no statistics at ${rate} calls/s (exit ${uacRow['exit']}): ${uacRow['stderr'] ?? ''}`);
  }
  const successful = Number(uacRow['SuccessfulCall(C)'] ?? 0);
  return {
    rate,
    seconds,
    calls,
    successful,
    failed: Number(uacRow['FailedCall(C)'] ?? calls),
    retransmissions: Number(uacRow['Retransmissions(C)'] ?? 0),
    achievedCps: Math.round(successful / elapsed),
    cpuMsPerCall: sipPort === undefined || successful === 0 ? 0 : (cpu.user + cpu.system) / 1000 / successful,
  };
}

let routeTo = '';
let app: B2buaApp | undefined;
let reconnect: () => Promise<void> = async () => undefined;

/** SIPp UAC straight to SIPp UAS at `rate`: the load generator's own result on this machine. */
export function runBaselineStep(rate: number, seconds: number): Promise<StepResult> {
  return step(rate, seconds, undefined);
}

export function formatStep(r: StepResult): string {
  const cpu = r.cpuMsPerCall > 0 ? `  ${r.cpuMsPerCall.toFixed(3)} ms CPU/call` : '';
  return `  ${String(r.rate).padStart(5)} cps offered  ${String(r.achievedCps).padStart(5)} cps done  ${r.successful}/${r.calls} ok  ${r.failed} failed  ${r.retransmissions} retransmissions${cpu}`;
}

export async function runB2buaLoadBench(rates: number[], seconds: number, stopOnFailure = true): Promise<StepResult[]> {
  const sipPort = await freePort();
  const controlPort = await freePort();
  const secret = 'bench-secret';
  const engine = await EngineThread.start({ sip: [`udp:127.0.0.1:${sipPort}`], control: { host: '127.0.0.1', port: controlPort, secret }, logLevel: 'warn' });
  reconnect = async () => {
    app?.disconnect();
    const yaml = `trunks:\n  bench: { inbound: { sources: [127.0.0.0/8] } }\nroutes:\n  - name: all\n    match: { to: { pattern: ".*" } }\n    then: { ring: "${routeTo}" }\n`;
    const config = parseConfig(yaml, 'bench.yaml');
    app = new B2buaApp({ config, router: compileRouter(config) });
    await app.connect({ host: '127.0.0.1', port: controlPort, secret });
    await new Promise((r) => setTimeout(r, 200));
  };
  const results: StepResult[] = [];
  try {
    for (const rate of rates) {
      const r = await step(rate, seconds, sipPort);
      results.push(r);
      console.log(formatStep(r));
      if (stopOnFailure && r.failed > 0) break;
    }
  } finally {
    app?.disconnect();
    await engine.stop();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const secondsAt = args.indexOf('--seconds');
  const seconds = secondsAt >= 0 ? Number(args[secondsAt + 1]) : 10;
  const rates = args.filter((a, i) => !a.startsWith('--') && i !== secondsAt + 1).map(Number);
  console.log(`B2BUA load (basic call, UDP, ${seconds} s per step): SIPp → Switchboard → SIPp`);
  await runB2buaLoadBench(rates.length > 0 ? rates : [100, 250, 500, 750, 1000, 1250, 1500], seconds);
}
