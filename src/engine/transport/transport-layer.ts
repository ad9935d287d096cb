import { silentLogger, type Logger } from '../../util/logger.js';
import { TransportContext } from './context.js';
import type { TransportCounterValues } from './counters.js';
import { canonicalIp, ipFamily, isMulticastOrBroadcast, isUnspecified, type IpFamily } from './ip.js';
import { formatListenSpec, parseListenSpec, type ListenSpec } from './listen-spec.js';
import { resolveTransportOptions, type TransportOptions } from './options.js';
import { StreamTransport } from './stream-transport.js';
import { tcpSocketFactory } from './tcp.js';
import type { Destination, SendErrorHandler, Transport, TransportHandlers, TransportName } from './types.js';
import { UdpTransport } from './udp-transport.js';

export interface TransportLayerConfig {
  /** Specs such as `udp:127.0.0.1:5060`, `tcp:[::1]:5080`, parsed or as text. */
  listen: ReadonlyArray<ListenSpec | string>;
  handlers: TransportHandlers;
  options?: Partial<TransportOptions>;
  logger?: Logger;
}

/** A bound listener, with the port the OS chose when the spec said 0. */
export interface Listener {
  readonly transport: TransportName;
  readonly address: string;
  readonly port: number;
  readonly family: IpFamily;
  /** As text, e.g. `tcp:[::1]:5080`. */
  readonly spec: string;
}

/** Counters plus the open connection count, for tests and metrics. */
export interface TransportStats extends TransportCounterValues {
  /** Open stream connections (connecting, open or closing). */
  readonly connections: number;
}

/**
 * Every listening transport of the engine behind one object. The stack gets each
 * received message through `handlers.onMessage` and sends through `send`; it never
 * sees a socket. See docs/engine-transport.md.
 *
 * @example
 *   const layer = await TransportLayer.start({
 *     listen: ['udp:127.0.0.1:5060', 'tcp:127.0.0.1:5060'],
 *     handlers: { onMessage: (data, source) => stack.receive(data, source) },
 *   });
 *   layer.send(response, responseDestination(topVia, requestSource));
 *   await layer.close();
 */
export class TransportLayer {
  readonly listeners: ReadonlyArray<Listener>;
  private readonly byName: Readonly<Record<TransportName, readonly Transport[]>>;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly ctx: TransportContext,
    private readonly transports: readonly Transport[],
    specs: readonly ListenSpec[],
  ) {
    this.byName = {
      udp: transports.filter((t) => t.name === 'udp'),
      tcp: transports.filter((t) => t.name === 'tcp'),
    };
    this.listeners = transports.map((t, i) => ({
      transport: t.name,
      address: t.localAddress,
      port: t.localPort,
      family: t.family,
      spec: formatListenSpec(specs[i]!, t.localPort),
    }));
  }

  /**
   * Binds every listener. If one fails, those already bound are closed and the error
   * (SwitchboardError 'SB_TRANSPORT', or 'SB_USAGE' for a bad spec) is thrown.
   */
  static async start(config: TransportLayerConfig): Promise<TransportLayer> {
    const specs = config.listen.map((s) => (typeof s === 'string' ? parseListenSpec(s) : s));
    const logger = config.logger ?? silentLogger;
    const ctx = new TransportContext(resolveTransportOptions(config.options), config.handlers, logger);
    const started: Transport[] = [];
    try {
      for (const spec of specs) {
        started.push(spec.transport === 'udp' ? await UdpTransport.listen(spec, ctx) : await StreamTransport.listen(spec, tcpSocketFactory, ctx));
      }
    } catch (err) {
      await Promise.all(started.map((t) => t.close()));
      throw err;
    }
    const layer = new TransportLayer(ctx, started, specs);
    for (const l of layer.listeners) logger.info({ listen: l.spec }, 'sip transport listening');
    return layer;
  }

  /**
   * Sends one message. `dest.address` must be an IP literal; multicast and broadcast
   * are refused. Streams: on `dest.connectionId` while it is open, else on an open
   * connection to or from `address`:`port`, else on a new connection. UDP: from the
   * listener bound to `dest.localPort` when given (responses), else the first of the
   * destination's family. Returns the connection id used, or 0 for UDP and for a send
   * refused at once. Every failure is counted and reported to `onError`, later.
   */
  send(data: Buffer, dest: Destination, onError?: SendErrorHandler): number {
    const ctx = this.ctx;
    if (this.closing !== undefined) {
      ctx.sendFailed('transport layer is closed', dest, onError);
      return 0;
    }
    const address = canonicalIp(dest.address);
    if (address === undefined || isMulticastOrBroadcast(address)) {
      ctx.sendFailed(`refusing to send to "${dest.address}": not a unicast IP address`, dest, onError);
      return 0;
    }
    if (!(dest.port > 0 && dest.port <= 65_535 && Number.isInteger(dest.port))) {
      ctx.sendFailed(`refusing to send to port ${dest.port}`, dest, onError);
      return 0;
    }
    const family = ipFamily(address);
    const transport = this.pick(dest, family);
    if (transport === undefined) {
      ctx.sendFailed(`no ${dest.transport} listener for IPv${family} to send to ${dest.address}`, dest, onError);
      return 0;
    }
    return transport.send(data, address === dest.address ? dest : { ...dest, address }, onError);
  }

  /** True while the stream connection can carry messages. */
  isOpen(connectionId: number): boolean {
    return this.ctx.connections.get(connectionId) !== undefined;
  }

  /** Open stream connections from or to `address` (canonicalized first). */
  connectionsFrom(address: string): number {
    const canonical = canonicalIp(address);
    return canonical === undefined ? 0 : this.ctx.connections.countFrom(canonical);
  }

  stats(): TransportStats {
    return { ...this.ctx.counters.snapshot(), connections: this.ctx.connections.size };
  }

  /**
   * Stops listening, closes every connection (gracefully, at most lingerMs) and every
   * socket. Afterwards nothing of the layer keeps the event loop alive. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= Promise.all(this.transports.map((t) => t.close())).then(() => undefined);
    return this.closing;
  }

  private pick(dest: Destination, family: IpFamily): Transport | undefined {
    const candidates = this.byName[dest.transport];
    if (dest.localPort !== undefined) {
      for (const t of candidates) {
        if (t.family === family && t.localPort === dest.localPort && (dest.localAddress === undefined || t.localAddress === dest.localAddress || isUnspecified(t.localAddress))) {
          return t;
        }
      }
    }
    for (const t of candidates) if (t.family === family) return t;
    return undefined;
  }
}
