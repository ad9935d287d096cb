/**
 * HTTP Digest authentication for SIP (RFC 3261 §22, RFC 7616, RFC 8760): challenge
 * header values, a forgiving-but-strict parser for Authorization / Proxy-Authorization,
 * and response verification against a precomputed HA1. Pure: no clock, no state.
 *
 * The parser never throws; anything it cannot use comes back as `{ ok: false, reason }`
 * so the caller can count a failure and re-challenge.
 *
 * @example
 *   const ha1 = digestHa1('SHA-256', 'alice', 'switchboard', 'correct-horse');
 *   challengeValue({ realm: 'switchboard', nonce, algorithm: 'SHA-256' });
 *   // 'Digest realm="switchboard", nonce="…", qop="auth", algorithm=SHA-256'
 *   const parsed = parseCredentials(request.get('Authorization'));
 *   if (parsed.ok && verifyDigestResponse(parsed.credentials, 'REGISTER', ha1)) admit();
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The algorithms switchboard offers (RFC 8760 SHA-256 first, MD5 for older phones). */
export type DigestAlgorithm = 'SHA-256' | 'MD5';

export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'];

/** Longest credentials header accepted; real ones are a few hundred characters. */
export const MAX_CREDENTIALS_LENGTH = 4096;
const MAX_PARAMS = 24;

const HASH: Readonly<Record<DigestAlgorithm, { node: string; hexLength: number }>> = {
  'SHA-256': { node: 'sha256', hexLength: 64 },
  MD5: { node: 'md5', hexLength: 32 },
};

function hash(algorithm: DigestAlgorithm, text: string): string {
  return createHash(HASH[algorithm].node).update(text, 'utf8').digest('hex');
}

/** The algorithm named by a challenge or credentials token (case-insensitive), if we support it. */
export function digestAlgorithm(token: string): DigestAlgorithm | undefined {
  const upper = token.toUpperCase();
  return upper === 'SHA-256' || upper === 'MD5' ? upper : undefined;
}

/** HA1 = H(username:realm:password). Computed once per user, so passwords are not hashed per request. */
export function digestHa1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return hash(algorithm, `${username}:${realm}:${password}`);
}

const NEEDS_ESCAPE_RE = /["\\]/;

/** A quoted-string with `"` and `\` escaped (RFC 3261 quoted-pair). */
export function quoteString(value: string): string {
  return NEEDS_ESCAPE_RE.test(value) ? `"${value.replace(/["\\]/g, '\\$&')}"` : `"${value}"`;
}

export interface ChallengeOptions {
  readonly realm: string;
  readonly nonce: string;
  readonly algorithm: DigestAlgorithm;
  readonly opaque?: string;
  /** The nonce of the answered request had expired but its credentials were right (RFC 7616 §3.3). */
  readonly stale?: boolean;
}

/** One WWW-Authenticate / Proxy-Authenticate header value. */
export function challengeValue(o: ChallengeOptions): string {
  return challengeValues({ ...o, algorithms: [o.algorithm] })[0]!;
}

/** One challenge per algorithm in the order given (configure SHA-256 first: clients pick the first they support). */
export function challengeValues(o: Omit<ChallengeOptions, 'algorithm'> & { readonly algorithms: readonly DigestAlgorithm[] }): string[] {
  let head = `Digest realm=${quoteString(o.realm)}, nonce=${quoteString(o.nonce)}`;
  if (o.opaque !== undefined) head += `, opaque=${quoteString(o.opaque)}`;
  head += ', qop="auth", algorithm=';
  const tail = o.stale ? ', stale=true' : '';
  return o.algorithms.map((algorithm) => head + algorithm + tail);
}

/** The fields of a Digest credentials header, unquoted and unescaped. */
export interface DigestCredentials {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  /** Lower-case hex as sent. */
  readonly response: string;
  readonly algorithm: DigestAlgorithm;
  readonly qop?: 'auth';
  readonly nc?: string;
  readonly cnonce?: string;
  readonly opaque?: string;
}

export type CredentialsResult = { ok: true; credentials: DigestCredentials } | { ok: false; reason: string };

const fail = (reason: string): CredentialsResult => ({ ok: false, reason });

const isTokenChar = (code: number): boolean =>
  (code >= 0x30 && code <= 0x39) || // 0-9
  (code >= 0x41 && code <= 0x5a) || // A-Z
  (code >= 0x61 && code <= 0x7a) || // a-z
  '-.!%*_+`\'~'.includes(String.fromCharCode(code));

const isSpace = (code: number): boolean => code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;

/**
 * Splits `Digest a=b, c="d, \"e\""` into lower-cased names and unescaped values.
 * RFC 3261 §25.1 token / quoted-string grammar; any value may be quoted or not
 * (phones quote `algorithm` and `nc` in the wild).
 */
function parseParams(text: string): Map<string, string> | string {
  const params = new Map<string, string>();
  const n = text.length;
  let i = 0;
  const skipSpace = () => {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < n && isTokenChar(text.charCodeAt(i))) i++;
    return text.slice(start, i);
  };
  while (true) {
    skipSpace();
    const name = token().toLowerCase();
    if (name === '') return i < n ? `unexpected ${JSON.stringify(text[i])} at ${i}` : 'a parameter name is missing';
    skipSpace();
    if (text[i] !== '=') return `parameter ${name} has no "="`;
    i++;
    skipSpace();
    let value: string;
    if (text[i] === '"') {
      i++;
      let out = '';
      let closed = false;
      while (i < n) {
        const c = text[i]!;
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        if (c === '\\') {
          if (i + 1 >= n) break;
          out += text[i + 1];
          i += 2;
          continue;
        }
        out += c;
        i++;
      }
      if (!closed) return `the quoted value of ${name} is not terminated`;
      value = out;
    } else {
      value = token();
      if (value === '') return `parameter ${name} has no value`;
    }
    if (params.has(name)) return `parameter ${name} appears twice`;
    if (params.size >= MAX_PARAMS) return 'too many parameters';
    params.set(name, value);
    skipSpace();
    if (i >= n) return params;
    if (text[i] !== ',') return `unexpected ${JSON.stringify(text[i])} after parameter ${name}`;
    i++;
  }
}

