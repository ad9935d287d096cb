/**
 * Managed mode: Switchboard runs rtpengine as its own child process, in the foreground,
 * userspace only, with everything on the command line (no config file, no pidfile), and
 * supervises it.
 *
 * | state      | event                               | next       | action                              |
 * |------------|-------------------------------------|------------|-------------------------------------|
 * | stopped    | start()                             | starting   | spawn, ping every 100 ms            |
 * | starting   | ping answered                       | running    | start() resolves                    |
 * | starting   | exit, or no answer in readyTimeout  | failed     | kill; start() rejects               |
 * | running    | unexpected exit, budget left        | restarting | respawn after backoff               |
 * | running    | unexpected exit, budget spent       | failed     | log error                           |
 * | restarting | backoff elapsed                     | starting   | spawn (a failed restart: as exit)   |
 * | any live   | stop()                              | stopping   | SIGTERM, SIGKILL after stopTimeout  |
 * | stopping   | exit                                | stopped    | stop() resolves                     |
 *
 * The restart budget is `maxRestarts` within `restartWindowMs`; backoff doubles from
 * `restartDelayMs` up to `maxRestartDelayMs`. The child is started through
 * `setpriv --pdeathsig SIGKILL` when available, so the kernel kills it even when
 * Switchboard itself is SIGKILLed, and a process 'exit' hook kills it on normal exits.
 *
 * @example
 *   const rtpengine = new RtpengineProcess({ ng: { host: '127.0.0.1', port: 22222 },
 *     interfaces: ['127.0.0.1'], portMin: 30000, portMax: 30999 });
 *   await rtpengine.start();   // resolves once rtpengine answers an ng ping
 *   // ...
 *   await rtpengine.stop();    // SIGTERM, then SIGKILL after stopTimeoutMs
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { SwitchboardError } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { UdpNgTransport, type NgAddress } from './ng-transport.js';

export type RtpengineState = 'stopped' | 'starting' | 'running' | 'restarting' | 'failed' | 'stopping';

export interface RtpengineProcessOptions {
  /** ng control address rtpengine listens on (UDP). */
  ng: NgAddress;
  /** Local RTP interface addresses (`--interface`, repeated), e.g. ['127.0.0.1'] or a public address. */
  interfaces: readonly string[];
  portMin: number;
  portMax: number;
  /** Seconds without RTP after which rtpengine ends a call on its own (`--timeout`). */
  mediaTimeoutSec?: number;
  /** Where rtpengine sends DTMF events as JSON over UDP (`--dtmf-log-dest`); see DtmfEvents. */
  dtmfLogDest?: NgAddress;
  /**
   * Where rtpengine writes call recordings (`--recording-dir`, `--recording-method=pcap`:
   * the daemon itself writes pcaps/ and metadata/ there, no recording daemon needed).
   * Created if missing. Absent: no recording.
   */
  recordingDir?: string;
  /** rtpengine's own log level, 0..7; its lines go to the logger. Default 4 (warnings). */
  logLevel?: number;
  /** Default /usr/bin/rtpengine. */
  binary?: string;
  /** Extra command-line flags, appended last. */
  extraArgs?: readonly string[];
  /** How long start() waits for the first ng answer. Default 5000. */
  readyTimeoutMs?: number;
  /** SIGTERM to SIGKILL. Default 3000. */
  stopTimeoutMs?: number;
  /** Restarts allowed within restartWindowMs before giving up. Default 5. */
  maxRestarts?: number;
  restartWindowMs?: number;
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  logger?: Logger;
}

const SETPRIV = '/usr/bin/setpriv';
const READY_POLL_MS = 100;
const STDERR_TAIL = 20;

export class RtpengineProcess {
  private readonly opts: Required<Omit<RtpengineProcessOptions, 'dtmfLogDest' | 'mediaTimeoutSec' | 'recordingDir' | 'logger'>> &
    Pick<RtpengineProcessOptions, 'dtmfLogDest' | 'mediaTimeoutSec' | 'recordingDir'>;
  private readonly logger: Logger;
  private readonly listeners = new Set<(state: RtpengineState) => void>();
  private readonly stderrTail: string[] = [];
  private child: ChildProcess | undefined;
  private current: RtpengineState = 'stopped';
  private restartTimes: number[] = [];
  private restartDelay: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stopping = false;
  private exitHooked = false;
  private readonly killOnExit = (): void => {
    this.child?.kill('SIGKILL');
  };

