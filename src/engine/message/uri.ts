import { formatParams, parseUriParams, type Params } from './params.js';

/** A parsed sip: or sips: URI (RFC 3261 §19.1). */
export interface SipUri {
  readonly scheme: 'sip' | 'sips';
  /** User part as written, still %-escaped (compare with `unescapeUri`). */
  user?: string;
  password?: string;
  /** Host as written: a name, an IPv4 literal, or an IPv6 reference in brackets. */
  host: string;
  port?: number;
  /** URI parameters with lower-case names (transport, lr, maddr, user…). */
  params: Params;
  /** The `?headers` part without the `?`, still escaped. */
  headers?: string;
}

/** Any other scheme (tel:, urn:, http:…): kept opaque. */
export interface OtherUri {
  readonly scheme: string;
  readonly opaque: string;
}

export type Uri = SipUri | OtherUri;

export function isSipUri(uri: Uri): uri is SipUri {
  return uri.scheme === 'sip' || uri.scheme === 'sips';
}

/**
 * Parses a URI. Returns null when it is malformed: white space, a missing scheme,
 * an empty or invalid host, a bad port. The user part is not unescaped, so `%40`
 * stays `%40` and escaping is never applied twice (RFC 4475 §3.1.1.3).
 *
 * @example parseUri('sip:alice@192.0.2.1:5070;transport=tcp') // { scheme: 'sip', user: 'alice', host: '192.0.2.1', port: 5070, … }
 */
export function parseUri(text: string): Uri | null {
  const len = text.length;
  const colon = schemeEnd(text);
  if (colon <= 0) return null;
  const isSips = colon === 4;
  const c0 = text.charCodeAt(0) | 0x20;
  const sip = (colon === 3 || isSips) && c0 === 0x73 && (text.charCodeAt(1) | 0x20) === 0x69 && (text.charCodeAt(2) | 0x20) === 0x70 &&
    (!isSips || (text.charCodeAt(3) | 0x20) === 0x73);
  // One pass: reject white space, find the first '@' and, after it, the first ';' and '?'.
  // The userinfo may hold ';', '?' and ':' (RFC 3261 user-unreserved) but never an
  // unescaped '@', and '@' cannot appear in params or headers: the first '@' ends it.
  let at = -1;
  let semi = -1;
  let q = -1;
  for (let i = colon + 1; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20) return null;
    if (c === 0x40 /* @ */) {
      if (at < 0) {
        at = i;
        semi = -1;
        q = -1;
      }
    } else if (c === 0x3b /* ; */) {
      if (semi < 0 && q < 0) semi = i;
    } else if (c === 0x3f /* ? */) {
      if (q < 0) q = i;
    }
  }
  if (!sip) {
    if (colon + 1 >= len) return null;
    return { scheme: text.slice(0, colon).toLowerCase(), opaque: text.slice(colon + 1) };
  }
  let user: string | undefined;
  let password: string | undefined;
  if (at >= 0) {
    if (at === colon + 1) return null;
    const pw = text.indexOf(':', colon + 1);
    if (pw >= 0 && pw < at) {
      user = text.slice(colon + 1, pw);
      password = text.slice(pw + 1, at);
      if (user.length === 0) return null;
    } else user = text.slice(colon + 1, at);
  }
  const hostStart = at >= 0 ? at + 1 : colon + 1;
  const hostEnd = semi >= 0 ? semi : q >= 0 ? q : len;
  const hp = splitHostPort(text.slice(hostStart, hostEnd));
  if (hp === null) return null;
  let params: Params;
  if (semi >= 0) {
    const p = parseUriParams(text.slice(semi + 1, q >= 0 ? q : len));
    if (p === null) return null;
    params = p;
  } else params = new Map();
  return {
    scheme: isSips ? 'sips' : 'sip',
    user,
    password,
    host: hp.host,
    port: hp.port,
    params,
    headers: q >= 0 ? text.slice(q + 1) : undefined,
  };
}

/** Index of the ':' ending a valid scheme (ALPHA *(ALPHA / DIGIT / "+" / "-" / ".")), or -1. */
function schemeEnd(s: string): number {
  const c0 = s.charCodeAt(0) | 0x20;
  if (!(c0 >= 0x61 && c0 <= 0x7a)) return -1;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3a) return i;
    const l = c | 0x20;
    if (!((l >= 0x61 && l <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e)) return -1;
  }
  return -1;
}

/** Serializes a URI. */
export function formatUri(uri: Uri): string {
  if (!isSipUri(uri)) return `${uri.scheme}:${uri.opaque}`;
  let s = uri.scheme + ':';
  if (uri.user !== undefined) {
    s += uri.user;
    if (uri.password !== undefined) s += ':' + uri.password;
    s += '@';
  }
  s += uri.host;
  if (uri.port !== undefined) s += ':' + uri.port;
  s += formatParams(uri.params);
  if (uri.headers !== undefined) s += '?' + uri.headers;
  return s;
}

/** Splits `host[:port]`; validates the host and the port. */
export function splitHostPort(s: string): { host: string; port?: number } | null {
  let host: string;
  let portText: string | undefined;
  if (s.charCodeAt(0) === 0x5b /* [ */) {
    const close = s.indexOf(']');
    if (close < 0) return null;
    host = s.slice(0, close + 1);
    const after = s.slice(close + 1);
    if (after.length > 0) {
      if (after.charCodeAt(0) !== 0x3a) return null;
      portText = after.slice(1);
    }
    if (!isIPv6(host.slice(1, -1))) return null;
  } else {
    const colon = s.indexOf(':');
    if (colon >= 0) {
      host = s.slice(0, colon);
      portText = s.slice(colon + 1);
    } else host = s;
    if (!isHostname(host)) return null;
  }
  if (portText === undefined) return { host };
  const port = parsePort(portText);
  return port < 0 ? null : { host, port };
}

function parsePort(s: string): number {
  if (s.length === 0 || s.length > 5) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n > 65535 ? -1 : n;
}

const HOST_CHARS = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) HOST_CHARS[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) HOST_CHARS[c] = HOST_CHARS[c + 0x20] = 1;
HOST_CHARS[0x2d] = HOST_CHARS[0x2e] = 1;
HOST_CHARS[0x5f] = 1; // '_' is outside the grammar but common in the wild (SRV-derived names)

/** hostname or IPv4address: labels of alphanum and '-', separated by '.' (trailing dot allowed). */
export function isHostname(s: string): boolean {
  const len = s.length;
  if (len === 0 || len > 255 || s.charCodeAt(0) === 0x2e) return false;
  let prevDot = false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || HOST_CHARS[c] === 0) return false;
    const dot = c === 0x2e;
    if (dot && prevDot) return false;
    prevDot = dot;
  }
  return true;
}

export function isIPv6(s: string): boolean {
  if (s.length < 2 || s.length > 45) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46) || c === 0x3a || c === 0x2e;
    if (!ok) return false;
  }
  return s.indexOf(':') >= 0;
}

/**
 * Decodes %HH escapes once. `%00` decodes to a NUL character and does not truncate
 * (RFC 4475 §3.1.1.4). Invalid escapes are left as written.
 */
export function unescapeUri(s: string): string {
  if (s.indexOf('%') < 0) return s;
  // Escapes encode bytes; decode them as UTF-8 so %C3%A9 becomes one character.
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) bytes.push(c);
    else for (const b of Buffer.from(s[i]!, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** Host without IPv6 brackets, for socket APIs. */
export function bareHost(host: string): string {
  return host.charCodeAt(0) === 0x5b ? host.slice(1, -1) : host;
}
