/**
 * The hold-queue bench's order of work (issues 6 and 7: "hold music for 1,000 waiting
 * callers without pushing new calls' INVITE→200 p99 above 50 ms"):
 *
 * | phase      | what runs                                                        | measured                                  |
 * |------------|------------------------------------------------------------------|-------------------------------------------|
 * | start      | Switchboard (engine thread + app), managed rtpengine; queue q    | —                                         |
 * |            | with music and its only agent paused; other numbers ring a UAS   |                                           |
 * | reference  | one step of new basic calls, nobody waiting (`--no-reference`)   | the step's figures, rtpengine CPU         |
 * | fill       | N SIPp callers dial 1000 at `--fill-rate`, answered with music   | until the scheduler reports N in the queue|
 * | idle       | 3 s: N callers hear music, no new calls                          | RTP to the callers, rtpengine CPU         |
 * | step       | the same step of new calls while the N wait                      | INVITE→200 (SIPp, app), failures, CPU,    |
 * |            |                                                                  | RTP to the callers, callers still waiting |
 * | teardown   | callers' SIPp killed by PID, Switchboard and rtpengine stopped  | bounded: 15 s                             |
 *
 * The step is the load runner's (bench/ramp/step.ts) with its pass criteria; the bench
 * passes when that step passes, all N callers waited through it, and the callers' RTP
 * port received at least 90 % of N × 50 packets/s.
 *
 * @example
 *   const r = await runHoldQueue(parseHoldQueueOptions([]), 'bench/results');
 *   r.pass;
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { mediaPath } from '../../src/media/index.js';
import { judge, type Verdict } from '../ramp/criteria.js';
import { freePort } from '../ramp/ports.js';
import { processCpuMs } from '../ramp/proc-stats.js';
import { SCENARIOS } from '../ramp/scenarios.js';
import { runStep, type Pinning, type StepResult } from '../ramp/step.js';
import { summarize, type Percentiles } from '../ramp/stats-math.js';
import { SwitchboardUnderTest } from '../ramp/switchboard-under-test.js';
import { HOLD_AGENT, HOLD_QUEUE, holdQueueYaml } from './config.js';
import type { HoldQueueOptions } from './options.js';
import { installNgTiming, type TimedCommand } from './ng-timing.js';
import { summarizeProbes, type Probe, type ProbeWindow } from './probes.js';
import { PACKETS_PER_SECOND_PER_CALLER, sinkCounter } from './rtp-sink.js';
import { startWaitingCallers, type WaitingCallers } from './waiting-callers.js';

/** Where SwitchboardUnderTest's rtpengine finds its files (relative to the checkout, the bench's cwd). */
const MEDIA_DIR = 'config/media';
const IDLE_SECONDS = 3;
const TEARDOWN_BOUND_MS = 15_000;
/** Share of N × 50 packets/s the callers' port must receive. */
const MIN_RTP_SHARE = 0.9;

export interface MeasuredStep {
  readonly step: StepResult;
  readonly verdict: Verdict;
  /** Over the measured window (after the warm-up). */
  readonly window: ProbeWindow;
  /** Switchboard's wait for rtpengine's ng answers in the window, ms (offer and answer are inside INVITE→200). */
  readonly ngMs: Record<TimedCommand, Percentiles>;
}

export interface HoldQueueReport {
  readonly startedAt: string;
  readonly machine: string;
  /** 1-minute load average before and after: the machine may be shared. */
  readonly loadAverage: readonly [number, number];
  readonly options: HoldQueueOptions;
  readonly reference: MeasuredStep | undefined;
  readonly fill: {
    readonly waiting: number;
    readonly seconds: number;
    /** INVITE→200 of the waiting callers (answered by the queue with music), SIPp's clock. */
    readonly answerMs: Percentiles;
    readonly failed: number;
  };
  /** N callers hearing music, no new calls. */
  readonly idle: ProbeWindow & { readonly switchboardCpuPercent: number };
  readonly withCallers: MeasuredStep;
  /** Callers in the queue after the step. */
  readonly waitingAfter: number;
  readonly expectedRtpPps: number;
  readonly pass: boolean;
  readonly reasons: readonly string[];
}