  constructor(options: RtpengineProcessOptions) {
    if (options.interfaces.length === 0) {
      throw new SwitchboardError('SB_CONFIG_INVALID', 'rtpengine needs at least one RTP interface');
    }
    if (!(options.portMin > 0 && options.portMin < options.portMax && options.portMax <= 65535)) {
      throw new SwitchboardError('SB_CONFIG_INVALID', `rtpengine port range ${options.portMin}-${options.portMax} is invalid`);
    }
    // Field by field: an explicit `undefined` in options must not erase a default.
    this.opts = {
      ng: options.ng,
      interfaces: options.interfaces,
      portMin: options.portMin,
      portMax: options.portMax,
      mediaTimeoutSec: options.mediaTimeoutSec,
      dtmfLogDest: options.dtmfLogDest,
      recordingDir: options.recordingDir,
      logLevel: options.logLevel ?? 4,
      binary: options.binary ?? '/usr/bin/rtpengine',
      extraArgs: options.extraArgs ?? [],
      readyTimeoutMs: options.readyTimeoutMs ?? 5000,
      stopTimeoutMs: options.stopTimeoutMs ?? 3000,
      maxRestarts: options.maxRestarts ?? 5,
      restartWindowMs: options.restartWindowMs ?? 60_000,
      restartDelayMs: options.restartDelayMs ?? 250,
      maxRestartDelayMs: options.maxRestartDelayMs ?? 5000,
    };
    this.restartDelay = this.opts.restartDelayMs;
    this.logger = (options.logger ?? silentLogger).child({ module: 'rtpengine-process' });
  }

  get state(): RtpengineState {
    return this.current;
  }

  /** PID of the running child, if any. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The command line used, for logs and docs. */
  get argv(): string[] {
    const o = this.opts;
    const args = [
      '--config-file=none',
      '--foreground',
      '--table=-1',
      '--log-stderr',
      '--no-log-timestamps',
      `--log-level=${o.logLevel}`,
      ...o.interfaces.map((address) => `--interface=${address}`),
      `--listen-ng=${o.ng.host}:${o.ng.port}`,
      `--port-min=${o.portMin}`,
      `--port-max=${o.portMax}`,
      // A deleted call is gone at once, so `list` and `query` tell the truth.
      '--delete-delay=0',
    ];
    if (o.mediaTimeoutSec !== undefined) args.push(`--timeout=${o.mediaTimeoutSec}`);
    if (o.dtmfLogDest !== undefined) args.push(`--dtmf-log-dest=${o.dtmfLogDest.host}:${o.dtmfLogDest.port}`);
    if (o.recordingDir !== undefined) args.push(`--recording-dir=${o.recordingDir}`, '--recording-method=pcap');
    return [o.binary, ...args, ...o.extraArgs];
  }

