import { SwitchboardError } from '../../util/errors.js';

/**
 * Transport limits and timeouts. Every field has a production default; tests shorten
 * the timeouts to milliseconds. See docs/engine-transport.md for the reasoning.
 */
export interface TransportOptions {
  /** Largest SIP message accepted, headers plus body (RFC 3261 §18.1.1 suggests 64 KiB). */
  maxMessageSize: number;
  /** SO_RCVBUF for UDP sockets; Linux caps it at net.core.rmem_max. */
  udpReceiveBufferSize: number;
  /** SO_SNDBUF for UDP sockets; Linux caps it at net.core.wmem_max. */
  udpSendBufferSize: number;
  /** A stream connection with no bytes in either direction for this long is closed. */
  idleTimeoutMs: number;
  /** A stream message must complete within this long of its first byte. */
  messageTimeoutMs: number;
  /** An outbound connection that is not established within this long fails. */
  connectTimeoutMs: number;
  /** Inbound connections refused beyond this many open connections from one IP. */
  maxConnectionsPerSource: number;
  /** Inbound connections refused beyond this many open connections in total. */
  maxConnections: number;
  /** A connection whose unsent bytes exceed this (the peer stopped reading) is closed. */
  writeBufferLimit: number;
  /** How long a connection closed after a framing error or at shutdown may take to flush. */
  lingerMs: number;
}

export const DEFAULT_TRANSPORT_OPTIONS: Readonly<TransportOptions> = Object.freeze({
  maxMessageSize: 65_536,
  udpReceiveBufferSize: 4 * 1024 * 1024,
  udpSendBufferSize: 4 * 1024 * 1024,
  idleTimeoutMs: 300_000,
  messageTimeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  maxConnectionsPerSource: 100,
  maxConnections: 10_000,
  writeBufferLimit: 1024 * 1024,
  lingerMs: 1_000,
});

/**
 * Fills in defaults and checks every value is a positive integer, so that a bad
 * value fails at start-up rather than as a socket that never times out.
 *
 * @example resolveTransportOptions({ idleTimeoutMs: 200 }).maxMessageSize // 65536
 */
export function resolveTransportOptions(partial: Partial<TransportOptions> = {}): Readonly<TransportOptions> {
  const merged: TransportOptions = { ...DEFAULT_TRANSPORT_OPTIONS };
  for (const key of Object.keys(DEFAULT_TRANSPORT_OPTIONS) as Array<keyof TransportOptions>) {
    const value = partial[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new SwitchboardError('SB_CONFIG_INVALID', `transport option ${key} must be a positive integer, got ${String(value)}`);
    }
    merged[key] = value;
  }
  return Object.freeze(merged);
}