export async function runHoldQueue(o: HoldQueueOptions, log: (line: string) => void = console.log): Promise<HoldQueueReport> {
  // Switchboard plays only files under media.files (mediaPath throws for others, in one line).
  const music = mediaPath(MEDIA_DIR, o.music);
  if (!existsSync(music)) throw new Error(`${music} is missing: run make media (scripts/make-media.sh) in the checkout`);
  const pin: Pinning = { sipp: o.pinSipp };
  const startedAt = new Date().toISOString();
  const load0 = loadavg()[0]!;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  log(`Switchboard hold-queue bench ${startedAt}\nmachine: ${machine}, load average ${load0.toFixed(2)}`);
  let sb: SwitchboardUnderTest;
  try {
    sb = await SwitchboardUnderTest.start({ media: true });
  } catch (err) {
    throw new Error(`Switchboard with rtpengine could not start: ${(err as Error).message.split('\n')[0]}`);
  }
  let callers: WaitingCallers | undefined;
  try {
    const ringPort = await freePort();
    let agentPort = await freePort();
    while (agentPort === ringPort) agentPort = await freePort();
    await sb.configure(holdQueueYaml({ ringPort, agentPort, music: o.music }));
    const acd = sb.acd!;
    // The queue's only agent, paused: every caller waits (throws when the state is refused).
    acd.agents.setState(HOLD_AGENT, { state: 'paused', reason: 'bench' });
    const waiting = (): number => acd.queueSize(HOLD_QUEUE);
    const rtpenginePid = sb.rtpenginePid;
    const ngTiming = installNgTiming();
    // The RTP sink's reading completes in the thread pool; the rest is taken at the tick.
    const probe = async (elapsed: number, rtpPort: number | undefined): Promise<Probe> => {
      const taken = { elapsed, waiting: waiting(), rtpengineCpuMs: rtpenginePid === undefined ? undefined : processCpuMs(rtpenginePid) };
      return { ...taken, sink: rtpPort === undefined ? { atMs: performance.now(), drops: undefined, queuedBytes: undefined } : await sinkCounter(rtpPort) };
    };
    const plan = { scenario: SCENARIOS.basic, rate: o.rate, warmupSeconds: o.warmupSeconds, seconds: o.seconds, holdMs: 0, target: sb, pin, uasPort: ringPort };
    const measured = async (label: string, rtpPort: number | undefined): Promise<MeasuredStep> => {
      const samples: Promise<Probe>[] = [];
      ngTiming.reset();
      let windowOpen = false;
      let ngMs: Record<TimedCommand, Percentiles> | undefined;
      const step = await runStep({
        ...plan,
        label,
        onTick: (elapsed) => {
          samples.push(probe(elapsed, rtpPort));
          // The same window as the step's own figures, to the second.
          if (!windowOpen && elapsed >= o.warmupSeconds) {
            windowOpen = true;
            ngTiming.reset();
          } else if (windowOpen && ngMs === undefined && elapsed >= o.warmupSeconds + o.seconds) ngMs = ngTiming.percentiles();
        },
      });
      return { step, verdict: judge(step), window: summarizeProbes(await Promise.all(samples), o.warmupSeconds, o.warmupSeconds + o.seconds), ngMs: ngMs ?? ngTiming.percentiles() };
    };

    let reference: MeasuredStep | undefined;
    if (o.reference) {
      log(`reference: ${o.rate} new calls/s for ${o.warmupSeconds} + ${o.seconds} s, nobody waiting`);
      reference = await measured('no-callers', undefined);
      log(stepLine(reference));
    }

    const fillBoundMs = Math.ceil((o.holdCallers / o.fillRate) * 2000) + 20_000;
    // Long enough for every later phase; the bench kills the callers before this runs out.
    const holdMs = fillBoundMs + (IDLE_SECONDS + o.warmupSeconds + o.seconds + 60) * 1000;
    log(`fill: ${o.holdCallers} callers to ${HOLD_QUEUE} at ${o.fillRate} calls/s`);
    callers = await startWaitingCallers({ calls: o.holdCallers, rate: o.fillRate, sipPort: sb.sipPort, holdMs, pin, avoid: [ringPort, agentPort] });
    const fillStarted = performance.now();
    const reached = await callers.untilWaiting(waiting, fillBoundMs);
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    if (reached < o.holdCallers) throw new Error(`only ${reached} of ${o.holdCallers} callers were waiting after ${fillSeconds.toFixed(0)} s (${callers.failedSoFar()} failed at SIPp)`);
    log(`  ${reached} waiting after ${fillSeconds.toFixed(1)} s`);

    const rtpPort = callers.rtpPort;
    const idleSamples: Promise<Probe>[] = [];
    const cpu0 = process.cpuUsage();
    for (let s = 0; s <= IDLE_SECONDS; s++) {
      if (s > 0) await new Promise((r) => setTimeout(r, 1000));
      idleSamples.push(probe(s, rtpPort));
    }
    const cpuIdle = process.cpuUsage(cpu0);
    const idleWindow = summarizeProbes(await Promise.all(idleSamples), 0, IDLE_SECONDS);
    const idle = { ...idleWindow, switchboardCpuPercent: idleWindow.seconds > 0 ? (cpuIdle.user + cpuIdle.system) / 1000 / (idleWindow.seconds * 10) : 0 };
    const expectedRtpPps = o.holdCallers * PACKETS_PER_SECOND_PER_CALLER;
    log(`  idle with ${reached} waiting: RTP to the callers ${idle.rtpPps.toFixed(0)} packets/s (expected ${expectedRtpPps}), rtpengine CPU ${pct(idle.rtpengineCpuPercent)}, Switchboard CPU ${pct(idle.switchboardCpuPercent)}`);

    log(`step: ${o.rate} new calls/s for ${o.warmupSeconds} + ${o.seconds} s while ${reached} wait`);
    const withCallers = await measured('hold-queue', rtpPort);
    log(stepLine(withCallers));
    const waitingAfter = waiting();
    const callerFiles = await callers.stop();
    callers = undefined;
    const fill = {
      waiting: reached,
      seconds: fillSeconds,
      answerMs: summarize(callerFiles.rtt.filter((s) => s.rtd === 1).map((s) => s.ms)),
      failed: Number(callerFiles.stat.at(-1)?.['FailedCall(C)'] ?? 0),
    };

    const reasons = [...withCallers.verdict.reasons];
    if (withCallers.window.minWaiting < o.holdCallers) reasons.push(`only ${withCallers.window.minWaiting} of ${o.holdCallers} callers waiting during the step`);
    if (withCallers.window.rtpPps < MIN_RTP_SHARE * expectedRtpPps) reasons.push(`RTP to the callers ${withCallers.window.rtpPps.toFixed(0)} packets/s, below ${MIN_RTP_SHARE * 100} % of ${expectedRtpPps}`);
    if (fill.failed > 0) reasons.push(`${fill.failed} waiting callers failed`);
    const load1 = loadavg()[0]!;
    return { startedAt, machine, loadAverage: [load0, load1], options: o, reference, fill, idle, withCallers, waitingAfter, expectedRtpPps, pass: reasons.length === 0, reasons };
  } finally {
    await callers?.stop();
    const stopped = await Promise.race([sb.stop().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), TEARDOWN_BOUND_MS).unref())]);
    if (!stopped) log(`teardown: Switchboard did not stop within ${TEARDOWN_BOUND_MS / 1000} s`);
  }
}

