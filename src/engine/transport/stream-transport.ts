import type { Server, Socket } from 'node:net';
import { SwitchboardError } from '../../util/errors.js';
import type { TransportContext } from './context.js';
import { canonicalIp, isUnspecified, type IpFamily } from './ip.js';
import { formatListenSpec, type ListenSpec } from './listen-spec.js';
import { StreamConnection, type ConnectionOwner } from './stream-connection.js';
import type { Destination, SendErrorHandler, Transport, TransportName } from './types.js';

/**
 * What differs between stream transports: how sockets are made. TCP passes node:net;
 * TLS would pass node:tls (createServer's listener is then 'secureConnection' and the
 * ready event 'secureConnect'); framing, limits and deadlines stay the same.
 */
export interface StreamSocketFactory {
  readonly transport: TransportName;
  /** Event an outbound socket emits once SIP may flow on it. */
  readonly readyEvent: string;
  /** A server that calls `onSocket` for every accepted (and, for TLS, handshaken) socket. */
  createServer(onSocket: (socket: Socket) => void): Server;
  /** Starts an outbound connection; writes before readyEvent are queued by the socket. */
  connect(options: { host: string; port: number; family: IpFamily; localAddress: string | undefined }): Socket;
}

/**
 * A listening stream transport: accepts connections within the connection limits,
 * opens outbound ones on demand and sends on them, reusing any open connection to or
 * from the destination (RFC 3261 §18, connection reuse; RFC 5923 without its `alias`).
 *
 * @example
 *   const tcp = await StreamTransport.listen(parseListenSpec('tcp:127.0.0.1:5060'), tcpSocketFactory, ctx);
 *   tcp.send(bytes, { transport: 'tcp', address: '127.0.0.1', port: 5062 }, undefined);
 */
export class StreamTransport implements Transport, ConnectionOwner {
  readonly reliable = true;
  readonly name: TransportName;
  readonly family: IpFamily;
  readonly localAddress: string;
  localPort: number;
  private readonly server: Server;
  /** Connections this transport accepted or opened. */
  private readonly own = new Set<StreamConnection>();
  private closing = false;
  private drained: (() => void) | undefined;

  private constructor(
    private readonly spec: ListenSpec,
    private readonly factory: StreamSocketFactory,
    private readonly ctx: TransportContext,
  ) {
    this.name = factory.transport;
    this.family = spec.family;
    this.localAddress = spec.address;
    this.localPort = spec.port;
    this.server = factory.createServer(this.accept);
  }

  /**
   * Binds and listens. IPv6 listeners are IPv6-only, so `tcp:0.0.0.0` and `tcp:[::]`
   * can both be given and every source address has one spelling.
   * Throws SwitchboardError 'SB_TRANSPORT' when the address cannot be bound.
   */
  static async listen(spec: ListenSpec, factory: StreamSocketFactory, ctx: TransportContext): Promise<StreamTransport> {
    const t = new StreamTransport(spec, factory, ctx);
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error): void => reject(new SwitchboardError('SB_TRANSPORT', `cannot listen on ${formatListenSpec(spec)}: ${err.message}`, { cause: err }));
      t.server.once('error', failed);
      t.server.listen({ host: spec.address, port: spec.port, ipv6Only: spec.family === 6, exclusive: true }, () => {
        t.server.off('error', failed);
        resolve();
      });
    });
    const bound = t.server.address();
    if (bound !== null && typeof bound === 'object') t.localPort = bound.port;
    // Accept errors (EMFILE) arrive here; the server keeps listening.
    t.server.on('error', (err) => ctx.logger.error({ err, listen: formatListenSpec(spec, t.localPort) }, 'stream listener error'));
    return t;
  }

  send(data: Buffer, dest: Destination, onError: SendErrorHandler | undefined): number {
    const table = this.ctx.connections;
    if (dest.connectionId !== undefined) {
      const byId = table.get(dest.connectionId);
      if (byId !== undefined && byId.transport === this.name) {
        byId.write(data, onError, dest);
        return byId.id;
      }
    }
    const reused = table.find(this.name, dest.address, dest.port);
    if (reused !== undefined) {
      reused.write(data, onError, dest);
      return reused.id;
    }
    if (this.closing) {
      this.ctx.sendFailed(`${formatListenSpec(this.spec, this.localPort)} is shutting down`, dest, onError);
      return 0;
    }
    const c = this.connect(dest.address, dest.port);
    c.write(data, onError, dest);
    return c.id;
  }

  released(connection: StreamConnection): void {
    this.own.delete(connection);
    if (this.own.size === 0) this.drained?.();
  }

  /** Stops accepting, closes every connection gracefully and resolves once all are gone (lingerMs at most). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.server.close();
    if (this.own.size === 0) return;
    const gone = new Promise<void>((resolve) => (this.drained = resolve));
    for (const c of [...this.own]) c.close('shutdown', undefined, true);
    await gone;
  }

  private readonly accept = (socket: Socket): void => {
    const ctx = this.ctx;
    const address = socket.remoteAddress === undefined ? undefined : canonicalIp(socket.remoteAddress);
    if (address === undefined || socket.remotePort === undefined || this.closing) {
      socket.destroy();
      return;
    }
    const table = ctx.connections;
    if (table.size >= ctx.options.maxConnections || table.countFrom(address) >= ctx.options.maxConnectionsPerSource) {
      ctx.counters.connectionsRefused++;
      socket.destroy();
      return;
    }
    ctx.counters.connectionsAccepted++;
    this.adopt(new StreamConnection(ctx, this, socket, table.nextId(), this.name, address, socket.remotePort, 'accepted', this.factory.readyEvent));
  };

  private connect(address: string, port: number): StreamConnection {
    const socket = this.factory.connect({
      host: address,
      port,
      family: this.family,
      // Leave from the listener's address so the peer sees the address our Via names.
      localAddress: isUnspecified(this.localAddress) ? undefined : this.localAddress,
    });
    const c = new StreamConnection(this.ctx, this, socket, this.ctx.connections.nextId(), this.name, address, port, 'connecting', this.factory.readyEvent);
    this.adopt(c);
    return c;
  }

  private adopt(c: StreamConnection): void {
    this.own.add(c);
    this.ctx.connections.add(c);
  }
}
