import type { TransportName } from './types.js';

/** What the table needs to know about a connection. */
export interface TableEntry {
  readonly id: number;
  readonly transport: TransportName;
  /** Canonical remote IP and port: the peer's ephemeral port for inbound connections. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** False once the connection is closing; such entries are never handed out for sending. */
  readonly writable: boolean;
}

/** Connections from or to one remote IP. */
interface Peer<C> {
  count: number;
  /** Keyed by remote port and transport (see peerKey). */
  byPort: Map<number, C>;
}

/**
 * Every open stream connection of a TransportLayer, across its listeners, indexed by
 * id (send on a connection) and by remote address and port (connection reuse, RFC 3261
 * §18: a request to a peer goes on a connection already open to or from it). Both
 * lookups are O(1) and allocate nothing; the per-source count for connection limits
 * comes with the address lookup.
 *
 * @example
 *   const table = new ConnectionTable<StreamConnection>();
 *   table.add(conn); table.find('tcp', '192.0.2.1', 5060); table.remove(conn);
 */
export class ConnectionTable<C extends TableEntry> {
  private readonly byId = new Map<number, C>();
  private readonly peers = new Map<string, Peer<C>>();
  private lastId = 0;

  /** Open connections (any state before closed). */
  get size(): number {
    return this.byId.size;
  }

  /** A new connection id: positive, never reused within the layer's life. */
  nextId(): number {
    return ++this.lastId;
  }

  /** Open connections to or from `address` (canonical). */
  countFrom(address: string): number {
    return this.peers.get(address)?.count ?? 0;
  }

  /** The connection with this id if it can still carry a message. */
  get(id: number): C | undefined {
    const c = this.byId.get(id);
    return c !== undefined && c.writable ? c : undefined;
  }

  /** A writable connection to or from exactly `address`:`port` over `transport`. */
  find(transport: TransportName, address: string, port: number): C | undefined {
    const c = this.peers.get(address)?.byPort.get(peerKey(transport, port));
    return c !== undefined && c.writable ? c : undefined;
  }

  /** Registers a connection; a newer one to the same address and port takes over reuse. */
  add(c: C): void {
    this.byId.set(c.id, c);
    let peer = this.peers.get(c.remoteAddress);
    if (peer === undefined) {
      peer = { count: 0, byPort: new Map() };
      this.peers.set(c.remoteAddress, peer);
    }
    peer.count++;
    peer.byPort.set(peerKey(c.transport, c.remotePort), c);
  }

  remove(c: C): void {
    if (!this.byId.delete(c.id)) return;
    const peer = this.peers.get(c.remoteAddress)!;
    const key = peerKey(c.transport, c.remotePort);
    if (peer.byPort.get(key) === c) peer.byPort.delete(key);
    if (--peer.count === 0) this.peers.delete(c.remoteAddress);
  }
}

/** Stream transports, numbered for the reuse key; TLS and WS take the next numbers. */
const STREAM_INDEX: Readonly<Record<TransportName, number>> = { udp: 0, tcp: 1 };

/** One number for (transport, port), so the reuse lookup allocates no key string. */
function peerKey(transport: TransportName, port: number): number {
  return STREAM_INDEX[transport] * 65_536 + port;
}
