import { isToken, isWsp, parseUint, trimWsp } from './chars.js';
import { formatParams, parseHeaderParams, skipWsp, type Params } from './params.js';
import { splitHostPort } from './uri.js';

/** The RFC 3261 branch magic cookie (§8.1.1.7). */
export const MAGIC_COOKIE = 'z9hG4bK';

/** One Via value (RFC 3261 §20.42, RFC 3581). */
export interface Via {
  /** Protocol name and version, normally `SIP/2.0`. */
  protocol: string;
  /** Upper-case transport token: UDP, TCP, TLS, SCTP, WS, WSS or an unknown token. */
  transport: string;
  /** sent-by host as written; IPv6 in brackets. */
  host: string;
  port?: number;
  branch?: string;
  received?: string;
  /** `true` when rport is present without a value (the client asks for it). */
  rport?: number | true;
  maddr?: string;
  ttl?: number;
  /** Every parameter, lower-case names. */
  params: Params;
}

/**
 * Parses one Via value. Linear white space is allowed around '/' and in the
 * parameters (RFC 4475 §3.1.1.1). Returns null when malformed.
 *
 * @example parseVia('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776;rport')
 */
export function parseVia(text: string): Via | null {
  let protocol: string;
  let transport: string;
  let i: number;
  const fast = text.length > 12 && text.charCodeAt(11) === 0x20 ? fastTransport(text) : undefined;
  if (fast !== undefined) {
    protocol = 'SIP/2.0';
    transport = fast;
    i = 12;
  } else {
    // General form: LWS is allowed around each '/' (RFC 4475 §3.1.1.1).
    const slash1 = text.indexOf('/');
    const slash2 = slash1 < 0 ? -1 : text.indexOf('/', slash1 + 1);
    if (slash2 < 0) return null;
    const name = trimWsp(text.slice(0, slash1));
    const version = trimWsp(text.slice(slash1 + 1, slash2));
    i = skipWsp(text, slash2 + 1);
    const tStart = i;
    while (i < text.length && !isWsp(text.charCodeAt(i))) i++;
    transport = text.slice(tStart, i).toUpperCase();
    if (!isToken(name) || !isToken(version) || !isToken(transport)) return null;
    protocol = `${name.toUpperCase()}/${version}`;
  }
  i = skipWsp(text, i);
  const hStart = i;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x3b /* ; */ || c === 0x20 || c === 0x09) break;
    i++;
  }
  let sentBy = text.slice(hStart, i);
  // "host : port" with white space around the colon is legal LWS.
  let j = skipWsp(text, i);
  if (j > i && text.charCodeAt(j) === 0x3a) {
    j = skipWsp(text, j + 1);
    const pStart = j;
    while (j < text.length && text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x39) j++;
    sentBy += ':' + text.slice(pStart, j);
    i = j;
  }
  const hp = splitHostPort(sentBy);
  if (hp === null) return null;
  const p = parseHeaderParams(text, i);
  if (p === null || p.end !== text.length) return null;
  const params = p.params;
  const via: Via = {
    protocol,
    transport,
    host: hp.host,
    port: hp.port,
    branch: undefined,
    received: undefined,
    rport: undefined,
    maddr: undefined,
    ttl: undefined,
    params,
  };
  if (params.size === 0) return via;
  const branch = params.get('branch');
  if (branch !== undefined) {
    if (branch === null || branch.length === 0) return null;
    via.branch = branch;
  }
  if (params.size === 1 && branch !== undefined) return via;
  const received = params.get('received');
  if (received) via.received = received;
  const rp = params.get('rport');
  if (rp !== undefined) {
    if (rp === null || rp === '') via.rport = true;
    else {
      const n = parseUint(rp, 65535);
      if (n < 0) return null;
      via.rport = n;
    }
  }
  const maddr = params.get('maddr');
  if (maddr) via.maddr = maddr;
  const ttl = params.get('ttl');
  if (ttl) {
    const n = parseUint(ttl, 255);
    if (n < 0) return null;
    via.ttl = n;
  }
  return via;
}

/** The spellings nearly every Via uses, recognised without slicing. */
function fastTransport(text: string): string | undefined {
  if (text.startsWith('SIP/2.0/UDP')) return 'UDP';
  if (text.startsWith('SIP/2.0/TCP')) return 'TCP';
  if (text.startsWith('SIP/2.0/TLS')) return 'TLS';
  if (text.startsWith('SIP/2.0/WSS')) return 'WSS';
  return undefined;
}

/** Serializes a Via value from its fields; `params` is the source of truth for parameters. */
export function formatVia(via: Via): string {
  const port = via.port !== undefined ? `:${via.port}` : '';
  return `${via.protocol}/${via.transport} ${via.host}${port}${formatParams(via.params)}`;
}

/** True when the branch carries the RFC 3261 magic cookie and something after it. */
export function isRfc3261Branch(branch: string | undefined): branch is string {
  return branch !== undefined && branch.length > MAGIC_COOKIE.length && branch.startsWith(MAGIC_COOKIE);
}
