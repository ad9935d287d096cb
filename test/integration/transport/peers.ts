import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { ConnectionClosed, MessageSource, TransportHandlers } from '../../../src/engine/transport/index.js';

/** Records everything a TransportLayer hands to the stack. */
export class Inbox implements TransportHandlers {
  readonly messages: Array<{ data: Buffer; source: MessageSource }> = [];
  readonly oversized: Array<{ data: Buffer; source: MessageSource }> = [];
  readonly framingErrors: Array<{ detail: string; source: MessageSource }> = [];
  readonly closed: ConnectionClosed[] = [];
  /** Runs inside onFramingError/onOversize, e.g. to answer before the connection closes. */
  onFault: ((source: MessageSource) => void) | undefined;

  onMessage(data: Buffer, source: MessageSource): void {
    this.messages.push({ data: Buffer.from(data), source });
  }
  onOversize(data: Buffer, source: MessageSource): void {
    this.oversized.push({ data: Buffer.from(data), source });
    this.onFault?.(source);
  }
  onFramingError(detail: string, source: MessageSource): void {
    this.framingErrors.push({ detail, source });
    this.onFault?.(source);
  }
  onConnectionClosed(event: ConnectionClosed): void {
    this.closed.push(event);
  }

  texts(): string[] {
    return this.messages.map((m) => m.data.toString('latin1'));
  }
}

/** A SIP request with a correct Content-Length. */
export function sipRequest(opts: { callId?: string; via?: string; body?: string | Buffer } = {}): Buffer {
  const body = opts.body === undefined ? Buffer.alloc(0) : Buffer.from(opts.body);
  const head = [
    'OPTIONS sip:bob@127.0.0.1 SIP/2.0',
    `Via: ${opts.via ?? 'SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-t1'}`,
    'Max-Forwards: 70',
    `Call-ID: ${opts.callId ?? 'call-1'}`,
    'CSeq: 1 OPTIONS',
    `Content-Length: ${body.length}`,
  ].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), body]);
}

/** A UDP socket on loopback that records datagrams with their sender. */
export class UdpTestPeer {
  readonly received: Array<{ data: Buffer; address: string; port: number }> = [];
  private constructor(private readonly socket: UdpSocket) {
    socket.on('message', (data, rinfo) => this.received.push({ data, address: rinfo.address, port: rinfo.port }));
  }

  static async bind(address: string): Promise<UdpTestPeer> {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => resolve());
    });
    return new UdpTestPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: Buffer | string, port: number, address: string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(data, port, address, (err) => (err ? reject(err) : resolve())));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** A TCP connection on loopback that records raw bytes and whether it was closed. */
export class TcpTestPeer {
  data = Buffer.alloc(0);
  closed = false;
  /** Our end's port, kept because the socket forgets it once closed. */
  readonly localPort: number;
  constructor(readonly socket: Socket) {
    this.localPort = socket.localPort!;
    socket.on('data', (d) => {
      this.data = Buffer.concat([this.data, d]);
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {
      this.closed = true;
    });
  }

  static connect(port: number, host: string, opts: { allowHalfOpen?: boolean } = {}): Promise<TcpTestPeer> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host, allowHalfOpen: opts.allowHalfOpen ?? false, noDelay: true }, () => resolve(new TcpTestPeer(s)));
      s.once('error', reject);
    });
  }

  write(data: Buffer | string): void {
    this.socket.write(data);
  }

  /** Writes `data` one byte per event-loop turn, so every byte arrives as its own read. */
  async trickle(data: Buffer, delayMs = 0): Promise<void> {
    for (let i = 0; i < data.length && !this.closed; i++) {
      this.socket.write(data.subarray(i, i + 1));
      await new Promise((r) => (delayMs > 0 ? setTimeout(r, delayMs) : setImmediate(r)));
    }
  }

  text(): string {
    return this.data.toString('latin1');
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A TCP server on loopback standing in for a remote SIP peer; keeps every accepted connection. */
export class TcpTestServer {
  readonly peers: TcpTestPeer[] = [];
  private constructor(private readonly server: Server) {
    server.on('connection', (s) => this.peers.push(new TcpTestPeer(s)));
  }

  static async listen(host: string, port = 0): Promise<TcpTestServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, ipv6Only: host.includes(':') }, () => resolve());
    });
    return new TcpTestServer(server);
  }

  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a !== null ? a.port : 0;
  }

  /** Stops listening without waiting for connections the layer still holds. */
  stopListening(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  close(): Promise<void> {
    for (const p of this.peers) p.destroy();
    return this.stopListening();
  }
}

/** Live handles and timers by type (e.g. `TCPSocketWrap`, `UDPWrap`, `Timeout`). */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}
