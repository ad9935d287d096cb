import { internMethod } from '../message/intern.js';
import { isToken } from '../message/chars.js';
import { headerName, type HeaderField } from '../message/index.js';

/**
 * A SIP message as an application wrote it in a `sip` frame: a start line, the headers
 * it chose, and a body. Applications omit most mandatory headers (the engine adds
 * them, docs/drachtio-wire-protocol.md §10), so this is parsed leniently: it is never a
 * complete message, and a line the engine cannot use is dropped, not fatal.
 */
export interface AppMessage {
  /** Request method (upper case), or undefined for a response. */
  readonly method: string | undefined;
  readonly uri: string;
  readonly status: number;
  readonly reason: string;
  /** Headers the application may set, in its order (immutable ones removed). */
  readonly headers: HeaderField[];
  readonly body: Buffer;
  /** Lines dropped because they were not `Name: value` or named an immutable header. */
  readonly dropped: number;
}

/**
 * Headers only the engine writes (drachtio's `isImmutableHdr`): an application's
 * copies are ignored, and Content-Length is always recomputed in bytes.
 */
const IMMUTABLE: ReadonlySet<string> = new Set(['via', 'route', 'record-route', 'rseq', 'content-length']);

/**
 * Parses an application's SIP text. Returns a string saying what is wrong when the
 * start line is unusable.
 *
 * @example parseAppMessage('INFO sip:placeholder SIP/2.0\r\nContent-Type: text/plain\r\n\r\nhello')
 */
export function parseAppMessage(text: string): AppMessage | string {
  let headEnd = text.indexOf('\r\n\r\n');
  let bodyStart = headEnd + 4;
  if (headEnd < 0) {
    headEnd = text.length;
    bodyStart = text.length;
    while (headEnd > 0 && (text.charCodeAt(headEnd - 1) === 0x0a || text.charCodeAt(headEnd - 1) === 0x0d)) headEnd--;
  }
  const head = text.slice(0, headEnd);
  const lines = head.split(/\r?\n/);
  const start = lines[0] ?? '';
  let method: string | undefined;
  let uri = '';
  let status = 0;
  let reason = '';
  if (start.startsWith('SIP/2.0 ')) {
    status = Number(start.slice(8, 11));
    if (!Number.isInteger(status) || status < 100 || status > 699 || (start.length > 11 && start.charCodeAt(11) !== 0x20)) {
      return `invalid status line: ${start}`;
    }
    reason = start.slice(12).trim();
  } else {
    const parts = start.split(' ');
    if (parts.length !== 3 || parts[2] !== 'SIP/2.0' || !isToken(parts[0]!) || parts[1]!.length === 0) {
      return `invalid or missing method supplied on start line: ${start}`;
    }
    method = internMethod(parts[0]!.toUpperCase());
    uri = parts[1]!;
  }
  const headers: HeaderField[] = [];
  let dropped = 0;
  for (let i = 1; i < lines.length; i++) {
    let line = lines[i]!;
    // Folded continuation lines are joined (RFC 3261 §7.3.1).
    while (i + 1 < lines.length && (lines[i + 1]!.startsWith(' ') || lines[i + 1]!.startsWith('\t'))) line += ' ' + lines[++i]!.trim();
    if (line.length === 0) continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!isToken(name)) {
      dropped++;
      continue;
    }
    const info = headerName(name);
    if (IMMUTABLE.has(info.key)) {
      dropped++;
      continue;
    }
    headers.push({ name: info.known ? info.canonical : capitalize(name), key: info.key, value: line.slice(colon + 1).trim() });
  }
  return { method, uri, status, reason, headers, body: Buffer.from(text.slice(bodyStart), 'utf8'), dropped };
}

/** First value of a header the application set, by lookup key. */
export function appHeader(msg: AppMessage, key: string): string | undefined {
  for (const h of msg.headers) if (h.key === key) return h.value;
  return undefined;
}

/** drachtio writes unknown header names capitalised after each `-`, except `X-` headers. */
function capitalize(name: string): string {
  if (name.length > 1 && (name[0] === 'X' || name[0] === 'x') && name[1] === '-') return name;
  return name.replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
}
