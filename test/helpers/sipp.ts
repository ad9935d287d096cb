/**
 * Runs SIPp from tests and benchmarks, bounded, on loopback, and reads back
 * what happened.
 *
 * Every run:
 * - is bounded three times: `-m calls` (required), the global `-timeout`
 *   with `-timeout_error` (so expiry is a failure, exit 255), and a
 *   wall-clock kill by PID here, a few seconds after that timeout, in case
 *   SIPp itself hangs;
 * - stays on loopback: `-i`, `-bind_local` and `-ci` pin the SIP, media and
 *   control sockets to 127.0.0.1, the target must be an IPv4 loopback
 *   literal (no DNS), and options that would change the addresses are
 *   refused in `extraArgs`;
 * - keeps the child (no `-bg`), never reads stdin (`-nostdin`), and writes
 *   everything to a fresh temporary directory: stdout/stderr, `-trace_err`
 *   errors, `-trace_stat` statistics (`-fd 1`, a row per second), per-message
 *   counts (`-trace_counts`), the final screens (`-trace_screen`) and the
 *   scenarios' <log> lines (`-trace_logs`). The directory is removed after a
 *   passing run and kept after a failing one (its path is in the report);
 * - is stopped by PID only (SIGTERM, then SIGKILL after a grace period), and
 *   any SIPp still running when the test process exits is killed.
 *
 * @example
 *   const uas = await startSipp({ scenario: SIPP_FLOWS.basic.uas, transport: 'udp', calls: 10 });
 *   const uac = await startSipp({
 *     scenario: SIPP_FLOWS.basic.uac, target: `127.0.0.1:${uas.localPort}`,
 *     transport: 'udp', calls: 10, rate: 50,
 *   });
 *   assertSippPassed(await uac.done);
 *   assertSippPassed(await uas.done);
 *   // or both at once: const { uac, uas } = await runSippPair({ ...SIPP_FLOWS.basic, transport: 'udp', calls: 10 });
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { freeLoopbackPort, isLoopbackIPv4, waitUntilBound } from './sipp-ports.js';
import {
  describeSippExit,
  finalRow,
  parseSippCounts,
  parseSippCsv,
  summarizeSippStats,
  type SippCsvRow,
  type SippMessageCount,
  type SippStats,
} from './sipp-results.js';
import type { SippRole, SippScenario } from './sipp-scenarios.js';

export const SIPP_BIN = process.env.SWITCHBOARD_SIPP ?? '/usr/bin/sipp';

/** Default global timeout when a run does not set one. */
export const DEFAULT_SIPP_TIMEOUT_SECONDS = 30;
/** How long after SIPp's own -timeout the harness kills it. */
const WALL_CLOCK_MARGIN_MS = 5_000;
/** Between SIGTERM and SIGKILL in stop(). */
const DEFAULT_STOP_GRACE_MS = 2_000;
/** Attempts at finding a port that stays free until SIPp binds it. */
const BIND_ATTEMPTS = 5;
const ERROR_TAIL_CHARS = 4_000;
/** Recommended -buff_size for load: SIPp's defaults drop datagrams above ~2,000 calls/s. */
export const SIPP_LOAD_BUFFER_SIZE = 4_194_304;

/** Options the harness sets itself; passing them in extraArgs would break its bounds or its loopback guarantee. */
const RESERVED_ARGS = new Set([
  '-bg', '-i', '-mi', '-ci', '-cp', '-rsa', '-bind_local', '-p', '-t', '-m', '-nostdin', '-timeout', '-timeout_error',
  '-sf', '-sn', '-trace_err', '-error_file', '-trace_stat', '-stf', '-fd', '-trace_counts', '-trace_screen',
  '-screen_file', '-trace_logs', '-log_file', '-key', '-set', '-inf', '-3pcc', '-master', '-slave', '-slave_cfg',
]);

export type SippTransport = 'udp' | 'tcp';

