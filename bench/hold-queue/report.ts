/**
 * Results of a hold-queue run: the whole record as JSON and a summary table as Markdown,
 * side by side under bench/results/ (git-ignored), named hold-queue-<start time>.
 *
 * | row                    | from                                                     |
 * |------------------------|----------------------------------------------------------|
 * | new calls, no callers  | the reference step (absent with --no-reference)          |
 * | new calls, N waiting   | the measured step; its pass criteria are the ramp's      |
 * | N waiting, no new calls| the idle phase: RTP to the callers, rtpengine CPU        |
 *
 * @example
 *   const files = writeHoldQueueReport(report, 'bench/results');
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HoldQueueReport, MeasuredStep } from './run.js';

const f = (n: number | undefined, digits = 0): string => (n === undefined ? 'n/a' : n.toFixed(digits));

function row(what: string, m: MeasuredStep): string {
  const s = m.step;
  const app = s.latencySwitchboardMs;
  const w = m.window;
  return [
    what, s.rate, f(s.answeredCps), `${s.successful}/${s.calls}`, s.failed, s.retransmissions,
    `${s.latencySippMs.p50}/${s.latencySippMs.p95}/${s.latencySippMs.p99}`,
    app === undefined || app.count === 0 ? 'n/a' : `${f(app.p50, 2)}/${f(app.p95, 2)}/${f(app.p99, 2)}`,
    `${f(m.ngMs.offer.p50, 2)}/${f(m.ngMs.offer.p99, 2)} · ${f(m.ngMs.answer.p50, 2)}/${f(m.ngMs.answer.p99, 2)}`,
    `${f(s.cpuPercent.switchboard)}/${f(w.rtpengineCpuPercent)}`, f(s.cpuMsPerCall, 3),
    `${f(s.loopDelayP99Ms.app, 1)}/${f(s.loopDelayP99Ms.engine, 1)}`,
    `${w.minWaiting}–${w.maxWaiting}`, f(w.rtpPps),
    m.verdict.pass ? 'pass' : `FAIL: ${m.verdict.reasons.join('; ')}`,
  ].join(' | ');
}

export function holdQueueMarkdown(r: HoldQueueReport): string {
  const o = r.options;
  const out = [
    `# Switchboard hold-queue bench, ${r.startedAt}`,
    '',
    `machine: ${r.machine}; load average ${f(r.loadAverage[0], 2)} → ${f(r.loadAverage[1], 2)}`,
    '',
    `${o.holdCallers} callers waiting in a queue with music (\`${o.music}\`, rtpengine \`play media\`, looped), then ${o.rate} new basic calls/s for ${o.warmupSeconds} s warm-up + ${o.seconds} s measured; every call anchored through rtpengine.`,
    '',
    `**${r.pass ? 'pass' : 'FAIL'}**${r.pass ? '' : `: ${r.reasons.join('; ')}`}`,
    '',
    '| run | offered cps | answered cps | ok/calls | failed | retransmissions | INVITE→200 SIPp p50/p95/p99 ms | INVITE→200 Switchboard app p50/p95/p99 ms | rtpengine offer · answer p50/p99 ms | CPU % Switchboard/rtpengine | Switchboard CPU ms/call | loop p99 ms app/engine | callers waiting | RTP to callers pkt/s | verdict |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- | ---: | --- | --- | ---: | --- |',
  ];
  if (r.reference) out.push(`| ${row('new calls, nobody waiting', r.reference)} |`);
  out.push(`| ${row(`new calls, ${r.fill.waiting} waiting`, r.withCallers)} |`);
  out.push(
    '',
    '| figure | value |',
    '| --- | --- |',
    `| fill | ${r.fill.waiting} waiting after ${f(r.fill.seconds, 1)} s at ${o.fillRate} calls/s; their INVITE→200 p50/p95/p99 ${r.fill.answerMs.p50}/${r.fill.answerMs.p95}/${r.fill.answerMs.p99} ms; ${r.fill.failed} failed |`,
    `| ${r.fill.waiting} waiting, no new calls | RTP to the callers ${f(r.idle.rtpPps)} packets/s (expected ${r.expectedRtpPps}); CPU rtpengine ${f(r.idle.rtpengineCpuPercent)} %, Switchboard ${f(r.idle.switchboardCpuPercent)} % |`,
    `| waiting after the step | ${r.waitingAfter} |`,
  );
  return out.join('\n') + '\n';
}

export function writeHoldQueueReport(r: HoldQueueReport, dir: string): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const stem = join(dir, `hold-queue-${r.startedAt.replace(/[:.]/g, '-')}`);
  writeFileSync(`${stem}.json`, JSON.stringify(r, null, 2) + '\n');
  writeFileSync(`${stem}.md`, holdQueueMarkdown(r));
  return { json: `${stem}.json`, markdown: `${stem}.md` };
}
