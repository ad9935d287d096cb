import { createHash } from 'node:crypto';
import { parseConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema/config.js';

/** A configuration from inline YAML, indentation stripped. */
export function config(text: string): Config {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return parseConfig(lines.map((l) => l.slice(indent)).join('\n'), 'admission-test.yaml');
}

/**
 * A client's digest response, computed independently of src/admission (straight from
 * RFC 7616 §3.4.1), so the tests check the server against the RFC and not against itself.
 */
export function clientResponse(o: {
  algorithm: 'MD5' | 'SHA-256';
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  nc?: string;
  cnonce?: string;
  qop?: boolean;
}): string {
  const h = (s: string) => createHash(o.algorithm === 'MD5' ? 'md5' : 'sha256').update(s).digest('hex');
  const ha1 = h(`${o.username}:${o.realm}:${o.password}`);
  const ha2 = h(`${o.method}:${o.uri}`);
  return o.qop === false ? h(`${ha1}:${o.nonce}:${ha2}`) : h(`${ha1}:${o.nonce}:${o.nc ?? '00000001'}:${o.cnonce ?? 'c0ffee'}:auth:${ha2}`);
}

/** An Authorization header value a phone would send. */
export function authorization(o: Parameters<typeof clientResponse>[0]): string {
  const base = `Digest username="${o.username}", realm="${o.realm}", nonce="${o.nonce}", uri="${o.uri}", response="${clientResponse(o)}", algorithm=${o.algorithm}`;
  return o.qop === false ? base : `${base}, qop=auth, nc=${o.nc ?? '00000001'}, cnonce="${o.cnonce ?? 'c0ffee'}"`;
}

/** The nonce of a challenge header value. */
export function nonceOf(challenge: string): string {
  const m = /nonce="([^"]+)"/.exec(challenge);
  if (!m) throw new Error(`no nonce in ${challenge}`);
  return m[1]!;
}