export interface SippOptions {
  /** A catalogued scenario (its keys are the defaults) or a path to an XML file. */
  scenario: SippScenario | string;
  /** Required with a path; taken from a catalogued scenario otherwise. A UAC needs `target`. */
  role?: SippRole;
  /** Where a UAC sends its requests, `host:port` with an IPv4 loopback host. */
  target?: string;
  /** Local SIP port (-p). startSipp picks a free one when omitted. */
  localPort: number;
  /** Local address (-i), an IPv4 loopback literal. Default 127.0.0.1. */
  localIp?: string;
  /** SIPp's `-t u1` (one UDP socket) or `-t t1` (one TCP connection). */
  transport: SippTransport;
  /** Calls to process before exiting (-m). Required: the first bound. */
  calls: number;
  /** New calls per rate period (-r). SIPp's default is 10. */
  rate?: number;
  /** Rate period in ms (-rp). SIPp's default is 1000. */
  ratePeriodMs?: number;
  /** Most calls open at once (-l). */
  maxConcurrent?: number;
  /** Global timeout in whole seconds (-timeout, with -timeout_error). Default 30. */
  timeoutSeconds?: number;
  /** Longest wait for any expected message, ms (-recv_timeout); the call fails after it. */
  recvTimeoutMs?: number;
  /** User part of the Request-URI, SIPp's [service] (-s). */
  service?: string;
  /** Scenario keys (-key), over the scenario's defaults. A catalogued scenario refuses unknown names. */
  keys?: Readonly<Record<string, string>>;
  /** Global variables (-set). */
  sets?: Readonly<Record<string, string>>;
  /** Injection CSV (-inf). */
  injectionFile?: string;
  /** Socket send/receive buffer size (-buff_size); SIPP_LOAD_BUFFER_SIZE for load. */
  bufferSize?: number;
  /** More SIPp options; the ones the harness owns are refused. */
  extraArgs?: readonly string[];
  /** Name for the temporary directory and reports. Default: the scenario's name. */
  label?: string;
  /** Keep the temporary directory after a passing run too. Default 'on-failure'. */
  keepFiles?: 'always' | 'on-failure';
}

export interface SippFiles {
  /** SIPp's working directory; extra traces (-trace_msg, -trace_rtt) land here too. */
  readonly dir: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly errors: string;
  readonly stats: string;
  readonly counts: string;
  readonly screen: string;
  readonly logs: string;
  /** False once the directory has been removed after a passing run. */
  readonly kept: boolean;
}

export interface SippResult {
  readonly label: string;
  readonly pid: number;
  readonly role: SippRole;
  readonly transport: SippTransport;
  readonly localPort: number;
  /** The full command line, for reruns by hand. */
  readonly command: readonly string[];
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly exitMeaning: string;
  /** Who ended the process: SIPp itself, stop(), or the harness's wall-clock bound. */
  readonly endedBy: 'sipp' | 'stop' | 'wall-clock';
  readonly durationMs: number;
  /** The -m the run was given. */
  readonly expectedCalls: number;
  /** Exit code 0, ended by SIPp, every expected call successful and none failed. */
  readonly passed: boolean;
  readonly successfulCalls: number;
  readonly failedCalls: number;
  readonly retransmissions: number;
  /** Messages that matched no step of the scenario, summed over its elements. */
  readonly unexpectedMessages: number;
  /** Final figures; undefined when SIPp wrote none (killed with SIGKILL, or failed to start). */
  readonly stats: SippStats | undefined;
  /** Every -trace_stat row (one per second), for rate and concurrency over time. */
  readonly statRows: readonly SippCsvRow[];
  /** One entry per scenario element. */
  readonly messages: readonly SippMessageCount[];
  /** Lines written by the scenario's <log> actions. */
  readonly logLines: readonly string[];
  /** The end of SIPp's error log, or of its stderr when the log is empty. */
  readonly errorTail: string;
  readonly files: SippFiles;
}

export interface SippRun {
  readonly pid: number;
  readonly localPort: number;
  readonly label: string;
  /** Resolves when SIPp has exited and its files are read; never rejects. */
  readonly done: Promise<SippResult>;
  isRunning(): boolean;
  /** SIGTERM by PID, then SIGKILL after `graceMs`; resolves with the result. */
  stop(graceMs?: number): Promise<SippResult>;
}

/**
 * PIDs of live SIPp children, killed if the test process exits first. (If
 * it dies by a signal instead, SIPp's own -timeout still ends them.)
 */
