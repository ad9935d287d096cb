/**
 * Header name tables: canonical names, compact forms (RFC 3261 §7.3.3 and later
 * RFCs), which headers are comma-separated lists, and which may appear only once.
 */

/** Canonical spelling of well-known headers, keyed by lower-case full name. */
const CANONICAL_NAMES = [
  'Accept', 'Accept-Contact', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow', 'Allow-Events',
  'Authentication-Info', 'Authorization', 'Call-ID', 'Call-Info', 'Contact', 'Content-Disposition',
  'Content-Encoding', 'Content-Language', 'Content-Length', 'Content-Type', 'CSeq', 'Date', 'Diversion',
  'Error-Info', 'Event', 'Expires', 'From', 'History-Info', 'Identity', 'Identity-Info', 'In-Reply-To',
  'Max-Forwards', 'Min-Expires', 'Min-SE', 'MIME-Version', 'Organization', 'P-Asserted-Identity',
  'P-Preferred-Identity', 'Path', 'Priority', 'Privacy', 'Proxy-Authenticate', 'Proxy-Authorization',
  'Proxy-Require', 'RAck', 'Reason', 'Record-Route', 'Refer-To', 'Referred-By', 'Reject-Contact', 'Replaces',
  'Reply-To', 'Request-Disposition', 'Require', 'Retry-After', 'Route', 'RSeq', 'Server', 'Service-Route',
  'Session-Expires', 'SIP-ETag', 'SIP-If-Match', 'Subject', 'Subscription-State', 'Supported', 'Timestamp',
  'To', 'Unsupported', 'User-Agent', 'Via', 'Warning', 'WWW-Authenticate',
];

const CANONICAL = new Map<string, string>(CANONICAL_NAMES.map((n) => [n.toLowerCase(), n]));

/** Compact forms: single letter -> lower-case full name. */
const COMPACT: Record<string, string> = {
  a: 'accept-contact', b: 'referred-by', c: 'content-type', d: 'request-disposition', e: 'content-encoding',
  f: 'from', i: 'call-id', j: 'reject-contact', k: 'supported', l: 'content-length', m: 'contact',
  n: 'identity-info', o: 'event', r: 'refer-to', s: 'subject', t: 'to', u: 'allow-events', v: 'via',
  x: 'session-expires', y: 'identity',
};

/**
 * Headers whose value is a comma-separated list (RFC 3261 §7.3.1), so several
 * values may share a line and splitting at top-level commas is correct.
 * Everything else (Date, User-Agent, Authorization, unknown headers…) is kept whole.
 */
const LIST_HEADERS = new Set([
  'accept', 'accept-encoding', 'accept-language', 'alert-info', 'allow', 'allow-events', 'call-info',
  'contact', 'content-encoding', 'content-language', 'diversion', 'error-info', 'history-info',
  'in-reply-to', 'p-asserted-identity', 'p-preferred-identity', 'path', 'proxy-require', 'reason',
  'record-route', 'reject-contact', 'accept-contact', 'require', 'route', 'service-route', 'supported',
  'unsupported', 'via', 'warning', 'privacy',
]);

/** Headers that must appear at most once; a second value is a 400 (RFC 4475 §3.3.8). */
export const SINGLE_VALUE_HEADERS = new Set([
  'call-id', 'content-length', 'content-type', 'cseq', 'from', 'max-forwards', 'to', 'expires',
  'min-expires', 'rseq', 'rack', 'session-expires', 'min-se', 'event', 'refer-to', 'replaces',
  'subscription-state',
]);

/** Resolved name information, cached for spellings of known headers. */
export interface HeaderName {
  /** Lower-case full name: the key for lookups. */
  readonly key: string;
  /** Canonical spelling used when Switchboard creates the header. */
  readonly canonical: string;
  readonly list: boolean;
  /** A header Switchboard knows by name (so the spelling is a valid token). */
  readonly known: boolean;
}

// Cache only spellings of known headers, so a peer inventing names cannot grow it.
const nameCache = new Map<string, HeaderName>();

function resolve(key: string): HeaderName {
  const canonical = CANONICAL.get(key);
  return { key, canonical: canonical ?? key, list: LIST_HEADERS.has(key), known: canonical !== undefined };
}

// The spellings SIP peers use for the headers on every message, recognised by a
// length switch and one string comparison: cheaper than hashing a fresh substring.
const VIA = resolve('via');
const FROM = resolve('from');
const TO = resolve('to');
const CSEQ = resolve('cseq');
const CALL_ID = resolve('call-id');
const CONTACT = resolve('contact');
const MAX_FORWARDS = resolve('max-forwards');
const CONTENT_TYPE = resolve('content-type');
const CONTENT_LENGTH = resolve('content-length');
const RECORD_ROUTE = resolve('record-route');

function common(name: string): HeaderName | undefined {
  switch (name.length) {
    case 2:
      return name === 'To' ? TO : undefined;
    case 3:
      return name === 'Via' ? VIA : undefined;
    case 4:
      return name === 'From' ? FROM : name === 'CSeq' ? CSEQ : undefined;
    case 7:
      return name === 'Call-ID' ? CALL_ID : name === 'Contact' ? CONTACT : undefined;
    case 12:
      return name === 'Max-Forwards' ? MAX_FORWARDS : name === 'Content-Type' ? CONTENT_TYPE : name === 'Record-Route' ? RECORD_ROUTE : undefined;
    case 14:
      return name === 'Content-Length' ? CONTENT_LENGTH : undefined;
    default:
      return undefined;
  }
}

/** Resolves a header name as written (any case, compact or full) to its lookup key. */
export function headerName(name: string): HeaderName {
  const fast = common(name);
  if (fast !== undefined) return fast;
  const cached = nameCache.get(name);
  if (cached !== undefined) return cached;
  let key = name.toLowerCase();
  if (key.length === 1) key = COMPACT[key] ?? key;
  const info = resolve(key);
  if (CANONICAL.has(key) && nameCache.size < 4096) nameCache.set(name, info);
  return info;
}

/** Lower-case lookup key for a header name as written. */
export function headerKey(name: string): string {
  return headerName(name).key;
}

/**
 * Splits a header value at commas that are not inside a quoted string, <…> or (…).
 * Each part is trimmed of SP/HTAB. Empty parts are dropped.
 *
 * @example splitList('"Doe, J" <sip:a@x>;q=1, <sip:b@y>') // ['"Doe, J" <sip:a@x>;q=1', '<sip:b@y>']
 */
export function splitList(value: string): string[] {
  if (value.indexOf(',') < 0) return value.length > 0 ? [value] : [];
  const out: string[] = [];
  let depthAngle = 0;
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inQuote = false;
    } else if (c === 0x22) inQuote = true;
    else if (c === 0x3c /* < */) depthAngle++;
    else if (c === 0x3e /* > */ && depthAngle > 0) depthAngle--;
    else if (c === 0x2c /* , */ && depthAngle === 0) {
      pushTrimmed(out, value, start, i);
      start = i + 1;
    }
  }
  pushTrimmed(out, value, start, value.length);
  return out;
}

function pushTrimmed(out: string[], s: string, a: number, b: number): void {
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  if (b > a) out.push(s.slice(a, b));
}