const HEX_RE = /^[0-9a-fA-F]+$/;
const NC_RE = /^[0-9a-fA-F]{8}$/;

/** Parses an Authorization or Proxy-Authorization header value. Never throws. */
export function parseCredentials(header: string | undefined): CredentialsResult {
  if (typeof header !== 'string') return fail('no credentials');
  if (header.length > MAX_CREDENTIALS_LENGTH) return fail(`credentials longer than ${MAX_CREDENTIALS_LENGTH} characters`);
  const text = header.trim();
  const space = text.search(/[ \t]/);
  const scheme = space < 0 ? text : text.slice(0, space);
  if (scheme.toLowerCase() !== 'digest') return fail(scheme === '' ? 'empty credentials' : `scheme ${JSON.stringify(scheme.slice(0, 32))} is not Digest`);
  const params = parseParams(text.slice(scheme.length));
  if (typeof params === 'string') return fail(params);

  const required = ['username', 'realm', 'nonce', 'uri', 'response'] as const;
  for (const name of required) if (!params.get(name)) return fail(`${name} is missing`);
  if (params.has('userhash') && params.get('userhash')!.toLowerCase() !== 'false') return fail('userhash is not offered');

  const algorithmText = params.get('algorithm') ?? 'MD5'; // RFC 7616 §3.4: absent means MD5
  const algorithm = digestAlgorithm(algorithmText);
  if (!algorithm) return fail(`algorithm ${JSON.stringify(algorithmText.slice(0, 32))} is not supported`);

  const response = params.get('response')!;
  if (response.length !== HASH[algorithm].hexLength || !HEX_RE.test(response)) return fail(`response is not a ${algorithm} digest`);

  const qop = params.get('qop');
  const nc = params.get('nc');
  const cnonce = params.get('cnonce');
  if (qop !== undefined) {
    if (qop.toLowerCase() !== 'auth') return fail(`qop ${JSON.stringify(qop.slice(0, 32))} is not offered`);
    if (nc === undefined || !NC_RE.test(nc)) return fail('qop=auth needs nc of 8 hex digits');
    if (!cnonce) return fail('qop=auth needs a cnonce');
  } else if (algorithm !== 'MD5') {
    return fail(`${algorithm} needs qop=auth`); // RFC 2069 style only survives for legacy MD5
  }

  const credentials: DigestCredentials = {
    username: params.get('username')!,
    realm: params.get('realm')!,
    nonce: params.get('nonce')!,
    uri: params.get('uri')!,
    response: response.toLowerCase(),
    algorithm,
    ...(qop !== undefined ? { qop: 'auth' as const, nc: nc!.toLowerCase(), cnonce: cnonce! } : {}),
    ...(params.has('opaque') ? { opaque: params.get('opaque')! } : {}),
  };
  return { ok: true, credentials };
}

/** The response the credentials should carry for this method and HA1 (hex). */
export function expectedDigestResponse(c: DigestCredentials, method: string, ha1: string): string {
  const ha2 = hash(c.algorithm, `${method}:${c.uri}`);
  return c.qop === 'auth'
    ? hash(c.algorithm, `${ha1}:${c.nonce}:${c.nc}:${c.cnonce}:auth:${ha2}`)
    : hash(c.algorithm, `${ha1}:${c.nonce}:${ha2}`);
}

/** True when the credentials' response matches; compared in constant time. */
export function verifyDigestResponse(c: DigestCredentials, method: string, ha1: string): boolean {
  const expected = Buffer.from(expectedDigestResponse(c, method, ha1), 'latin1');
  const given = Buffer.from(c.response, 'latin1');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
