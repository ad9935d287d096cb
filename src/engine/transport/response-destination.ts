import { canonicalIp } from './ip.js';
import { RELIABLE, type Destination, type MessageSource } from './types.js';

/**
 * The parts of a Via value (as the codec parses it) that decide where a response
 * goes. Structural, so this layer does not depend on the codec. `maddr` is left out
 * on purpose: see responseDestination.
 */
export interface RoutingVia {
  /** Upper-case transport token: UDP, TCP, TLS, … */
  readonly transport: string;
  /** sent-by host; IPv6 in brackets. */
  readonly host: string;
  readonly port?: number | undefined;
  readonly received?: string | undefined;
  /** `true` when rport is present without a value. */
  readonly rport?: number | true | undefined;
}

/**
 * Where to send a response (RFC 3261 §18.2.2 with RFC 3581), given the top Via of the
 * response and the source of the request it answers. The response always leaves on
 * the request's transport and, for UDP, from the socket the request arrived on
 * (`localAddress`/`localPort`), which NAT bindings (RFC 3581 §4) require.
 *
 * | request arrived on | Via                      | response goes to                                                   |
 * | ------------------ | ------------------------ | ------------------------------------------------------------------ |
 * | stream (TCP)       | any                      | the same connection while it is open; else a new connection to received (else source) : sent-by port |
 * | UDP                | rport=N (or bare rport)  | received (else source) : N (bare: the source port)                 |
 * | UDP                | no rport                 | received (else source) : sent-by port                              |
 *
 * The sent-by port defaults to 5060 (5061 for TLS). "else source" stands where RFC 3261
 * says "the sent-by host": the stack adds `received` whenever sent-by is not the
 * source address (§18.2.1, see receivedFor), so a Via without it has a sent-by equal
 * to the source — and when it does not, the source is where the request really came
 * from, whereas sent-by would need DNS, which this layer never does.
 *
 * `maddr` (§18.2.2's multicast case) is ignored: sending to a multicast or broadcast
 * address a message told us about would let anyone aim our responses at a whole
 * network segment (a reflection amplifier), and no deployed SIP peer relies on it.
 *
 * @example
 *   responseDestination({ transport: 'UDP', host: 'pc33.example.com', received: '192.0.2.4', rport: 9988 }, source)
 *   // → { transport: 'udp', address: '192.0.2.4', port: 9988, localAddress: source.localAddress, … }
 */
export function responseDestination(via: RoutingVia, source: MessageSource): Destination {
  const received = via.received === undefined ? undefined : canonicalIp(via.received);
  const address = received ?? source.address;
  const sentByPort = via.port ?? defaultPort(via.transport);
  if (RELIABLE[source.transport]) {
    return {
      transport: source.transport,
      address,
      port: sentByPort,
      connectionId: source.connectionId,
      localAddress: source.localAddress,
      localPort: source.localPort,
    };
  }
  const rport = via.rport;
  return {
    transport: source.transport,
    address,
    port: rport === undefined ? sentByPort : rport === true ? source.port : rport,
    connectionId: undefined,
    localAddress: source.localAddress,
    localPort: source.localPort,
  };
}

/**
 * The `received` value a server transport adds to the top Via of a request it
 * received, or undefined when none is needed: the source address when the sent-by
 * host is a name or a different IP (RFC 3261 §18.2.1), and always when the client
 * asked for rport (RFC 3581 §4). Replaces any received the request carried.
 *
 * @example receivedFor({ transport: 'UDP', host: 'pc33.example.com' }, source) // source.address
 */
export function receivedFor(via: RoutingVia, source: MessageSource): string | undefined {
  if (via.rport !== undefined) return source.address;
  return canonicalIp(via.host) === source.address ? undefined : source.address;
}

/**
 * The `rport` value a server transport writes into the top Via of a request: the
 * source port when the client included rport (RFC 3581 §4), else undefined.
 *
 * @example rportFor({ transport: 'UDP', host: '192.0.2.1', rport: true }, source) // source.port
 */
export function rportFor(via: RoutingVia, source: MessageSource): number | undefined {
  return via.rport === undefined ? undefined : source.port;
}

/** RFC 3261 §19.1.2: 5061 for TLS, 5060 for everything else. */
function defaultPort(viaTransport: string): number {
  return viaTransport === 'TLS' ? 5061 : 5060;
}
