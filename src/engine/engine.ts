import { readFileSync } from 'node:fs';
import { SipStack, type SipStackStats } from './core/sip-stack.js';
import { DrachtioCore, type DrachtioCoreStats } from './drachtio/drachtio-core.js';
import type { OverloadOptions } from './core/overload.js';
import type { IngressFilterOptions } from './core/ingress-filter.js';
import { DEFAULT_TIMERS, type TransactionTimers } from './transaction/index.js';
import type { Listener, ListenSpec, TransportOptions } from './transport/index.js';
import { WireServer } from './wire/wire-server.js';
import { silentLogger, type Logger } from '../util/logger.js';

export interface EngineConfig {
  /** SIP listen specs, e.g. `udp:127.0.0.1:5060`. */
  readonly sip: ReadonlyArray<ListenSpec | string>;
  /** drachtio control port; without it the engine answers every request itself (503). */
  readonly control?: { readonly host: string; readonly port: number; readonly secret: string };
  readonly timers?: Partial<TransactionTimers>;
  readonly transport?: Partial<TransportOptions>;
  /** Address to advertise in Via/Contact when a listener is bound to 0.0.0.0 or ::. */
  readonly advertise?: string;
  readonly defaultRefresher?: 'none' | 'uac' | 'uas';
  /** How long an application may take to answer a request before the engine answers 500; default 64 s as drachtio. */
  readonly appAnswerTimeoutMs?: number;
  /** When to refuse new calls with 503 and Retry-After (defaults: 200 ms loop delay, 10,000 pending calls). */
  readonly overload?: Partial<OverloadOptions>;
  /** Scanner User-Agents and their action (drachtio-server's `spammers`). */
  readonly ingress?: IngressFilterOptions;
  readonly logger?: Logger;
}

export interface EngineStats extends SipStackStats, DrachtioCoreStats {
  readonly applications: number;
}

/**
 * The SIP engine: a drachtio-server compatible SIP server (docs/architecture.md).
 * SIP stack + drachtio core + the control port drachtio-srf applications connect to.
 *
 * @example
 *   const engine = await Engine.start({ sip: ['udp:127.0.0.1:5060'], control: { host: '127.0.0.1', port: 9022, secret: 's' } });
 *   …
 *   await engine.stop();
 */
export class Engine {
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly stack: SipStack,
    private readonly core: DrachtioCore,
    private readonly wire: WireServer | undefined,
    /** Where the control port listens (port resolved when 0 was asked). */
    readonly control: { readonly address: string; readonly port: number } | undefined,
  ) {}

  static async start(config: EngineConfig): Promise<Engine> {
    const logger = config.logger ?? silentLogger;
    const timers: TransactionTimers = { ...DEFAULT_TIMERS, ...config.timers };
    const core = new DrachtioCore({ logger, timers, defaultRefresher: config.defaultRefresher, appAnswerTimeoutMs: config.appAnswerTimeoutMs, overload: config.overload });
    const stack = await SipStack.start({ listen: config.sip, transport: config.transport, timers, logger, ingress: config.ingress }, core);
    let wire: WireServer | undefined;
    let control: { address: string; port: number } | undefined;
    try {
      if (config.control !== undefined) {
        wire = new WireServer(
          { ...config.control, hostports: () => core.hostports(), version: `v0.9.10-switchboard.${packageVersion()}`, logger },
          core,
        );
        core.attach(stack, wire.routes, config.advertise);
        control = await wire.listen();
      } else core.attach(stack, undefined, config.advertise);
    } catch (err) {
      await stack.close();
      throw err;
    }
    return new Engine(stack, core, wire, control);
  }

  get listeners(): ReadonlyArray<Listener> {
    return this.stack.listeners;
  }

  stats(): EngineStats {
    return { ...this.stack.stats(), ...this.core.stats(), applications: this.wire?.connections.size ?? 0 };
  }

  /** Drops every request from `address` for `forMs` (0 lifts the block); the registrar's answer to repeated failed authentication. */
  blockSource(address: string, forMs: number): void {
    this.stack.filter.block(address, forMs);
  }

  /** Closes the control port, the transactions and the sockets. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.wire?.close();
      this.core.close();
      await this.stack.close();
    })();
    return this.stopping;
  }
}

let version: string | undefined;

/** The package version, for the version string applications see. */
export function packageVersion(): string {
  if (version === undefined) {
    version = '0.0.0';
    // src/engine/ when run from source, dist/src/engine/ when compiled.
    for (const rel of ['../../package.json', '../../../package.json']) {
      try {
        const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'switchboard' && pkg.version !== undefined) {
          version = pkg.version;
          break;
        }
      } catch {
        // try the next location
      }
    }
  }
  return version;
}