function pct(n: number | undefined): string {
  return n === undefined ? 'n/a' : `${n.toFixed(0)} %`;
}

/** One line per measured step, as the load runner prints its steps. */
export function stepLine(m: MeasuredStep): string {
  const s = m.step;
  const l = s.latencySippMs;
  const app = s.latencySwitchboardMs;
  const w = m.window;
  return (
    `  ${s.label.padEnd(10)} ${s.rate} cps  ${s.answeredCps.toFixed(0)} answered/s  ${s.successful}/${s.calls} ok  ${s.failed} failed  retrans ${s.retransmissions}` +
    `  INVITE→200 p50/p95/p99 ${l.p50}/${l.p95}/${l.p99} ms` +
    (app === undefined || app.count === 0 ? '' : ` (app ${app.p50.toFixed(2)}/${app.p95.toFixed(2)}/${app.p99.toFixed(2)})`) +
    `  rtpengine offer/answer p99 ${m.ngMs.offer.p99.toFixed(2)}/${m.ngMs.answer.p99.toFixed(2)} ms` +
    `  CPU Switchboard ${pct(s.cpuPercent.switchboard)} rtpengine ${pct(w.rtpengineCpuPercent)}` +
    `  waiting ${w.minWaiting}–${w.maxWaiting}  RTP ${w.rtpPps.toFixed(0)} pkt/s` +
    (m.verdict.pass ? '  pass' : `  FAIL (${m.verdict.reasons.join('; ')})`)
  );
}
