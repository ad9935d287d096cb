/**
 * Results of a load run: the whole record as JSON and the tables as Markdown, written
 * side by side under bench/results/ (git-ignored), and the summary lines printed.
 *
 * @example
 *   const files = writeLoadReport(report, 'bench/results');
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConcurrencyResult } from './concurrency.js';
import type { OverloadResult } from './overload.js';
import type { RampResult } from './ramp.js';
import { SETTLE_MINUTES, type SoakResult } from './soak.js';
import type { StepResult } from './step.js';

export interface LoadReport {
  readonly startedAt: string;
  readonly machine: string;
  readonly pinning: string;
  readonly baseline: RampResult | undefined;
  readonly switchboard: RampResult | undefined;
  /** Switchboard's max passing rate ÷ the baseline's. */
  readonly ratioToBaseline: number | undefined;
  readonly concurrency: readonly ConcurrencyResult[];
  readonly overload: OverloadResult | undefined;
  readonly soak: SoakResult | undefined;
  readonly register: (StepResult & { readonly needs: string | undefined; readonly baseline: StepResult }) | undefined;
}

const f = (n: number | undefined, digits = 0): string => (n === undefined ? 'n/a' : n.toFixed(digits));
const kib = (bytes: number | undefined): string => (bytes === undefined ? 'n/a' : (bytes / 1024).toFixed(2));

function stepRow(s: StepResult & { pass?: boolean; reasons?: readonly string[] }): string {
  const sb = s.latencySwitchboardMs;
  const first = s.currentCalls[0] ?? 0;
  const last = s.currentCalls.at(-1) ?? 0;
  const verdict = s.pass === undefined ? '' : s.pass ? 'pass' : `FAIL: ${(s.reasons ?? []).join('; ')}`;
  return [
    s.label, s.rate, f(s.answeredCps), `${s.successful}/${s.calls}`, s.failed, s.shed, `${s.retransmissions} (${f(s.retransmissionRatio * 100, 3)} %)`,
    `${first} → ${last} (max ${Math.max(0, ...s.currentCalls)})`,
    `${s.latencySippMs.p50}/${s.latencySippMs.p95}/${s.latencySippMs.p99}`,
    sb === undefined || sb.count === 0 ? 'n/a' : `${f(sb.p50, 2)}/${f(sb.p95, 2)}/${f(sb.p99, 2)}`,
    `${f(s.cpuPercent.switchboard)}/${f(s.cpuPercent.sippUac)}/${f(s.cpuPercent.sippUas)}`, f(s.cpuMsPerCall, 3),
    `${f(s.rssMiB.switchboard)}/${f(s.rssMiB.sippUac)}/${f(s.rssMiB.sippUas)}`,
    `${f(s.loopDelayP99Ms.app, 1)}/${f(s.loopDelayP99Ms.engine, 1)}`,
    `${s.udpDrops.rcvbufErrors}/${s.udpDrops.socketDrops}`, verdict,
  ].join(' | ');
}

const STEP_HEAD =
  '| run | offered cps | answered cps | ok/calls | failed | 503 | retransmissions | SIPp current calls first → last | INVITE→200 SIPp p50/p95/p99 ms | INVITE→200 Switchboard app p50/p95/p99 ms | CPU % Switchboard/UAC/UAS | Switchboard CPU ms/call | RSS MiB Switchboard/UAC/UAS | loop p99 ms app/engine | UDP drops rcvbuf/socket | verdict |\n' +
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- | ---: | --- | --- | --- | --- |';

export function markdownReport(r: LoadReport): string {
  const out: string[] = [`# Switchboard load run, ${r.startedAt}`, '', `machine: ${r.machine}; pinning: ${r.pinning}`, ''];
  out.push('## Summary', '', '| figure | value |', '| --- | --- |');
  if (r.baseline) out.push(`| SIPp → SIPp ceiling (highest passing step) | ${r.baseline.maxPassingRate} calls/s (${r.baseline.stoppedBecause}) |`);
  if (r.switchboard) out.push(`| SIPp → Switchboard → SIPp, highest passing step | ${r.switchboard.maxPassingRate} calls/s (${r.switchboard.stoppedBecause}) |`);
  if (r.ratioToBaseline !== undefined) out.push(`| ratio to the baseline | ${r.ratioToBaseline.toFixed(2)} |`);
  if (r.overload) out.push(`| goodput at ${r.overload.offered} calls/s offered (1.5 × ${r.overload.maxRate}) | ${f(r.overload.step.answeredCps)} answered/s = ${f(r.overload.goodputFraction * 100)} % of the max; ${r.overload.step.shed} shed with 503, ${r.overload.step.failed} failed |`);
  for (const c of r.concurrency) out.push(`| ${c.calls} concurrent calls | ${c.held} held; RSS ${kib(c.rssBytesPerCall)} KiB/call, app heap ${kib(c.heapBytesPerCall)} KiB/call${c.error ? ` (${c.error})` : ''} |`);
  if (r.soak) out.push(`| soak ${r.soak.minutes} min at ${r.soak.rate} calls/s | RSS ${r.soak.rssMiBPerMinute.toFixed(3)} MiB/min, app heap ${r.soak.heapMiBPerMinute.toFixed(3)} MiB/min after the first ${SETTLE_MINUTES} min, ${r.soak.step.failed} failed |`);
  if (r.register) out.push(`| registration storm at ${r.register.rate}/s | ${r.register.successful}/${r.register.calls} ok, ${r.register.failed} failed${r.register.needs ? ` (needs ${r.register.needs})` : ''} |`);
  const steps = [...(r.baseline?.steps ?? []), ...(r.switchboard?.steps ?? []), ...(r.overload ? [r.overload.step] : []), ...(r.soak ? [r.soak.step] : []), ...(r.register ? [r.register.baseline, r.register] : [])];
  if (steps.length > 0) out.push('', '## Steps', '', STEP_HEAD, ...steps.map((s) => `| ${stepRow(s)} |`));
  const failing = steps.filter((s) => s.failureReasons.length > 0);
  if (failing.length > 0) {
    out.push('', '## Why calls failed (SIPp error logs)', '');
    for (const s of failing) out.push(`- ${s.label} ${s.rate} cps: ${s.failureReasons.map((r) => `\`${r.replace(/`/g, "'")}\``).join('; ')}`);
  }
  if (r.concurrency.length > 0) {
    out.push('', '## Concurrency', '', '| calls | built at cps | held | engine dialogs | RSS idle → loaded MiB | app heap idle → loaded MiB | RSS KiB/call | heap KiB/call | failed |', '| ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: |');
    for (const c of r.concurrency) {
      const mib = (b: number | undefined): string => f(b === undefined ? undefined : b / 2 ** 20, 1);
      out.push(`| ${c.calls} | ${c.rate} | ${c.held} | ${c.engineDialogs} | ${mib(c.idle.rssBytes)} → ${mib(c.loaded?.rssBytes)} | ${mib(c.idle.heapUsedBytes)} → ${mib(c.loaded?.heapUsedBytes)} | ${kib(c.rssBytesPerCall)} | ${kib(c.heapBytesPerCall)} | ${c.failed} |`);
    }
  }
  return out.join('\n') + '\n';
}

export function writeLoadReport(r: LoadReport, dir: string): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const stem = join(dir, `load-${r.startedAt.replace(/[:.]/g, '-')}`);
  writeFileSync(`${stem}.json`, JSON.stringify(r, null, 2) + '\n');
  writeFileSync(`${stem}.md`, markdownReport(r));
  return { json: `${stem}.json`, markdown: `${stem}.md` };
}
