/**
 * The load runner's order of work: SIPp → SIPp ramp (the generator's ceiling), the
 * ramp through Switchboard, concurrency, overload at 1.5 × the max, then the optional
 * soak and registration storm; prints each step and writes JSON + Markdown results.
 *
 * @example
 *   await runLoad(parseLoadOptions(['--quick']));
 */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { runConcurrency, type ConcurrencyResult } from './concurrency.js';
import type { Verdict } from './criteria.js';
import type { LoadOptions } from './options.js';
import { runOverload, type OverloadResult } from './overload.js';
import { runRamp, type RampResult } from './ramp.js';
import { markdownReport, writeLoadReport, type LoadReport } from './report.js';
import { SCENARIOS } from './scenarios.js';
import { runSoak, SETTLE_MINUTES, type SoakResult } from './soak.js';
import { runStep, type Pinning, type StepResult } from './step.js';
import { SwitchboardUnderTest } from './switchboard-under-test.js';

function printStep(s: StepResult, v?: Verdict): void {
  const l = s.latencySippMs;
  const sb = s.latencySwitchboardMs;
  console.log(
    `  ${s.label.padEnd(11)} ${String(s.rate).padStart(5)} cps  ${s.answeredCps.toFixed(0).padStart(5)} answered/s  ${s.successful}/${s.calls} ok  ${s.failed} failed  ${s.shed} shed  retrans ${s.retransmissions}` +
      `  ${s.scenario === 'register' ? 'REGISTER' : 'INVITE'}→200 p50/p95/p99 ${l.p50}/${l.p95}/${l.p99} ms` +
      (sb === undefined || sb.count === 0 ? '' : ` (app ${sb.p50.toFixed(2)}/${sb.p95.toFixed(2)}/${sb.p99.toFixed(2)})`) +
      (s.cpuMsPerCall === undefined ? '' : `  ${s.cpuMsPerCall.toFixed(3)} ms CPU/call`) +
      (v === undefined ? '' : v.pass ? '  pass' : `  FAIL (${v.reasons.join('; ')})`),
  );
  if (s.failed > 0) for (const r of s.failureReasons) console.log(`      ${r}`);
}

export async function runLoad(o: LoadOptions, resultsDir: string): Promise<LoadReport> {
  const pin: Pinning = { sipp: o.pinSipp };
  if (o.pinNode !== undefined) {
    // -a: every thread of this process, the engine worker included.
    const r = spawnSync('taskset', ['-a', '-p', '-c', o.pinNode, String(process.pid)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`taskset could not pin this process to CPUs ${o.pinNode}: ${(r.stderr || r.error?.message || '').trim()}`);
  }
  const startedAt = new Date().toISOString();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  console.log(`Switchboard load run ${startedAt}\nmachine: ${machine}`);
  let baseline: RampResult | undefined;
  if (o.baseline) {
    console.log(`SIPp → SIPp baseline (${o.scenario}, ${o.warmupSeconds} s warm-up + ${o.seconds} s per step)`);
    baseline = await runRamp({ label: 'baseline', scenario: SCENARIOS[o.scenario], target: undefined, start: o.baselineStart, increment: o.baselineIncrement, maxRate: o.baselineMax, warmupSeconds: o.warmupSeconds, seconds: o.seconds, holdMs: o.holdMs, retries: o.retries, pin, onStep: printStep });
    console.log(`  baseline ceiling: ${baseline.maxPassingRate} calls/s (${baseline.stoppedBecause})`);
  }
  const sb = await SwitchboardUnderTest.start({ media: o.media });
  if (o.media) console.log('media anchored: every call through a managed rtpengine (offer, answer, delete)');
  let switchboard: RampResult | undefined;
  const concurrency: ConcurrencyResult[] = [];
  let overload: OverloadResult | undefined;
  let soak: SoakResult | undefined;
  let register: LoadReport['register'];
  try {
    if (o.ramp) {
      console.log(`SIPp → Switchboard → SIPp ramp (${o.scenario})`);
      switchboard = await runRamp({ label: 'switchboard', scenario: SCENARIOS[o.scenario], target: sb, start: o.start, increment: o.increment, maxRate: o.maxRate, warmupSeconds: o.warmupSeconds, seconds: o.seconds, holdMs: o.holdMs, retries: o.retries, pin, onStep: printStep });
      console.log(`  Switchboard: ${switchboard.maxPassingRate} calls/s (${switchboard.stoppedBecause})`);
    }
    for (const calls of o.concurrency) {
      const c = await runConcurrency({ calls, rate: o.concurrencyRate, target: sb, pin });
      concurrency.push(c);
      console.log(`  concurrency ${calls}: ${c.held} held, RSS ${((c.rssBytesPerCall ?? NaN) / 1024).toFixed(2)} KiB/call, app heap ${((c.heapBytesPerCall ?? NaN) / 1024).toFixed(2)} KiB/call, ${c.failed} failed${c.error ? ` (${c.error})` : ''}`);
    }
    const max = switchboard?.maxPassingRate || o.knownMaxRate;
    if (o.overload || o.soakMinutes > 0) {
      if (max === undefined || max === 0) console.log('  overload and soak skipped: no passing rate (run the ramp or give --known-max)');
    }
    if (o.overload && max) {
      overload = await runOverload({ maxRate: max, factor: 1.5, warmupSeconds: o.warmupSeconds, seconds: o.overloadSeconds, target: sb, pin });
      printStep(overload.step);
      console.log(`  overload: goodput ${overload.step.answeredCps.toFixed(0)} calls/s = ${(overload.goodputFraction * 100).toFixed(0)} % of ${max}`);
    }
    if (o.soakMinutes > 0 && max) {
      soak = await runSoak({ minutes: o.soakMinutes, rate: Math.round(max * 0.7), target: sb, pin });
      printStep(soak.step);
      console.log(`  soak: RSS ${soak.rssMiBPerMinute.toFixed(3)} MiB/min, app heap ${soak.heapMiBPerMinute.toFixed(3)} MiB/min (after the first ${SETTLE_MINUTES} min)`);
    }
    if (o.registerRate > 0) {
      const plan = { scenario: SCENARIOS.register, rate: o.registerRate, warmupSeconds: o.warmupSeconds, seconds: o.seconds, holdMs: 0, pin };
      // SIPp → stand-in registrar first: proves the caller's side, whatever Switchboard does.
      const standIn = await runStep({ ...plan, label: 'reg-base', target: undefined });
      printStep(standIn);
      const s = await runStep({ ...plan, label: 'register', target: sb });
      register = { ...s, needs: s.failed > 0 ? SCENARIOS.register.needs : undefined, baseline: standIn };
      printStep(s);
    }
  } finally {
    await sb.stop();
  }
  const ratioToBaseline = baseline && switchboard && baseline.maxPassingRate > 0 ? switchboard.maxPassingRate / baseline.maxPassingRate : undefined;
  if (ratioToBaseline !== undefined) console.log(`ratio to the SIPp baseline: ${ratioToBaseline.toFixed(2)}`);
  const pinning = o.pinSipp === undefined && o.pinNode === undefined ? 'none (kernel scheduler)' : `SIPp on CPUs ${o.pinSipp ?? 'any'}, Switchboard on CPUs ${o.pinNode ?? 'any'}`;
  const report: LoadReport = { startedAt, machine, pinning, baseline, switchboard, ratioToBaseline, concurrency, overload, soak, register };
  const files = writeLoadReport(report, resultsDir);
  console.log(`\n${markdownReport(report).split('## Steps')[0]!.trim()}\n\nresults: ${files.markdown} and .json`);
  return report;
}
