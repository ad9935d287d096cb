import type { Socket } from 'node:net';
import type { TableEntry } from './connection-table.js';
import type { TransportContext } from './context.js';
import { SwitchboardError } from '../../util/errors.js';
import { ipFamily } from './ip.js';
import { StreamFramer, type FrameSink, type FramingFault } from './stream-framer.js';
import type { CloseReason, Destination, MessageSource, SendErrorHandler, TransportName } from './types.js';

/** The transport that created a connection and must hear when it is gone. */
export interface ConnectionOwner {
  released(connection: StreamConnection): void;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
const PONG = Buffer.from('\r\n', 'latin1');

/**
 * One stream connection (TCP now; TLS later, since only the socket differs): framing,
 * keep-alive pongs, read deadlines, write back-pressure and its entry in the layer's
 * connection table. The socket may be any net.Socket, e.g. a tls.TLSSocket.
 *
 * | state      | enters when                               | leaves when                                                            |
 * | ---------- | ----------------------------------------- | ---------------------------------------------------------------------- |
 * | connecting | we called connect()                       | ready event → open; connect error/timeout → closed (queued sends fail) |
 * | open       | accepted, or our connect completed        | framing fault/oversize/shutdown → closing (graceful); timeouts, write overflow → destroyed; peer close/error → closed |
 * | closing    | close() called                            | socket 'close' (peer FIN, flushed) or lingerMs → closed                |
 * | closed     | socket 'close'                            | — (removed from the table, onConnectionClosed called)                  |
 *
 * Deadlines: idle uses the socket's own timeout (reset by Node on every read and
 * write, no work of ours per read). The message deadline needs one timer per
 * connection, created only when a read ends inside a message and re-armed for the
 * remaining time if that message completed and another started meanwhile.
 *
 * @example
 *   const c = new StreamConnection(ctx, owner, socket, ctx.connections.nextId(), 'tcp', '192.0.2.1', 5060, 'accepted', 'connect');
 *   c.write(Buffer.from('SIP/2.0 200 OK\r\n…'));
 */
export class StreamConnection implements FrameSink, TableEntry {
  private state: number;
  private source: MessageSource;
  private readonly framer: StreamFramer;
  /** performance.now() when the pending message's first byte arrived; -1 when none. */
  private pendingSince = -1;
  /** Message deadline while open; linger deadline while closing. */
  private timer: NodeJS.Timeout | undefined;
  /** Senders to tell if the connection never opens. */
  private waiters: Array<{ onError: SendErrorHandler; dest: Destination }> | undefined;
  /** Messages queued before the connection opened: lost if it never does. */
  private queuedWhileConnecting = 0;
  private reason: CloseReason | undefined;
  private detail: string | undefined;

  constructor(
    private readonly ctx: TransportContext,
    private readonly owner: ConnectionOwner,
    private readonly socket: Socket,
    readonly id: number,
    readonly transport: TransportName,
    readonly remoteAddress: string,
    readonly remotePort: number,
    origin: 'accepted' | 'connecting',
    readyEvent: string,
  ) {
    this.framer = new StreamFramer(ctx.options.maxMessageSize);
    this.source = this.makeSource();
    socket.on('data', this.onData);
    socket.on('timeout', this.onTimeout);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    if (origin === 'accepted') {
      this.state = OPEN;
      socket.setTimeout(ctx.options.idleTimeoutMs);
    } else {
      this.state = CONNECTING;
      socket.setTimeout(ctx.options.connectTimeoutMs);
      socket.once(readyEvent, this.onReady);
    }
  }

  /** True while messages may be written (connecting or open). */
  get writable(): boolean {
    return this.state <= OPEN;
  }

  /**
   * Writes (or, while connecting, queues) one message. Returns false when the
   * connection is closing and nothing was written. `onError` hears only of a
   * connection that never opens; a connection lost later is reported through
   * onConnectionClosed, as nothing can say which written bytes the peer read.
   */
  write(data: Buffer, onError?: SendErrorHandler, dest?: Destination): boolean {
    if (this.state > OPEN) return false;
    if (this.state === CONNECTING) {
      this.queuedWhileConnecting++;
      if (onError !== undefined && dest !== undefined) (this.waiters ??= []).push({ onError, dest });
    }
    const socket = this.socket;
    socket.write(data);
    const counters = this.ctx.counters;
    counters.messagesOut++;
    counters.bytesOut += data.length;
    if (socket.writableLength > this.ctx.options.writeBufferLimit) {
      counters.writeOverflows++;
      this.close('write-overflow', `${socket.writableLength} bytes unsent`, false);
    }
    return true;
  }

  /**
   * Closes the connection. Graceful (after a framing fault, at shutdown): half-close
   * so that what the stack wrote last (a 400 or 513) still leaves, then destroy after
   * lingerMs at the latest. Otherwise destroy at once. The first reason given is the
   * one reported.
   */
  close(reason: CloseReason, detail?: string, graceful = false): void {
    if (this.state === CLOSED || (this.state === CLOSING && graceful)) return;
    if (this.reason === undefined) {
      this.reason = reason;
      this.detail = detail;
    }
    this.framer.halt();
    this.pendingSince = -1;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (graceful && this.state === OPEN) {
      this.state = CLOSING;
      this.timer = setTimeout(this.onLinger, this.ctx.options.lingerMs);
      this.socket.end();
      return;
    }
    this.state = CLOSING;
    this.socket.destroy();
  }