  onState(listener: (state: RtpengineState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Spawns rtpengine and resolves once it answers an ng ping; rejects (and kills it) otherwise. */
  async start(): Promise<void> {
    if (this.current !== 'stopped' && this.current !== 'failed') {
      throw new SwitchboardError('SB_INTERNAL', `rtpengine start() while ${this.current}`);
    }
    this.stopping = false;
    this.restartTimes = [];
    this.restartDelay = this.opts.restartDelayMs;
    this.hookProcessExit(true);
    try {
      if (this.opts.recordingDir !== undefined) await mkdir(this.opts.recordingDir, { recursive: true });
      await this.launch();
    } catch (err) {
      this.hookProcessExit(false);
      throw err;
    }
  }

  /** Stops rtpengine and any pending restart; resolves when the process is gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.hookProcessExit(false);
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
      this.child = undefined;
      this.setState('stopped');
      return;
    }
    this.setState('stopping');
    child.kill('SIGTERM');
    const killer = setTimeout(() => {
      this.logger.warn({ pid: child.pid }, 'rtpengine ignored SIGTERM; sending SIGKILL');
      child.kill('SIGKILL');
    }, this.opts.stopTimeoutMs);
    await this.exited;
    clearTimeout(killer);
    this.child = undefined;
    this.setState('stopped');
  }

  private async launch(): Promise<void> {
    const child = this.spawnChild();
    this.setState('starting');
    try {
      await this.waitReady(child);
    } catch (err) {
      child.kill('SIGKILL');
      await this.exited;
      if (this.child === child) this.child = undefined;
      if (!this.stopping) this.setState('failed');
      throw err;
    }
    this.setState('running');
    this.logger.info({ pid: child.pid, ng: `${this.opts.ng.host}:${this.opts.ng.port}` }, 'rtpengine running');
  }

  private spawnChild(): ChildProcess {
    const [binary, ...args] = this.argv;
    const useSetpriv = existsSync(SETPRIV);
    const file = useSetpriv ? SETPRIV : binary!;
    const argv = useSetpriv ? ['--pdeathsig', 'SIGKILL', '--', binary!, ...args] : args;
    this.stderrTail.length = 0;
    // setpriv execs rtpengine, so the PID we hold is rtpengine's own.
    const child = spawn(file, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        resolve();
        this.onExit(child, code, signal);
      });
      // A spawn failure (missing binary) emits 'error' and may never emit 'exit'.
      child.once('error', (err) => {
        this.logger.error({ err }, 'rtpengine could not be spawned');
        resolve();
      });
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_TAIL) this.stderrTail.shift();
      this.logger.warn({ pid: child.pid }, `rtpengine: ${line}`);
    });
    return child;
  }

  private async waitReady(child: ChildProcess): Promise<void> {
    const transport = new UdpNgTransport(this.opts.ng);
    const deadline = performance.now() + this.opts.readyTimeoutMs;
    let gone = false;
    void this.exited.then(() => {
      gone = true;
    });
    try {
      while (performance.now() < deadline && !gone) {
        try {
          await transport.send('ping', {}, READY_POLL_MS);
          return;
        } catch {
          // Not listening yet: rtpengine replies nothing and the ping times out.
        }
      }
    } finally {
      transport.close();
    }
    const why = gone ? `exited (code ${String(child.exitCode)})` : `did not answer within ${this.opts.readyTimeoutMs} ms`;
    throw new SwitchboardError('SB_MEDIA_UNAVAILABLE', `rtpengine ${why}: ${this.stderrTail.join(' | ') || 'no output'}`);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child || this.current !== 'running') return;
    this.child = undefined;
    this.logger.error({ pid: child.pid, code, signal, stderr: this.stderrTail.slice(-5) }, 'rtpengine exited');
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const now = performance.now();
    this.restartTimes = this.restartTimes.filter((t) => now - t < this.opts.restartWindowMs);
    if (this.restartTimes.length >= this.opts.maxRestarts) {
      this.logger.error({ restarts: this.restartTimes.length }, 'rtpengine keeps dying; giving up');
      this.hookProcessExit(false);
      this.setState('failed');
      return;
    }
    this.restartTimes.push(now);
    const delay = this.restartDelay;
    this.restartDelay = Math.min(this.restartDelay * 2, this.opts.maxRestartDelayMs);
    this.setState('restarting');
    this.restartTimer = setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    try {
      await this.launch();
      this.restartDelay = this.opts.restartDelayMs;
    } catch (err) {
      if (this.stopping) return;
      this.logger.error({ err }, 'rtpengine restart failed');
      this.scheduleRestart();
    }
  }

  private hookProcessExit(on: boolean): void {
    if (on === this.exitHooked) return;
    this.exitHooked = on;
    if (on) process.on('exit', this.killOnExit);
    else process.off('exit', this.killOnExit);
  }

  private setState(next: RtpengineState): void {
    if (this.current === next) return;
    this.current = next;
    for (const listener of this.listeners) listener(next);
  }
}
