/**
 * One load step: a SIPp UAS (when the scenario has one) and a SIPp UAC at a fixed call
 * rate, through Switchboard or straight to the UAS (the baseline). The UAC sends
 * rate × (warm-up + seconds) calls (-m) and every process is killed by PID at a hard
 * wall-clock bound, so a collapsing step ends as "killed", never hangs. Latency, CPU,
 * throughput and kernel drops are taken over the measured window only (after the
 * warm-up); failed calls and retransmissions over the whole step.
 *
 * @example
 *   const r = await runStep({ label: 'switchboard', scenario: SCENARIOS.basic, rate: 500, warmupSeconds: 2, seconds: 5, holdMs: 0, target: sb, pin: {} });
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { installInviteTiming } from './invite-timing.js';
import { freePort } from './ports.js';
import { processCpuMs, processRssBytes, rcvbufErrors, socketDrops } from './proc-stats.js';
import { StepProgress } from './progress.js';
import { keyArgs, type Scenario } from './scenarios.js';
import { elapsedSeconds, num, readSemicolonCsv, receivedCount } from './sipp-files.js';
import { readSippFiles, startSipp, type SippProcess } from './sipp-process.js';
import { mean, summarize, type Percentiles } from './stats-math.js';
import type { SwitchboardUnderTest } from './switchboard-under-test.js';

export interface Pinning {
  /** taskset CPU list for both SIPp processes, e.g. "1". */
  readonly sipp?: string | undefined;
}

export interface StepPlan {
  /** `baseline` (SIPp → SIPp), `switchboard`, `overload`, … — for the report. */
  readonly label: string;
  readonly scenario: Scenario;
  readonly rate: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  /** The UAC's pause between ACK and BYE, ms. */
  readonly holdMs: number;
  /** Undefined: the UAC calls the UAS directly. */
  readonly target: SwitchboardUnderTest | undefined;
  readonly pin: Pinning;
  /** Called once a second while the step runs (memory probes of the concurrency and soak modes). */
  readonly onTick?: (elapsedSeconds: number) => void;
  /**
   * The UAS listens on this port, and the target is already routed there: the step does not
   * reconnect Switchboard's application (the hold-queue bench keeps its waiting callers).
   */
  readonly uasPort?: number;
}

export interface StepResult {
  readonly label: string;
  readonly scenario: string;
  readonly rate: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  /** Calls the UAC was told to make (-m). */
  readonly calls: number;
  readonly successful: number;
  readonly failed: number;
  /** Calls refused with 503 (the overload scenario counts them as successful). */
  readonly shed: number;
  /** Why calls failed, from the SIPp error logs (UAC then UAS, at most 3 each). */
  readonly failureReasons: readonly string[];
  /** Set when the step did not run to its end: killed at the wall-clock bound, or SIPp refused to start. */
  readonly error: string | undefined;
  /** Answered calls per second in the measured window (INVITE→200 samples). */
  readonly answeredCps: number;
  readonly messages: number;
  readonly retransmissions: number;
  /** retransmissions / messages, both SIPp sides. */
  readonly retransmissionRatio: number;
  /** SIPp UAC's CurrentCall, one value per second of the measured window. */
  readonly currentCalls: readonly number[];
  /** INVITE→200 at the caller (SIPp -trace_rtt, ms resolution). */
  readonly latencySippMs: Percentiles;
  /** INVITE→200 on Switchboard's application thread (bench hook); undefined for the baseline. */
  readonly latencySwitchboardMs: Percentiles | undefined;
  /** CPU in % of one core over the measured window. */
  readonly cpuPercent: { readonly switchboard: number | undefined; readonly sippUac: number; readonly sippUas: number | undefined };
  /** Switchboard's CPU (both threads) per answered call, ms. */
  readonly cpuMsPerCall: number | undefined;
  /** Peak RSS over the step, MiB. */
  readonly rssMiB: { readonly switchboard: number | undefined; readonly sippUac: number; readonly sippUas: number | undefined };
  /**
   * Event-loop delay p99 over the window beyond the 10 ms sampling interval, ms: the
   * application thread (this one) and the engine thread (worst of its own 250 ms windows).
   */
  readonly loopDelayP99Ms: { readonly app: number | undefined; readonly engine: number | undefined };
  /** Kernel UDP drops during the step: RcvbufErrors delta and the largest per-socket drops count seen. */
  readonly udpDrops: { readonly rcvbufErrors: number; readonly socketDrops: number };
}

const MiB = 2 ** 20;
/** Node's loop-delay histogram records whole intervals (resolution + delay); we report the delay beyond it. */
const LOOP_RESOLUTION_MS = 10;

