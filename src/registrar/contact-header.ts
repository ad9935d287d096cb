/**
 * Reads the Contact header fields of a REGISTER into what the registrar needs: each
 * contact's URI with its expires, q, +sip.instance and reg-id parameters, or the
 * wildcard `*`. Tolerant where RFC 3261 allows variety (display names, quoted strings
 * holding commas, several contacts in one field, several fields, white space around
 * `;` and `=`) and strict where a wrong guess would change the binding (a malformed q,
 * a URI that does not parse). Splitting and name-addr parsing are the message codec's
 * (src/engine/message); this module only interprets the parameters.
 *
 * @example
 *   parseContactHeaders(['"Doe, J" <sip:j@192.0.2.4>;q=0.7;expires=600, <sip:j@192.0.2.5>']);
 *   // { ok: true, contacts: [{ uri: 'sip:j@192.0.2.4', displayName: 'Doe, J', q: 0.7, expires: 600 },
 *   //                        { uri: 'sip:j@192.0.2.5' }] }
 *   parseContactHeaders(['*']);         // { ok: true, contacts: '*' }
 *   parseContactHeaders([]);            // { ok: true, contacts: [] }  (a query)
 *   parseExpiresHeader('3600');         // 3600
 */
import { splitList } from '../engine/message/headers.js';
import { parseNameAddr } from '../engine/message/name-addr.js';
import { parseUri } from '../engine/message/uri.js';

/** One Contact of a REGISTER. */
export interface ContactEntry {
  /** The URI as written inside < > (or the bare addr-spec). */
  readonly uri: string;
  readonly displayName?: string | undefined;
  /** The expires parameter in seconds; undefined when absent or malformed (RFC 3261 §20.19: use the default). */
  readonly expires?: number | undefined;
  /** The q parameter, 0..1. */
  readonly q?: number | undefined;
  /** +sip.instance without its quotes, e.g. "<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>". */
  readonly instance?: string | undefined;
  /** reg-id, 1..2^31-1; a malformed value is ignored. */
  readonly regId?: number | undefined;
}

export type ContactParseResult =
  | { readonly ok: true; readonly contacts: readonly ContactEntry[] | '*' }
  | { readonly ok: false; readonly error: string };

/** RFC 3261 §20.19: larger delta-seconds may be treated as 2^32-1. */
const MAX_DELTA_SECONDS = 4_294_967_295;
const QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;
const DIGITS = /^[0-9]+$/;

/**
 * Parses every Contact header field value of a request, in order. No value: an empty
 * list (the REGISTER is a query). `*` must stand alone, else `ok: false`.
 */
export function parseContactHeaders(values: readonly string[]): ContactParseResult {
  const contacts: ContactEntry[] = [];
  let wildcard = false;
  for (const value of values) {
    for (const raw of splitList(value)) {
      const part = raw.trim(); // splitList trims only when it splits
      if (part === '*') {
        wildcard = true;
        continue;
      }
      const na = parseNameAddr(part);
      if (na === null || parseUri(na.uri) === null) return { ok: false, error: `malformed Contact ${JSON.stringify(part)}` };
      const params = na.params;
      const q = params.get('q');
      if (q !== undefined && (q === null || !QVALUE.test(q))) return { ok: false, error: `Contact q must be a number from 0 to 1, not ${JSON.stringify(q)}` };
      contacts.push({
        uri: na.uri,
        displayName: na.displayName,
        expires: deltaSeconds(params.get('expires')),
        q: q === undefined ? undefined : Number(q),
        instance: unquote(params.get('+sip.instance')),
        regId: regId(params.get('reg-id')),
      });
    }
  }
  if (wildcard) return contacts.length === 0 ? { ok: true, contacts: '*' } : { ok: false, error: 'Contact "*" must be the only Contact' };
  return { ok: true, contacts };
}

/** An Expires header field value in seconds; undefined when absent or malformed. */
export function parseExpiresHeader(value: string | undefined): number | undefined {
  return deltaSeconds(value?.trim());
}

function deltaSeconds(text: string | null | undefined): number | undefined {
  if (text === undefined || text === null || !DIGITS.test(text)) return undefined;
  return Math.min(MAX_DELTA_SECONDS, Number(text));
}

function regId(text: string | null | undefined): number | undefined {
  if (text === undefined || text === null || !DIGITS.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 2_147_483_647 ? n : undefined;
}

function unquote(text: string | null | undefined): string | undefined {
  if (text === undefined || text === null) return undefined;
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1).replace(/\\(.)/g, '$1');
  return text;
}