  onFrame(message: Buffer): void {
    this.ctx.counters.messagesIn++;
    try {
      this.ctx.handlers.onMessage(message, this.source);
    } catch (err) {
      this.ctx.handlerFailed(err);
    }
  }

  onPing(): void {
    const counters = this.ctx.counters;
    counters.keepalivesIn++;
    if (this.state !== OPEN) return;
    this.socket.write(PONG);
    counters.keepalivesOut++;
    counters.bytesOut += PONG.length;
  }

  private readonly onData = (chunk: Buffer): void => {
    this.ctx.counters.bytesIn += chunk.length;
    const framer = this.framer;
    const wasPending = framer.pending;
    const framesBefore = framer.frames;
    const fault = framer.push(chunk, this);
    if (fault !== undefined) {
      this.onFault(fault);
      return;
    }
    if (!framer.pending) {
      this.pendingSince = -1;
      return;
    }
    // A new message is pending unless the same one was pending before and none completed.
    if (!wasPending || framer.frames !== framesBefore) this.pendingSince = performance.now();
    if (this.timer === undefined) this.timer = setTimeout(this.onDeadline, this.ctx.options.messageTimeoutMs);
  };

  private onFault(fault: FramingFault): void {
    const { counters, handlers } = this.ctx;
    try {
      if (fault.kind === 'too-large') {
        counters.oversize++;
        handlers.onOversize?.(fault.bytes, this.source);
      } else {
        counters.framingErrors++;
        handlers.onFramingError?.(fault.detail, this.source);
      }
    } catch (err) {
      this.ctx.handlerFailed(err);
    }
    this.close(fault.kind === 'too-large' ? 'oversize' : 'framing-error', fault.detail, true);
  }

  private readonly onDeadline = (): void => {
    this.timer = undefined;
    if (this.state !== OPEN || this.pendingSince < 0) return;
    const timeout = this.ctx.options.messageTimeoutMs;
    const remaining = this.pendingSince + timeout - performance.now();
    if (remaining > 0) {
      this.timer = setTimeout(this.onDeadline, Math.ceil(remaining));
      return;
    }
    this.ctx.counters.messageTimeouts++;
    this.close('message-timeout', `message incomplete ${timeout} ms after its first byte (${this.framer.buffered} bytes)`);
  };

  private readonly onLinger = (): void => {
    this.timer = undefined;
    this.socket.destroy();
  };

  private readonly onReady = (): void => {
    if (this.state !== CONNECTING) return;
    this.state = OPEN;
    this.waiters = undefined;
    this.queuedWhileConnecting = 0;
    this.source = this.makeSource();
    this.ctx.counters.connectionsOpened++;
    this.socket.setTimeout(this.ctx.options.idleTimeoutMs);
  };

  private readonly onTimeout = (): void => {
    if (this.state > OPEN) return; // closing: the linger timer decides
    if (this.state === CONNECTING) {
      this.ctx.counters.connectTimeouts++;
      this.close('connect-timeout', `no connection within ${this.ctx.options.connectTimeoutMs} ms`);
    } else {
      this.ctx.counters.idleTimeouts++;
      this.close('idle-timeout', `no bytes for ${this.ctx.options.idleTimeoutMs} ms`);
    }
  };

  private readonly onError = (err: Error): void => {
    // Node destroys the socket after 'error' and then emits 'close', where we clean up.
    if (this.reason === undefined) {
      this.reason = this.state === CONNECTING ? 'connect-failed' : 'error';
      this.detail = err.message;
    }
  };

  private readonly onClose = (): void => {
    // Connecting, or closed by us (timeout, shutdown) before it ever opened.
    const neverOpened = this.state === CONNECTING || this.waiters !== undefined || this.queuedWhileConnecting > 0;
    this.state = CLOSED;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.framer.halt();
    const ctx = this.ctx;
    ctx.connections.remove(this);
    ctx.counters.connectionsClosed++;
    this.owner.released(this);
    const reason = this.reason ?? (neverOpened ? 'connect-failed' : 'peer');
    if (neverOpened) this.failWaiters(reason);
    if (ctx.handlers.onConnectionClosed === undefined) return;
    try {
      ctx.handlers.onConnectionClosed({ connectionId: this.id, transport: this.transport, address: this.remoteAddress, port: this.remotePort, reason, detail: this.detail });
    } catch (err) {
      ctx.handlerFailed(err);
    }
  };

  private failWaiters(reason: CloseReason): void {
    this.ctx.counters.sendErrors += this.queuedWhileConnecting;
    const waiters = this.waiters;
    this.waiters = undefined;
    if (waiters === undefined) return;
    const err = new SwitchboardError(
      'SB_TRANSPORT',
      `${this.transport} connection to ${this.remoteAddress}:${this.remotePort} failed: ${reason}${this.detail ? ` (${this.detail})` : ''}`,
    );
    for (const w of waiters) process.nextTick(w.onError, err, w.dest);
  }

  private makeSource(): MessageSource {
    return {
      transport: this.transport,
      address: this.remoteAddress,
      port: this.remotePort,
      family: ipFamily(this.remoteAddress),
      localAddress: this.socket.localAddress ?? '',
      localPort: this.socket.localPort ?? 0,
      connectionId: this.id,
    };
  }
}
