import { createServer, type Server, type Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { isToken } from '../message/chars.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import { AppConnection } from './app-connection.js';
import { FrameDecoder } from './frame-decoder.js';
import { RouteTable } from './route-table.js';

/** What the engine does with the frames that carry SIP (docs/drachtio-wire-protocol.md §6, §7). */
export interface WireHandler {
  /** A `sip` frame; the handler answers it with exactly one `conn.reply`. */
  sip(conn: AppConnection, msgId: string, tokens: readonly string[], sipText: string): void;
  /** A `proxy` frame; answered with `continue` responses and one final reply. */
  proxy(conn: AppConnection, msgId: string, tokens: readonly string[], sipText: string): void;
  /** The connection closed; everything it owned must be released. */
  closed(conn: AppConnection): void;
}

export interface WireServerOptions {
  host: string;
  port: number;
  secret: string;
  /** `proto/host:port` list of the SIP listeners, as sent in the authenticate reply. */
  hostports: () => string;
  /** Version string drachtio-srf parses; it must start with `vMAJOR.MINOR.PATCH`. */
  version: string;
  maxFrameBytes?: number;
  logger?: Logger;
}

const CDR_VERBS = new Set(['cdr:attempt', 'cdr:start', 'cdr:stop']);

/**
 * The drachtio control port: accepts drachtio-srf connections, authenticates them,
 * keeps their routes, answers pings, and hands `sip`/`proxy` frames to the engine.
 * Bad input on one connection closes or refuses that connection only.
 *
 * @example
 *   const wire = new WireServer({ host: '127.0.0.1', port: 9022, secret, hostports, version }, handler);
 *   await wire.listen();
 *   const app = wire.routes.pick('invite');
 */
export class WireServer {
  readonly routes = new RouteTable<AppConnection>();
  readonly connections = new Set<AppConnection>();
  private server: Server | undefined;
  private nextId = 1;
  private readonly logger: Logger;
  private readonly secret: Buffer;
  private readonly maxFrame: number;

  constructor(
    private readonly opts: WireServerOptions,
    private readonly handler: WireHandler,
  ) {
    this.logger = (opts.logger ?? silentLogger).child({ module: 'wire' });
    this.secret = Buffer.from(opts.secret, 'utf8');
    this.maxFrame = opts.maxFrameBytes ?? 99_999;
  }

  listen(): Promise<{ address: string; port: number }> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => this.accept(socket));
      this.server = server;
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        const a = server.address();
        if (a === null || typeof a === 'string') return reject(new Error('control port has no address'));
        this.logger.info({ address: a.address, port: a.port }, 'drachtio control port listening');
        resolve({ address: a.address, port: a.port });
      });
    });
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 45_000);
    const conn = new AppConnection(this.nextId++, socket);
    this.connections.add(conn);
    const decoder = new FrameDecoder(this.maxFrame);
    socket.on('data', (chunk: Buffer) => {
      const frames = decoder.push(chunk);
      for (const f of frames) {
        if (conn.closed) return;
        this.onFrame(conn, f);
      }
      if (decoder.error !== undefined) this.drop(conn, decoder.error);
    });
    socket.on('error', () => undefined); // 'close' follows and does the cleanup
    socket.on('close', () => this.onClose(conn));
  }

  private onFrame(conn: AppConnection, payload: string): void {
    const crlf = payload.indexOf('\r\n');
    const leader = crlf < 0 ? payload : payload.slice(0, crlf);
    const tokens = leader.split('|');
    const msgId = tokens[0] ?? '';
    const type = tokens[1];
    if (type === undefined) {
      conn.reply(msgId, 'NO|Invalid message format');
      return this.drop(conn, 'frame leader has fewer than two tokens');
    }
    if (!conn.authenticated) {
      if (type === 'authenticate') return this.authenticate(conn, msgId, tokens);
      conn.reply(msgId, 'NO|not authenticated');
      return this.drop(conn, `'${clip(type)}' before authenticate`);
    }
    switch (type) {
      case 'sip':
        return this.handler.sip(conn, msgId, tokens, crlf < 0 ? '' : payload.slice(crlf + 2));
      case 'proxy':
        return this.handler.proxy(conn, msgId, tokens, crlf < 0 ? '' : payload.slice(crlf + 2));
      case 'ping':
        return conn.reply(msgId, 'OK|pong');
      case 'route':
      case 'remove_route':
        return this.route(conn, msgId, type, tokens[2]);
      case 'authenticate':
        return conn.reply(msgId, 'NO|already authenticated');
      default:
        this.refused(conn, `unknown message type '${clip(type)}'`);
        return conn.reply(msgId, 'NO|Unknown message type');
    }
  }

  private authenticate(conn: AppConnection, msgId: string, tokens: string[]): void {
    const offered = Buffer.from(tokens[2] ?? '', 'utf8');
    const ok = offered.length === this.secret.length && timingSafeEqual(offered, this.secret);
    if (!ok) {
      conn.reply(msgId, 'NO|incorrect secret');
      if (conn.shouldLogRefusal()) this.logger.warn({ remote: conn.remote }, 'application refused: incorrect secret');
      conn.closed = true;
      conn.socket.end();
      return;
    }
    conn.authenticated = true;
    conn.tags = (tokens[3] ?? '').split(',').filter((t) => t.length > 0);
    const hostports = this.opts.hostports();
    conn.reply(msgId, `OK|${hostports}|${this.opts.version}|${hostports}`);
    this.logger.info({ remote: conn.remote, app: conn.id, tags: conn.tags }, 'application connected');
  }

  private route(conn: AppConnection, msgId: string, type: 'route' | 'remove_route', raw: string | undefined): void {
    const verb = raw?.toLowerCase();
    if (verb === undefined || !(CDR_VERBS.has(verb) || isToken(verb))) {
      this.refused(conn, `route request with unsupported verb '${clip(raw ?? '')}'`);
      return conn.reply(msgId, 'NO|Route request includes unsupported verb');
    }
    if (type === 'route') {
      conn.verbs.add(verb);
      this.routes.add(verb, conn);
    } else {
      conn.verbs.delete(verb);
      this.routes.remove(verb, conn);
    }
    conn.reply(msgId, 'OK');
  }

  private onClose(conn: AppConnection): void {
    conn.closed = true;
    if (!this.connections.delete(conn)) return;
    this.routes.removeAll(conn, conn.verbs);
    if (conn.authenticated) this.logger.info({ app: conn.id }, 'application disconnected');
    this.handler.closed(conn);
  }

  private drop(conn: AppConnection, reason: string): void {
    this.refused(conn, reason);
    conn.closed = true;
    conn.socket.end();
    conn.socket.destroySoon();
  }

  private refused(conn: AppConnection, reason: string): void {
    if (conn.shouldLogRefusal()) this.logger.warn({ remote: conn.remote, reason }, 'control connection: refused frame');
  }
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}
