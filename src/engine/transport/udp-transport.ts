import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { AddressInterner } from '../message/intern.js';
import type { LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { SwitchboardError } from '../../util/errors.js';
import type { TransportContext } from './context.js';
import type { IpFamily } from './ip.js';
import { formatListenSpec, type ListenSpec } from './listen-spec.js';
import { looksLikeStun, stunBindingResponse } from './stun.js';
import type { Destination, MessageSource, SendErrorHandler, Transport } from './types.js';

/**
 * SIP over UDP on one bound socket: one datagram is one message (RFC 3261 §18.3).
 *
 * Inbound, per datagram: CRLF/whitespace-only datagrams are keep-alives and ignored
 * (leading CRLFs before a message are stripped, RFC 3261 §7.5); STUN Binding requests
 * are answered (RFC 5626 §4.4.1), other STUN dropped; anything over maxMessageSize
 * goes to onOversize for a 513; the rest to onMessage.
 *
 * Outbound: to IP literals only. The socket's lookup function refuses names, so even
 * a bug above cannot make this socket query DNS.
 *
 * @example
 *   const udp = await UdpTransport.listen(parseListenSpec('udp:127.0.0.1:5060'), ctx);
 *   udp.send(bytes, { transport: 'udp', address: '127.0.0.1', port: 5062 }, undefined);
 */
export class UdpTransport implements Transport {
  readonly name = 'udp' as const;
  readonly reliable = false;
  readonly family: IpFamily;
  readonly localAddress: string;
  /** Peer addresses as shared strings: a lingering transaction keeps its source for 32 s. */
  private readonly addresses = new AddressInterner();
  localPort: number;
  /** SO_RCVBUF / SO_SNDBUF as the kernel reports them after binding (Linux reports twice what it grants). */
  receiveBufferSize = 0;
  sendBufferSize = 0;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly spec: ListenSpec,
    private readonly ctx: TransportContext,
  ) {
    this.family = spec.family;
    this.localAddress = spec.address;
    this.localPort = spec.port;
    socket.on('message', this.onDatagram);
  }

  /**
   * Binds the socket and sizes its buffers. Throws SwitchboardError 'SB_TRANSPORT'
   * when the address cannot be bound; a buffer the kernel caps is logged, not fatal.
   */
  static async listen(spec: ListenSpec, ctx: TransportContext): Promise<UdpTransport> {
    const socket = createSocket({ type: spec.family === 6 ? 'udp6' : 'udp4', ipv6Only: spec.family === 6, lookup: literalOnlyLookup });
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error): void => reject(new SwitchboardError('SB_TRANSPORT', `cannot listen on ${formatListenSpec(spec)}: ${err.message}`, { cause: err }));
      socket.once('error', failed);
      socket.bind({ address: spec.address, port: spec.port, exclusive: true }, () => {
        socket.off('error', failed);
        resolve();
      });
    });
    const t = new UdpTransport(socket, spec, ctx);
    t.localPort = socket.address().port;
    t.sizeBuffers();
    // Errors after binding come from sends (also reported to their callbacks): count, never crash.
    socket.on('error', (err) => ctx.logger.warn({ err, listen: formatListenSpec(spec, t.localPort) }, 'udp socket error'));
    return t;
  }

  send(data: Buffer, dest: Destination, onError: SendErrorHandler | undefined): number {
    const counters = this.ctx.counters;
    try {
      this.socket.send(data, dest.port, dest.address, onError === undefined ? this.afterSend : this.reportingAfterSend(dest, onError));
    } catch (err) {
      // Synchronous refusals: the socket is closed.
      this.ctx.sendFailed(`udp send to ${dest.address}:${dest.port} failed: ${(err as Error).message}`, dest, onError, err);
      return 0;
    }
    counters.messagesOut++;
    counters.bytesOut += data.length;
    return 0;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private readonly onDatagram = (datagram: Buffer, rinfo: RemoteInfo): void => {
    const ctx = this.ctx;
    const counters = ctx.counters;
    counters.bytesIn += datagram.length;
    let data = datagram;
    const first = data.length === 0 ? CR : data[0]!;
    if (first === CR || first === LF || first === SP || first === HT) {
      let i = 0;
      while (i < data.length && isWhitespace(data[i]!)) i++;
      if (i === data.length) {
        counters.keepalivesIn++;
        return;
      }
      data = data.subarray(i);
    } else if (looksLikeStun(first)) {
      this.answerStun(data, rinfo);
      return;
    }
    const source: MessageSource = {
      transport: 'udp',
      address: this.addresses.intern(rinfo.address),
      port: rinfo.port,
      family: this.family,
      localAddress: this.localAddress,
      localPort: this.localPort,
      connectionId: undefined,
    };
    try {
      if (data.length > ctx.options.maxMessageSize) {
        counters.oversize++;
        ctx.handlers.onOversize?.(data, source);
        return;
      }
      counters.messagesIn++;
      ctx.handlers.onMessage(data, source);
    } catch (err) {
      ctx.handlerFailed(err);
    }
  };

  private answerStun(request: Buffer, rinfo: RemoteInfo): void {
    const counters = this.ctx.counters;
    const response = stunBindingResponse(request, rinfo.address, rinfo.port);
    if (response === undefined) {
      counters.dropped++;
      return;
    }
    counters.keepalivesIn++;
    counters.keepalivesOut++;
    counters.bytesOut += response.length;
    this.socket.send(response, rinfo.port, rinfo.address, this.afterSend);
  }

  private readonly afterSend = (err: Error | null): void => {
    if (err !== null) this.ctx.counters.sendErrors++;
  };

  /** Only for senders that asked to hear of failures: the one closure per send we allow. */
  private reportingAfterSend(dest: Destination, onError: SendErrorHandler): (err: Error | null) => void {
    return (err) => {
      if (err === null) return;
      this.ctx.counters.sendErrors++;
      onError(new SwitchboardError('SB_TRANSPORT', `udp send to ${dest.address}:${dest.port} failed: ${err.message}`, { cause: err }), dest);
    };
  }

  private sizeBuffers(): void {
    const { udpReceiveBufferSize, udpSendBufferSize } = this.ctx.options;
    const listen = formatListenSpec(this.spec, this.localPort);
    try {
      this.socket.setRecvBufferSize(udpReceiveBufferSize);
      this.socket.setSendBufferSize(udpSendBufferSize);
    } catch (err) {
      this.ctx.logger.warn({ err, listen }, 'could not size udp socket buffers');
    }
    this.receiveBufferSize = this.socket.getRecvBufferSize();
    this.sendBufferSize = this.socket.getSendBufferSize();
    // Linux doubles what it grants (bookkeeping overhead) and silently caps the
    // request at net.core.rmem_max / wmem_max.
    const factor = process.platform === 'linux' ? 2 : 1;
    if (this.receiveBufferSize < udpReceiveBufferSize * factor || this.sendBufferSize < udpSendBufferSize * factor) {
      this.ctx.logger.warn(
        { listen, requested: { receive: udpReceiveBufferSize, send: udpSendBufferSize }, granted: { receive: this.receiveBufferSize / factor, send: this.sendBufferSize / factor } },
        'udp socket buffers smaller than requested: raise net.core.rmem_max / net.core.wmem_max',
      );
    }
  }
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;

function isWhitespace(c: number): boolean {
  return c === CR || c === LF || c === SP || c === HT;
}

/** dgram's name lookup, restricted to IP literals: the engine never resolves names. */
function literalOnlyLookup(hostname: string, _options: LookupOneOptions, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  const family = isIP(hostname);
  if (family === 0) callback(new SwitchboardError('SB_TRANSPORT', `refusing to resolve "${hostname}": only IP literals are used`), '', 0);
  else callback(null, hostname, family);
}
