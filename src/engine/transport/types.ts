import type { IpFamily } from './ip.js';

/**
 * Transport protocols the layer speaks. TLS and WebSocket join this union when they
 * exist; everything keyed on it (listen specs, destinations, sources) stays as is.
 */
export type TransportName = 'udp' | 'tcp';

/** Whether a transport delivers in order and retransmits by itself (RFC 3261 §18). */
export const RELIABLE: Readonly<Record<TransportName, boolean>> = { udp: false, tcp: true };

/**
 * Where a received message came from. One object per datagram on UDP; one per
 * connection on streams, shared by every message on it, so never mutate it.
 */
export interface MessageSource {
  readonly transport: TransportName;
  /** Remote IP, canonical (see canonicalIp). */
  readonly address: string;
  readonly port: number;
  readonly family: IpFamily;
  /** Local address the message arrived on: the listener's bound address for UDP, the connection's for streams. */
  readonly localAddress: string;
  readonly localPort: number;
  /** Stream connection the message arrived on; undefined for datagrams. */
  readonly connectionId: number | undefined;
}

/**
 * Where to send a message. `address` must be an IP literal: names are resolved
 * (RFC 3263) above this layer, never here.
 */
export interface Destination {
  readonly transport: TransportName;
  readonly address: string;
  readonly port: number;
  /** Stream connection to use while it is open; else `address`:`port` is used. */
  readonly connectionId?: number | undefined;
  /** Send from the listener bound to this local port (and address), e.g. the one a request arrived on. */
  readonly localPort?: number | undefined;
  readonly localAddress?: string | undefined;
}

/**
 * Called when a send fails after `send` returned: a connect error or timeout, or a
 * datagram the kernel refused. Always called asynchronously, never inside `send`.
 */
export type SendErrorHandler = (err: Error, dest: Destination) => void;

/** Why a stream connection was closed. */
export type CloseReason =
  | 'peer' // the other side closed it
  | 'error' // socket error (reset, unreachable)
  | 'connect-failed'
  | 'connect-timeout'
  | 'idle-timeout'
  | 'message-timeout' // a message did not complete within messageTimeoutMs of its first byte
  | 'framing-error' // bad Content-Length
  | 'oversize' // message or header section larger than maxMessageSize
  | 'write-overflow' // the peer stopped reading and writeBufferLimit bytes piled up
  | 'shutdown';

/** A stream connection has closed. */
export interface ConnectionClosed {
  readonly connectionId: number;
  readonly transport: TransportName;
  readonly address: string;
  readonly port: number;
  readonly reason: CloseReason;
  /** Human-readable detail for the log line (framing errors, socket error text). */
  readonly detail: string | undefined;
}

/**
 * The stack's side of the layer: plain function calls, not events, because the
 * message path runs ~20,000 times a second.
 */
export interface TransportHandlers {
  /**
   * Exactly one SIP message, start line to the end of its body, leading CRLFs removed.
   * The buffer belongs to the stack (it may be a view into a larger received buffer;
   * the layer never writes to it again).
   */
  onMessage(data: Buffer, source: MessageSource): void;
  /**
   * A message larger than maxMessageSize. UDP: the whole datagram; the stack answers
   * 513 (RFC 3261 §21.5.14) and the transport does nothing else. Streams: the bytes
   * received so far (at most maxMessageSize), called before the connection is closed,
   * so a response sent from here on `source.connectionId` still leaves.
   */
  onOversize?(data: Buffer, source: MessageSource): void;
  /**
   * A stream could not be framed (bad Content-Length), called before the connection is
   * closed; as with onOversize, a response sent from here still leaves.
   */
  onFramingError?(detail: string, source: MessageSource): void;
  /** A stream connection closed (any reason). Rare path: log and forget flows here. */
  onConnectionClosed?(event: ConnectionClosed): void;
}

/**
 * One listening transport. UDP implements it over a datagram socket; TCP over the
 * shared stream machinery (stream-transport.ts); TLS would reuse that with another
 * socket factory, and WebSocket would implement it over its own message framing.
 */
export interface Transport {
  readonly name: TransportName;
  readonly reliable: boolean;
  readonly family: IpFamily;
  /** Bound address and port (port resolved when the spec asked for 0). */
  readonly localAddress: string;
  readonly localPort: number;
  /**
   * Queues one message. `dest.address` is canonical (see canonicalIp) and of this
   * transport's family. Returns the connection id used (streams) or 0 (datagrams).
   * Failures after return go to `onError`.
   */
  send(data: Buffer, dest: Destination, onError: SendErrorHandler | undefined): number;
  /** Stops listening and releases every socket and timer. */
  close(): Promise<void>;
}
