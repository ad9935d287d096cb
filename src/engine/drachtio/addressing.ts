import { isSipUri, parseUri } from '../message/index.js';
import { canonicalIp, type Destination, type Listener, type TransportName } from '../transport/index.js';
import { ipFamily } from '../transport/ip.js';

/** Host and port the engine advertises for one transport and address family (Via, Contact, Record-Route). */
export interface LocalAddress {
  readonly transport: TransportName;
  /** Host for headers: IPv6 in brackets. */
  readonly host: string;
  readonly port: number;
  /** `host:port` */
  readonly hostport: string;
}

/**
 * The engine's own SIP addresses, and where a URI points. Names are never resolved:
 * a next hop must be an IP literal (tests and loopback deployments), so the engine can
 * never send somewhere a DNS answer chose.
 *
 * @example
 *   const local = new LocalAddresses(stack.listeners);
 *   const dest = local.resolve('sip:bob@127.0.0.1:5090;transport=tcp'); // { transport: 'tcp', address: '127.0.0.1', port: 5090 }
 *   local.via(dest) // { host: '127.0.0.1', port: 5060, … } of the TCP listener
 */
export class LocalAddresses {
  private readonly byKey = new Map<string, LocalAddress>();
  private readonly own = new Set<string>();

  constructor(
    listeners: ReadonlyArray<Listener>,
    /** Address to advertise instead of an unspecified bind address (0.0.0.0 / ::). */
    advertise?: string,
  ) {
    for (const l of listeners) {
      const unspecified = l.address === '0.0.0.0' || l.address === '::';
      const address = unspecified ? (advertise ?? (l.family === 6 ? '::1' : '127.0.0.1')) : l.address;
      const host = ipFamily(address) === 6 ? `[${address}]` : address;
      const key = `${l.transport}/${l.family}`;
      if (!this.byKey.has(key)) this.byKey.set(key, { transport: l.transport, host, port: l.port, hostport: `${host}:${l.port}` });
      this.own.add(`${l.transport}/${address}:${l.port}`);
      if (unspecified) this.own.add(`${l.transport}/${l.family === 6 ? '::1' : '127.0.0.1'}:${l.port}`);
    }
  }

  /** The local address used to send to `dest`, or undefined when no listener serves its transport and family. */
  forDestination(dest: Destination): LocalAddress | undefined {
    return this.byKey.get(`${dest.transport}/${ipFamily(dest.address)}`);
  }

  /** The first listener of a transport (any family), for Contact on responses. */
  forTransport(transport: TransportName, family: 4 | 6): LocalAddress | undefined {
    return this.byKey.get(`${transport}/${family}`) ?? this.byKey.get(`${transport}/${family === 4 ? 6 : 4}`);
  }

  /** `proto/host:port,…` as drachtio reports its transports in the authenticate reply. */
  hostports(): string {
    return [...this.byKey.values()].map((a) => `${a.transport}/${a.hostport}`).join(',');
  }

  /** True when `dest` is one of the engine's own listeners (loop guard). */
  isSelf(dest: Destination): boolean {
    return this.own.has(`${dest.transport}/${dest.address}:${dest.port}`);
  }

  /**
   * Where a SIP URI points (RFC 3261 §8.1.2 next hop, without RFC 3263 DNS): its host,
   * which must be an IP literal; its port, else 5060; `transport=tcp` → TCP, else UDP.
   * `maddr` is ignored for the same reason as in responses (no reflection).
   * Returns an error text when the URI cannot be used.
   */
  resolve(uriText: string, connectionId?: number): Destination | string {
    const uri = parseUri(uriText);
    if (uri === null || !isSipUri(uri)) return `invalid request-uri: ${uriText}`;
    if (uri.scheme === 'sips') return 'requested protocol/transport not available';
    const address = canonicalIp(uri.host.startsWith('[') ? uri.host.slice(1, -1) : uri.host);
    if (address === undefined) return `host is not an IP address and names are not resolved: ${uri.host}`;
    const t = uri.params.get('transport')?.toLowerCase();
    const transport: TransportName | undefined = t === undefined || t === null || t === 'udp' ? 'udp' : t === 'tcp' ? 'tcp' : undefined;
    if (transport === undefined) return 'requested protocol/transport not available';
    return { transport, address, port: uri.port ?? 5060, connectionId };
  }
}

/** The URI inside a name-addr or bare addr-spec header value (Contact, Route, Record-Route). */
export function uriOf(nameAddr: string): string {
  const lt = nameAddr.indexOf('<');
  if (lt >= 0) {
    const gt = nameAddr.indexOf('>', lt);
    return nameAddr.slice(lt + 1, gt < 0 ? undefined : gt).trim();
  }
  const semi = nameAddr.indexOf(';');
  return (semi < 0 ? nameAddr : nameAddr.slice(0, semi)).trim();
}