const live = new Set<number>();
process.once('exit', () => {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** PIDs of SIPp processes started here that have not exited yet. */
export function liveSippPids(): number[] {
  return [...live];
}

function fail(message: string): never {
  throw new Error(`runSipp: ${message}`);
}

function positiveInt(name: string, v: number | undefined, required: boolean): void {
  if (v === undefined) {
    if (required) fail(`${name} is required`);
    return;
  }
  if (!Number.isInteger(v) || v <= 0) fail(`${name} must be a positive integer, got ${v}`);
}

function checkLoopbackEndpoint(what: string, value: string): void {
  const m = /^([^:]+):(\d{1,5})$/.exec(value);
  if (m === null || !isLoopbackIPv4(m[1] as string) || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    fail(`${what} must be 127.x.y.z:port (IPv4 loopback, no host names), got "${value}"`);
  }
}

interface Resolved {
  file: string;
  role: SippRole;
  name: string;
  keys: Record<string, string>;
}

function resolveScenario(o: SippOptions): Resolved {
  if (typeof o.scenario === 'string') {
    if (o.role === undefined) fail(`role is required when the scenario is a path (${o.scenario})`);
    return { file: o.scenario, role: o.role, name: basename(o.scenario).replace(/\.xml$/, ''), keys: { ...o.keys } };
  }
  const sc = o.scenario;
  if (o.role !== undefined && o.role !== sc.role) fail(`${sc.name} is a ${sc.role} scenario, not ${o.role}`);
  for (const k of Object.keys(o.keys ?? {})) {
    if (!(k in sc.keys)) fail(`${sc.name} has no key "${k}" (it has: ${Object.keys(sc.keys).join(', ')})`);
  }
  return { file: sc.file, role: sc.role, name: sc.name, keys: { ...sc.keys, ...o.keys } };
}

type OutputPaths = Omit<SippFiles, 'counts' | 'kept'>;

function sippArgs(o: SippOptions, sc: Resolved, files: OutputPaths): string[] {
  const timeout = o.timeoutSeconds ?? DEFAULT_SIPP_TIMEOUT_SECONDS;
  const localIp = o.localIp ?? '127.0.0.1';
  const args = o.target === undefined ? [] : [o.target];
  args.push('-sf', sc.file, '-i', localIp, '-bind_local', '-ci', localIp, '-p', String(o.localPort));
  args.push('-t', o.transport === 'udp' ? 'u1' : 't1', '-m', String(o.calls), '-nostdin');
  args.push('-timeout', `${timeout}s`, '-timeout_error');
  args.push('-trace_err', '-error_file', files.errors, '-trace_stat', '-stf', files.stats, '-fd', '1', '-trace_counts');
  args.push('-trace_screen', '-screen_file', files.screen, '-trace_logs', '-log_file', files.logs);
  if (o.rate !== undefined) args.push('-r', String(o.rate));
  if (o.ratePeriodMs !== undefined) args.push('-rp', String(o.ratePeriodMs));
  if (o.maxConcurrent !== undefined) args.push('-l', String(o.maxConcurrent));
  if (o.recvTimeoutMs !== undefined) args.push('-recv_timeout', String(o.recvTimeoutMs));
  if (o.service !== undefined) args.push('-s', o.service);
  if (o.bufferSize !== undefined) args.push('-buff_size', String(o.bufferSize));
  if (o.injectionFile !== undefined) args.push('-inf', o.injectionFile);
  for (const [k, v] of Object.entries(sc.keys)) args.push('-key', k, v);
  for (const [k, v] of Object.entries(o.sets ?? {})) args.push('-set', k, v);
  args.push(...(o.extraArgs ?? []));
  return args;
}

function validate(o: SippOptions, sc: Resolved): void {
  positiveInt('calls (-m)', o.calls, true);
  positiveInt('timeoutSeconds', o.timeoutSeconds, false);
  positiveInt('localPort', o.localPort, true);
  positiveInt('rate', o.rate, false);
  positiveInt('ratePeriodMs', o.ratePeriodMs, false);
  positiveInt('maxConcurrent', o.maxConcurrent, false);
  positiveInt('recvTimeoutMs', o.recvTimeoutMs, false);
  positiveInt('bufferSize', o.bufferSize, false);
  if (o.localPort > 65535) fail(`localPort ${o.localPort} is out of range`);
  if (!isLoopbackIPv4(o.localIp ?? '127.0.0.1')) fail(`localIp must be an IPv4 loopback literal, got "${o.localIp}"`);
  if (sc.role === 'uac' && o.target === undefined) fail(`${sc.name} is a UAC scenario and needs a target`);
  if (o.target !== undefined) checkLoopbackEndpoint('target', o.target);
  if (!existsSync(sc.file)) fail(`scenario file not found: ${sc.file}`);
  for (const arg of o.extraArgs ?? []) {
    if (RESERVED_ARGS.has(arg)) fail(`${arg} is set by the harness and cannot be passed in extraArgs`);
  }
  try {
    accessSync(SIPP_BIN, constants.X_OK);
  } catch {
    fail(`SIPp is not installed at ${SIPP_BIN} (Debian package sip-tester; make test installs it)`);
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function tail(text: string): string {
  const t = text.trim();
  return t.length > ERROR_TAIL_CHARS ? `...${t.slice(-ERROR_TAIL_CHARS)}` : t;
}

/** SIPp names the counts file after the scenario and its PID; there is no option to choose it. */
function countsFileOf(dir: string, scenarioName: string, pid: number): string {
  const expected = join(dir, `${scenarioName}_${pid}_counts.csv`);
  if (existsSync(expected)) return expected;
  const found = readdirSync(dir).find((f) => f.endsWith(`_${pid}_counts.csv`));
  return found === undefined ? expected : join(dir, found);
}

/**
 * Starts one SIPp process. It returns at once; `done` resolves when SIPp has
 * exited. A UAS is not necessarily listening yet: use startSipp to wait.
 */
export function runSipp(o: SippOptions): SippRun {
  const sc = resolveScenario(o);
  validate(o, sc);
  const label = o.label ?? sc.name;
  const dir = mkdtempSync(join(tmpdir(), `switchboard-sipp-${label}-`));
  const files: OutputPaths = {
    dir,
    stdout: join(dir, 'stdout.log'),
    stderr: join(dir, 'stderr.log'),
    errors: join(dir, 'errors.log'),
    stats: join(dir, 'stats.csv'),
    screen: join(dir, 'screen.log'),
    logs: join(dir, 'logs.log'),
  };
  const args = sippArgs(o, sc, files);
  const out = openSync(files.stdout, 'w');
  const err = openSync(files.stderr, 'w');
  let child: ChildProcess;
  try {
    child = spawn(SIPP_BIN, args, { cwd: dir, stdio: ['ignore', out, err] });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  const pid = child.pid;
  if (pid === undefined) {
    rmSync(dir, { recursive: true, force: true });
    fail(`could not start ${SIPP_BIN}`);
  }
  live.add(pid);
  const started = Date.now();
  let running = true;
  let endedBy: SippResult['endedBy'] = 'sipp';
  let killTimer: NodeJS.Timeout | undefined;

  const signal = (sig: NodeJS.Signals): void => {
    if (!running) return;
    try {
      process.kill(pid, sig);
    } catch {
      // exited in the meantime
    }
  };
  const stopWith = (by: SippResult['endedBy'], graceMs: number): void => {
    if (!running || killTimer !== undefined) return;
    endedBy = by;
    signal('SIGTERM');
    killTimer = setTimeout(() => signal('SIGKILL'), graceMs);
  };
  const wallClock = setTimeout(
    () => stopWith('wall-clock', DEFAULT_STOP_GRACE_MS),
    (o.timeoutSeconds ?? DEFAULT_SIPP_TIMEOUT_SECONDS) * 1000 + WALL_CLOCK_MARGIN_MS,
  );

  const done = new Promise<SippResult>((resolve) => {
    const finish = (exitCode: number | null, sig: NodeJS.Signals | null, spawnError?: Error): void => {
      if (!running) return;
      running = false;
      live.delete(pid);
      clearTimeout(wallClock);
      if (killTimer !== undefined) clearTimeout(killTimer);
      const counts = countsFileOf(dir, sc.name, pid);
      const statRows = parseSippCsv(readText(files.stats));
      const last = finalRow(statRows);
      const stats = last === undefined ? undefined : summarizeSippStats(last);
      const messages = parseSippCounts(readText(counts));
      const successfulCalls = stats?.successfulCalls ?? 0;
      const failedCalls = stats?.failedCalls ?? 0;
      const passed = exitCode === 0 && endedBy === 'sipp' && successfulCalls === o.calls && failedCalls === 0;
      // SIPp copies what it logs to the error file onto stderr too; stderr alone matters when the file is empty.
      const errorLog = readText(files.errors);
      const errorText = spawnError?.message ?? (errorLog.trim() !== '' ? errorLog : readText(files.stderr));
      const keep = !passed || o.keepFiles === 'always';
      const result: SippResult = {
        label,
        pid,
        role: sc.role,
        transport: o.transport,
        localPort: o.localPort,
        command: [SIPP_BIN, ...args],
        exitCode,
        signal: sig,
        exitMeaning: spawnError ? `could not run SIPp: ${spawnError.message}` : describeSippExit(exitCode, sig),
        endedBy,
        durationMs: Date.now() - started,
        expectedCalls: o.calls,
        passed,
        successfulCalls,
        failedCalls,
        retransmissions: stats?.retransmissions ?? 0,
        unexpectedMessages: messages.reduce((n, m) => n + m.unexpected, 0),
        stats,
        statRows,
        messages,
        logLines: readText(files.logs).split('\n').filter((l) => l !== ''),
        errorTail: tail(errorText),
        files: { ...files, counts, kept: keep },
      };
      if (!keep) rmSync(dir, { recursive: true, force: true });
      resolve(result);
    };
    child.once('exit', (code, sig) => finish(code, sig));
    child.once('error', (e) => finish(null, null, e));
  });

  return {
    pid,
    localPort: o.localPort,
    label,
    done,
    isRunning: () => running,
    stop(graceMs = DEFAULT_STOP_GRACE_MS) {
      stopWith('stop', graceMs);
      return done;
    },
  };
}

export type StartSippOptions = Omit<SippOptions, 'localPort'> & {
  /** A fixed port; by default a free one is allocated (and another tried if it is taken meanwhile). */
  localPort?: number;
  /** How long to wait for SIPp to bind its port. Default 5 s. */
  readyTimeoutMs?: number;
};

/**
 * Starts SIPp and resolves once it has bound its SIP port (UDP socket, or
 * TCP listener), so a UAS is ready for calls when this returns. When the
 * allocated port was taken by someone else in the meantime (exit 254), it
 * retries on another. A run that exits before binding for any other reason
 * is returned as is: its `done` holds the failure (or, for a UAC that was
 * quick, the success).
 */
export async function startSipp(o: StartSippOptions): Promise<SippRun> {
  for (let attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
    const localPort = o.localPort ?? (await freeLoopbackPort(o.localIp));
    const run = runSipp({ ...o, localPort });
    const state = await waitUntilBound({
      pid: run.pid,
      port: localPort,
      transport: o.transport,
      host: o.localIp,
      timeoutMs: o.readyTimeoutMs ?? 5_000,
      alive: run.isRunning,
    });
    if (state === 'bound') return run;
    if (state === 'timeout') {
      const result = await run.stop();
      throw new Error(`startSipp: SIPp did not bind ${o.transport} port ${localPort} in time\n${sippReport(result)}`);
    }
    const result = await run.done;
    if (result.exitCode !== 254 || o.localPort !== undefined) return run;
    rmSync(result.files.dir, { recursive: true, force: true });
  }
  throw new Error(`startSipp: every allocated port was taken before SIPp could bind it (${BIND_ATTEMPTS} attempts)`);
}

export interface SippPairOptions extends Omit<StartSippOptions, 'scenario' | 'role' | 'target' | 'keys' | 'label' | 'localPort'> {
  uac: SippScenario;
  uas: SippScenario;
  uacKeys?: Readonly<Record<string, string>>;
  uasKeys?: Readonly<Record<string, string>>;
  /** How long the UAS may take to finish once the UAC is done before it is stopped. Default 10 s. */
  uasGraceMs?: number;
}

/**
 * Runs a UAS, waits until it listens, runs the UAC against it with the same
 * transport, calls and bounds, and returns both results. The UAS gets a
 * slightly longer global timeout so a stuck flow is reported by the UAC, and
 * is stopped if it has not finished `uasGraceMs` after the UAC.
 * The SIPp-to-SIPp baseline of the benchmarks is this with the basic flow.
 */
export async function runSippPair(o: SippPairOptions): Promise<{ uac: SippResult; uas: SippResult }> {
  const { uac: uacScenario, uas: uasScenario, uacKeys, uasKeys, uasGraceMs = 10_000, ...common } = o;
  const timeoutSeconds = o.timeoutSeconds ?? DEFAULT_SIPP_TIMEOUT_SECONDS;
  // Rate and concurrency shape the caller's load; the UAS takes calls as they come.
  const uas = await startSipp({
    ...common,
    scenario: uasScenario,
    keys: uasKeys,
    timeoutSeconds: timeoutSeconds + 5,
    rate: undefined,
    ratePeriodMs: undefined,
    maxConcurrent: undefined,
  });
  if (!uas.isRunning()) {
    const failed = await uas.done;
    throw new Error(`runSippPair: the UAS exited before the UAC could start\n${sippReport(failed)}`);
  }
  let uacRun: SippRun;
  try {
    uacRun = await startSipp({ ...common, scenario: uacScenario, keys: uacKeys, target: `127.0.0.1:${uas.localPort}` });
  } catch (e) {
    await uas.stop();
    throw e;
  }
  const uac = await uacRun.done;
  const grace = setTimeout(() => void uas.stop(), uasGraceMs);
  const uasResult = await uas.done;
  clearTimeout(grace);
  return { uac, uas: uasResult };
}

/** Messages received at elements labelled `label` (a method or status code), summed. */
export function receivedCount(result: SippResult, label: string): number {
  return result.messages.filter((m) => m.kind === 'recv' && m.label === label).reduce((n, m) => n + m.count, 0);
}

/** Messages sent at elements labelled `label` (a method or status code), summed. */
export function sentCount(result: SippResult, label: string): number {
  return result.messages.filter((m) => m.kind === 'send' && m.label === label).reduce((n, m) => n + m.count, 0);
}

/** A multi-line account of a run for assertion messages: outcome, counts per step, command, files, error log tail. */
export function sippReport(r: SippResult): string {
  const failures = Object.entries(r.stats?.failures ?? {})
    .map(([cause, n]) => `${cause}: ${n}`)
    .join(', ');
  const lines = [
    `SIPp ${r.label} (${r.role}, ${r.transport}, pid ${r.pid}) ${r.passed ? 'passed' : 'FAILED'}: ` +
      `exit ${r.exitCode ?? r.signal} (${r.exitMeaning})${r.endedBy === 'sipp' ? '' : `, ended by ${r.endedBy}`}; ` +
      `${r.successfulCalls}/${r.expectedCalls} calls successful, ${r.failedCalls} failed${failures ? ` (${failures})` : ''}; ` +
      `${r.retransmissions} retransmissions, ${r.unexpectedMessages} unexpected messages; ${r.durationMs} ms`,
    '  step  message        count  retrans  timeouts  unexpected',
    ...r.messages.map(
      (m) =>
        `  ${String(m.index).padStart(4)}  ${`${m.kind === 'send' ? '>' : m.kind === 'recv' ? '<' : '~'} ${m.label}`.padEnd(13)}` +
        `  ${String(m.count).padStart(5)}  ${String(m.retransmissions).padStart(7)}  ${String(m.timeouts).padStart(8)}  ${String(m.unexpected).padStart(10)}`,
    ),
    `  command: ${r.command.join(' ')}`,
    `  files: ${r.files.kept ? r.files.dir : '(removed after passing)'}`,
  ];
  if (r.errorTail !== '') lines.push('  error log tail:', ...r.errorTail.split('\n').map((l) => `    ${l}`));
  return lines.join('\n');
}

/** Throws an Error carrying sippReport(result) unless the run passed. */
export function assertSippPassed(result: SippResult): void {
  if (!result.passed) throw new Error(sippReport(result));
}