export async function runStep(plan: StepPlan): Promise<StepResult> {
  const { scenario, rate, warmupSeconds, seconds, holdMs, target } = plan;
  const calls = Math.max(1, Math.round(rate * (warmupSeconds + seconds)));
  const runSeconds = warmupSeconds + seconds;
  // Wall-clock bound: the calls' own duration plus 20 s for the last calls' timers.
  const boundSeconds = runSeconds + holdMs / 1000 + 20;
  const uacDir = mkdtempSync(join(tmpdir(), 'sb-load-uac-'));
  const uasDir = mkdtempSync(join(tmpdir(), 'sb-load-uas-'));
  const common = ['-t', 'u1', '-i', '127.0.0.1', '-buff_size', '4194304', '-timeout', String(Math.ceil(boundSeconds - 5)), '-timeout_error'];
  const progress = new StepProgress(`${plan.label} ${scenario.name} ${rate} cps`, Math.ceil(runSeconds + holdMs / 1000));
  let uas: SippProcess | undefined;
  let uac: SippProcess | undefined;
  const timing = target === undefined ? undefined : installInviteTiming();
  // Also here: a step that ends before its warm-up must not report the previous step's timings.
  timing?.reset();
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const rcvbufErrors0 = rcvbufErrors();
  let maxSocketDrops = 0;
  let lastDropsReading: Promise<void> = Promise.resolve();
  let engineLoopMs: number | undefined;
  let rss = { sb: 0, uac: 0, uas: 0 };
  try {
    let farPort: number;
    if (target !== undefined && scenario.answeredBySwitchboard) {
      await target.routeTo(undefined, scenario.user);
      farPort = target.sipPort;
    } else {
      const uasPort = plan.uasPort ?? (await freePort());
      uas = startSipp({ args: ['-sf', scenario.uas, '-p', String(uasPort), '-m', String(calls), ...keyArgs(scenario.uasKeys), ...common], dir: uasDir, wallMs: boundSeconds * 1000, cpus: plan.pin.sipp });
      await new Promise((r) => setTimeout(r, 300));
      farPort = uasPort;
      if (target !== undefined && plan.uasPort === undefined) await target.routeTo(uasPort);
    }
    const uacPort = await freePort();
    const limit = Math.max(100, rate * 2, Math.ceil((rate * holdMs) / 1000) * 2 + 100);
    uac = startSipp({
      args: ['-sf', scenario.uac, ...keyArgs(scenario.uacKeys({ holdMs })), ...scenario.uacArgs, '-p', String(uacPort), '-r', String(rate), '-m', String(calls), '-l', String(limit), ...common, `127.0.0.1:${target?.sipPort ?? farPort}`],
      dir: uacDir,
      wallMs: boundSeconds * 1000,
      cpus: plan.pin.sipp,
    });
    const started = Date.now();
    const window = { cpuSelf: process.cpuUsage(), cpuUac: 0, cpuUas: 0, at: started };
    const atWarmup = setTimeout(() => {
      window.cpuSelf = process.cpuUsage();
      window.cpuUac = processCpuMs(uac!.pid) ?? 0;
      window.cpuUas = uas === undefined ? 0 : (processCpuMs(uas.pid) ?? 0);
      window.at = Date.now();
      loop.enable();
      timing?.reset();
      engineLoopMs = target === undefined ? undefined : 0;
    }, warmupSeconds * 1000);
    let end: { cpuSelf: NodeJS.CpuUsage; cpuUac: number; cpuUas: number; at: number } | undefined;
    const atEnd = setTimeout(() => {
      end = { cpuSelf: process.cpuUsage(window.cpuSelf), cpuUac: (processCpuMs(uac!.pid) ?? window.cpuUac) - window.cpuUac, cpuUas: uas === undefined ? 0 : (processCpuMs(uas.pid) ?? window.cpuUas) - window.cpuUas, at: Date.now() };
      loop.disable();
    }, runSeconds * 1000);
    const sampler = setInterval(() => {
      const elapsed = (Date.now() - started) / 1000;
      rss = {
        sb: Math.max(rss.sb, target === undefined ? 0 : process.memoryUsage.rss()),
        uac: Math.max(rss.uac, processRssBytes(uac!.pid) ?? 0),
        uas: Math.max(rss.uas, uas === undefined ? 0 : (processRssBytes(uas.pid) ?? 0)),
      };
      lastDropsReading = socketDrops().then((d) => {
        maxSocketDrops = Math.max(maxSocketDrops, d);
      });
      if (target !== undefined && engineLoopMs !== undefined && end === undefined) {
        void target.engineStats().then((s) => {
          // The engine's figure is built the same way (10 ms histogram), so the same offset applies.
          if (engineLoopMs !== undefined) engineLoopMs = Math.max(engineLoopMs, s.loopDelayMs - LOOP_RESOLUTION_MS);
        });
      }
      plan.onTick?.(elapsed);
      progress.update(elapsed, liveDetail(uacDir));
    }, 1000);
    const uacExit = await uac.done;
    clearInterval(sampler);
    clearTimeout(atWarmup);
    clearTimeout(atEnd);
    // The UAS waits for calls that never reached it (shed, failed): give it 3 s to finish, then stop it.
    if (uas !== undefined) {
      const u = uas;
      const stopUas = setTimeout(() => u.kill(), 3000);
      await u.done;
      clearTimeout(stopUas);
    }
    await lastDropsReading;
    const uacFiles = readSippFiles(uacDir);
    const uasFiles = uas === undefined ? undefined : readSippFiles(uasDir);
    const lastUac = uacFiles.stat.at(-1);
    let error: string | undefined;
    if (lastUac === undefined) error = `SIPp UAC wrote no statistics (exit ${uacExit.code}): ${uacExit.stderr.split('\n').filter(Boolean).at(-1) ?? 'no message'}`;
    else if (uacExit.killedByBound) error = `killed at the wall-clock bound of ${boundSeconds} s`;
    const successful = num(lastUac, 'SuccessfulCall(C)');
    const failed = Math.max(num(lastUac, 'FailedCall(C)'), calls - successful);
    // The window on SIPp's own clock (its response-time stamps count from its start).
    const windowStartMs = warmupSeconds * 1000;
    const windowEndMs = runSeconds * 1000;
    const answered = uacFiles.rtt.filter((s) => s.rtd === 1 && s.atMs >= windowStartMs && s.atMs < windowEndMs);
    const windowSeconds = Math.max(0.001, (windowEndMs - windowStartMs) / 1000);
    const messages = uacFiles.counts.messages + (uasFiles?.counts.messages ?? 0);
    const retransmissions = uacFiles.counts.retransmissions + (uasFiles?.counts.retransmissions ?? 0);
    const cpuSelfMs = end === undefined ? undefined : (end.cpuSelf.user + end.cpuSelf.system) / 1000;
    const pct = (ms: number): number => (ms / (windowSeconds * 1000)) * 100;
    const loopP99 = loop.count > 0 ? Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS) : undefined;
    const result: StepResult = {
      label: plan.label,
      scenario: scenario.name,
      rate,
      warmupSeconds,
      seconds,
      calls,
      successful,
      failed,
      shed: receivedCount(uacFiles.counts, '503'),
      failureReasons: [...uacFiles.errors.map((e) => `UAC: ${e}`), ...(uasFiles?.errors ?? []).map((e) => `UAS: ${e}`)],
      error,
      answeredCps: answered.length / windowSeconds,
      messages,
      retransmissions,
      retransmissionRatio: messages === 0 ? 0 : retransmissions / messages,
      currentCalls: uacFiles.stat.filter((r) => elapsedSeconds(r) >= warmupSeconds && elapsedSeconds(r) <= runSeconds + 0.5).map((r) => num(r, 'CurrentCall')),
      latencySippMs: summarize(answered.map((s) => s.ms)),
      latencySwitchboardMs: timing?.percentiles(),
      cpuPercent: {
        switchboard: target === undefined || cpuSelfMs === undefined ? undefined : pct(cpuSelfMs),
        sippUac: end === undefined ? 0 : pct(end.cpuUac),
        sippUas: uas === undefined || end === undefined ? undefined : pct(end.cpuUas),
      },
      cpuMsPerCall: target === undefined || cpuSelfMs === undefined || answered.length === 0 ? undefined : cpuSelfMs / answered.length,
      rssMiB: { switchboard: target === undefined ? undefined : rss.sb / MiB, sippUac: rss.uac / MiB, sippUas: uas === undefined ? undefined : rss.uas / MiB },
      loopDelayP99Ms: { app: target === undefined ? undefined : loopP99, engine: engineLoopMs },
      udpDrops: { rcvbufErrors: rcvbufErrors() - rcvbufErrors0, socketDrops: maxSocketDrops },
    };
    progress.done(error ?? `${result.successful}/${calls} ok, ${result.failed} failed`);
    return result;
  } finally {
    uac?.kill();
    uas?.kill();
    loop.disable();
    // SWITCHBOARD_BENCH_KEEP=1 keeps SIPp's traces for a post-mortem (paths on stderr).
    if (process.env['SWITCHBOARD_BENCH_KEEP'] === '1') process.stderr.write(`kept SIPp traces: ${uacDir} ${uasDir}\n`);
    else {
      rmSync(uacDir, { recursive: true, force: true });
      rmSync(uasDir, { recursive: true, force: true });
    }
  }
}

/** Calls so far and SIPp's current calls, from the UAC's statistics file (one short line per second). */
function liveDetail(uacDir: string): string {
  try {
    const last = readSemicolonCsv(readFileSync(join(uacDir, 'stat.csv'), 'utf8')).at(-1);
    return `calls ${num(last, 'TotalCallCreated')}, current ${num(last, 'CurrentCall')}, failed ${num(last, 'FailedCall(C)')}`;
  } catch {
    return '';
  }
}

/** Mean of the first and of the last quarter of a series (at least one value each). */
export function quarterMeans(series: readonly number[]): { first: number; last: number } {
  const q = Math.max(1, Math.floor(series.length / 4));
  return { first: mean(series.slice(0, q)), last: mean(series.slice(-q)) };
}
