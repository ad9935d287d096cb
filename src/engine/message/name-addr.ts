import { isWsp, TOKEN } from './chars.js';
import { formatParams, parseHeaderParams, quotedEnd, scanHeaderParams, skipWsp, type Params } from './params.js';
import { parseUri, type Uri } from './uri.js';

/**
 * A `name-addr` or `addr-spec` with header parameters, as in From, To, Contact,
 * Route, Record-Route, Refer-To, P-Asserted-Identity (RFC 3261 §20.10, §25.1).
 */
export interface NameAddr {
  /** Display name, unquoted and unescaped; undefined when absent. */
  displayName?: string;
  /** The URI text exactly as written between < and > (or the bare addr-spec). */
  uri: string;
  /** Header parameters with lower-case names (tag, expires, q, lr…). */
  params: Params;
}

/**
 * Parses one name-addr / addr-spec with parameters. Returns null for anything
 * RFC 3261 does not allow: unbalanced quotes, an unquoted display name with
 * non-token characters, white space inside < >, or an addr-spec containing ',', '?'
 * (those require the < > form).
 *
 * @example parseNameAddr('"Alice" <sip:alice@example.com>;tag=1928')
 *   // { displayName: 'Alice', uri: 'sip:alice@example.com', params: Map { tag => '1928' } }
 */
export function parseNameAddr(text: string): NameAddr | null {
  const len = text.length;
  const i = skipWsp(text, 0);
  const lt = findUnquotedAngle(text, i);
  if (lt === -2) return null; // unbalanced quotes
  if (lt >= 0) {
    // name-addr: [display-name] LAQUOT addr-spec RAQUOT
    let displayName: string | undefined;
    if (lt > i) {
      const dn = parseDisplayName(text, i, lt);
      if (dn === null) return null;
      displayName = dn;
    }
    const gt = text.indexOf('>', lt + 1);
    if (gt < 0) return null;
    const uri = text.slice(lt + 1, gt);
    if (!looksLikeUri(uri)) return null;
    if (scanHeaderParams(text, gt + 1) !== len) return null;
    return new ParsedNameAddr(displayName, uri, text, gt + 1);
  }
  // addr-spec: the URI ends at the first ';' after its userinfo; what follows are header params.
  const at = text.indexOf('@', i);
  const semi = text.indexOf(';', at >= 0 ? at : i);
  let uriEnd = semi >= 0 ? semi : len;
  const paramsStart = uriEnd;
  while (uriEnd > i && isWsp(text.charCodeAt(uriEnd - 1))) uriEnd--;
  const uriText = text.slice(i, uriEnd);
  if (uriText.indexOf(',') >= 0 || uriText.indexOf('?') >= 0 || !looksLikeUri(uriText)) return null;
  if (scanHeaderParams(text, paramsStart) !== len) return null;
  return new ParsedNameAddr(undefined, uriText, text, paramsStart);
}

/** A NameAddr from the parser: its parameters are read into a map on first use. */
class ParsedNameAddr implements NameAddr {
  displayName: string | undefined;
  uri: string;
  private readonly text: string;
  private readonly paramsStart: number;
  private map: Params | undefined;

  constructor(displayName: string | undefined, uri: string, text: string, paramsStart: number) {
    this.displayName = displayName;
    this.uri = uri;
    this.text = text;
    this.paramsStart = paramsStart;
    this.map = paramsStart >= text.length ? new Map() : undefined;
  }

  get params(): Params {
    // Already validated by scanHeaderParams, so this cannot fail.
    return (this.map ??= parseHeaderParams(this.text, this.paramsStart)!.params);
  }

  set params(p: Params) {
    this.map = p;
  }
}

/**
 * Cheap structural check used while parsing: a scheme, no white space or control
 * characters, and something after the colon. Full parsing (`nameAddrUri`) happens
 * only where the URI is used, e.g. a Contact becoming a dialog's remote target.
 */
function looksLikeUri(s: string): boolean {
  const len = s.length;
  let colon = -1;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x3c || c === 0x3e || c === 0x22) return false;
    if (c === 0x3a && colon < 0) colon = i;
  }
  return colon > 0 && colon < len - 1 && TOKEN[s.charCodeAt(0)] === 1;
}

/** Serializes with angle brackets (always safe) and a quoted display name when present. */
export function formatNameAddr(na: NameAddr): string {
  const dn = na.displayName !== undefined && na.displayName.length > 0 ? `${quote(na.displayName)} ` : '';
  return `${dn}<${na.uri}>${formatParams(na.params)}`;
}

/** Parses the URI inside a NameAddr. */
export function nameAddrUri(na: NameAddr): Uri | null {
  return parseUri(na.uri);
}

/** Wraps text in a quoted-string, escaping `"` and `\`. */
export function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => '\\' + c)}"`;
}

/**
 * Index of the first '<' outside a quoted string, -1 if none, -2 if a quote is unbalanced.
 */
function findUnquotedAngle(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) {
      const close = quotedEnd(s, i);
      if (close < 0) return -2;
      i = close;
    } else if (c === 0x3c) return i;
  }
  return -1;
}

/** display-name = *(token LWS) / quoted-string between `start` and `end`; returns the unquoted text or null. */
function parseDisplayName(text: string, start: number, end: number): string | null {
  while (end > start && isWsp(text.charCodeAt(end - 1))) end--;
  if (end === start) return '';
  if (text.charCodeAt(start) === 0x22) {
    if (quotedEnd(text, start) !== end - 1) return null;
    const inner = text.slice(start + 1, end - 1);
    return inner.indexOf('\\') < 0 ? inner : inner.replace(/\\(.)/g, '$1');
  }
  // Unquoted: tokens separated by LWS, folded to single spaces.
  let collapsed = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (isWsp(c)) {
      if (c !== 0x20 || isWsp(text.charCodeAt(i + 1))) collapsed = true;
    } else if (c >= 128 || TOKEN[c] === 0) return null;
  }
  const dn = text.slice(start, end);
  return collapsed ? dn.split(/[ \t]+/).join(' ') : dn;
}
