import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { parseMessage, type SipResponse } from '../../src/engine/message/index.js';

/**
 * A response as a test peer sees it. An error response copies the request's headers,
 * and a 400 to a malformed request copies malformed ones, so the strict codec cannot
 * always read it back: then only the status line, Call-ID and plain header values are
 * taken from the text.
 */
export interface PeerResponse {
  readonly status: number;
  readonly callId: string;
  get(name: string): string | undefined;
  readonly via: { readonly received?: string } | null;
}

/** What a test peer received: raw bytes and, when it is a response, the response. */
export interface Received {
  bytes: Buffer;
  response?: PeerResponse;
  from: { address: string; port: number };
}

/** Reads a response strictly, else loosely (see PeerResponse); undefined for anything that is not a response. */
export function readResponse(bytes: Buffer, stream = false): PeerResponse | undefined {
  const r = parseMessage(bytes, { stream });
  if (r.ok) return r.message.isRequest ? undefined : (r.message as SipResponse);
  const text = bytes.toString('utf8');
  const status = /^SIP\/2\.0 (\d{3})/.exec(text);
  if (status === null) return undefined;
  const header = (name: string): string | undefined => new RegExp(`^${name}[ \\t]*:[ \\t]*([^\\r\\n]*)`, 'im').exec(text)?.[1]?.trim();
  const received = /;received=([^;,\s]+)/i.exec(header('(?:via|v)') ?? '')?.[1];
  return {
    status: Number(status[1]),
    callId: header('(?:call-id|i)') ?? '',
    get: (name: string) => header(name),
    via: { received },
  };
}

/**
 * A UDP socket on loopback that records every datagram it receives, for tests that
 * play the part of a SIP peer without a SIP stack of their own.
 */
export class UdpPeer {
  readonly received: Received[] = [];
  private constructor(private readonly socket: UdpSocket) {
    socket.on('message', (bytes, rinfo) => {
      this.received.push({ bytes, response: readResponse(bytes), from: { address: rinfo.address, port: rinfo.port } });
    });
  }

  static async bind(port = 0, address = '127.0.0.1'): Promise<UdpPeer> {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, address, () => resolve());
    });
    return new UdpPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(bytes: Buffer | string, port: number, address = '127.0.0.1'): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(bytes, port, address, (err) => (err ? reject(err) : resolve())));
  }

  /** Responses received whose Call-ID equals `callId`. */
  responsesFor(callId: string): PeerResponse[] {
    return this.received.flatMap((r) => (r.response?.callId === callId ? [r.response] : []));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** A TCP connection that records what it receives and whether the other side closed it. */
export class TcpPeer {
  private buffer = Buffer.alloc(0);
  closed = false;
  private constructor(readonly socket: Socket) {
    socket.on('data', (d) => {
      this.buffer = Buffer.concat([this.buffer, d]);
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {
      this.closed = true;
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<TcpPeer> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => resolve(new TcpPeer(s)));
      s.once('error', reject);
    });
  }

  async send(bytes: Buffer, chunkSize = 0): Promise<void> {
    if (chunkSize <= 0) {
      this.socket.write(bytes);
      return;
    }
    for (let i = 0; i < bytes.length && !this.closed; i += chunkSize) {
      this.socket.write(bytes.subarray(i, i + chunkSize));
      // Let each chunk leave as its own segment so the server really sees it trickle.
      if (i % 64 === 0) await new Promise((r) => setImmediate(r));
    }
  }

  /** Every SIP response framed from the bytes received so far. */
  responses(): PeerResponse[] {
    const out: PeerResponse[] = [];
    let rest = this.buffer;
    for (;;) {
      const end = rest.indexOf('\r\n\r\n');
      if (end < 0) break;
      const head = rest.subarray(0, end).toString();
      const m = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)/im.exec(head);
      const total = end + 4 + (m ? Number(m[1]) : 0);
      if (rest.length < total) break;
      const r = readResponse(rest.subarray(0, total), true);
      if (r !== undefined) out.push(r);
      rest = rest.subarray(total);
    }
    return out;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Polls `check` every 10 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return check();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
