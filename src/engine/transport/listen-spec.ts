import { SwitchboardError } from '../../util/errors.js';
import { canonicalIp, ipFamily, isMulticastOrBroadcast, type IpFamily } from './ip.js';
import type { TransportName } from './types.js';

/** One address to listen on, as parsed from `udp:127.0.0.1:5060` or `tcp:[::1]:5080`. */
export interface ListenSpec {
  readonly transport: TransportName;
  /** Canonical IP literal without brackets; `0.0.0.0` or `::` for every interface. */
  readonly address: string;
  /** 0 asks the OS for a free port (tests). */
  readonly port: number;
  readonly family: IpFamily;
}

/** Default SIP port when a spec leaves it out (RFC 3261 §19.1.2). */
export const DEFAULT_SIP_PORT = 5060;

const TRANSPORTS: ReadonlySet<string> = new Set<TransportName>(['udp', 'tcp']);
const LATER: ReadonlySet<string> = new Set(['tls', 'ws', 'wss', 'sctp']);
const EXAMPLE = 'expected transport:ip:port, e.g. udp:127.0.0.1:5060, tcp:[::1]:5080 or udp:0.0.0.0:5060';

/**
 * Parses one listen spec. Hosts must be IP literals (IPv6 in brackets): the engine
 * never resolves names, and a name could bind somewhere unexpected. The port defaults
 * to 5060. Throws SwitchboardError 'SB_USAGE' naming what is wrong.
 *
 * @example
 *   parseListenSpec('tcp:[::1]:5080') // { transport: 'tcp', address: '::1', port: 5080, family: 6 }
 *   parseListenSpec('udp:0.0.0.0')    // { transport: 'udp', address: '0.0.0.0', port: 5060, family: 4 }
 */
export function parseListenSpec(text: string): ListenSpec {
  const spec = text.trim();
  const colon = spec.indexOf(':');
  if (colon < 0) return bad(text, 'no transport');
  const transport = spec.slice(0, colon).toLowerCase();
  if (LATER.has(transport)) return bad(text, `transport "${transport}" is not supported yet (udp, tcp)`);
  if (!TRANSPORTS.has(transport)) return bad(text, `unknown transport "${transport}" (udp, tcp)`);
  const rest = spec.slice(colon + 1);
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return bad(text, 'missing "]" after the IPv6 address');
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after.length > 0) {
      if (!after.startsWith(':')) return bad(text, `unexpected "${after}" after the IPv6 address`);
      portText = after.slice(1);
    }
    if (host.indexOf(':') < 0) return bad(text, 'brackets are for IPv6 addresses only');
  } else {
    const first = rest.indexOf(':');
    if (first >= 0 && rest.indexOf(':', first + 1) >= 0) return bad(text, 'IPv6 addresses must be written in brackets, e.g. tcp:[::1]:5060');
    host = first < 0 ? rest : rest.slice(0, first);
    portText = first < 0 ? undefined : rest.slice(first + 1);
  }
  if (host.length === 0) return bad(text, 'no address');
  const address = canonicalIp(host);
  if (address === undefined) return bad(text, `"${host}" is not an IP address (names are not resolved)`);
  if (isMulticastOrBroadcast(address)) return bad(text, `${address} is a multicast or broadcast address`);
  const port = portText === undefined ? DEFAULT_SIP_PORT : parsePort(portText);
  if (port < 0) return bad(text, `port "${portText}" is not a number from 0 to 65535`);
  return { transport: transport as TransportName, address, port, family: ipFamily(address) };
}

/**
 * Parses a comma-separated list, as given to `switchboard engine --sip`.
 *
 * @example parseListenSpecs('udp:127.0.0.1:5080,tcp:127.0.0.1:5080').length // 2
 */
export function parseListenSpecs(text: string): ListenSpec[] {
  const parts = text.split(',').filter((p) => p.trim().length > 0);
  if (parts.length === 0) throw new SwitchboardError('SB_USAGE', `no listen address given (${EXAMPLE})`);
  return parts.map(parseListenSpec);
}

/**
 * The spec as text, IPv6 in brackets; `port` overrides the spec's (e.g. the port the
 * OS chose for 0).
 *
 * @example formatListenSpec({ transport: 'tcp', address: '::1', port: 5080, family: 6 }) // 'tcp:[::1]:5080'
 */
export function formatListenSpec(spec: ListenSpec, port = spec.port): string {
  return `${spec.transport}:${spec.family === 6 ? `[${spec.address}]` : spec.address}:${port}`;
}

function parsePort(text: string): number {
  if (text.length === 0 || text.length > 5) return -1;
  let port = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    port = port * 10 + (c - 0x30);
  }
  return port > 65_535 ? -1 : port;
}

function bad(text: string, why: string): never {
  throw new SwitchboardError('SB_USAGE', `invalid listen address "${text}": ${why} (${EXAMPLE})`);
}
