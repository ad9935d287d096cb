import { isToken, MAX_UINT32, parseUint, trimWsp } from './chars.js';
import { internMethod } from './intern.js';
import { headerName, SINGLE_VALUE_HEADERS, splitList } from './headers.js';
import { SipRequest, SipResponse, type CSeq, type HeaderField } from './message.js';
import { parseNameAddr } from './name-addr.js';
import { parseUri } from './uri.js';
import { parseVia, type Via } from './via.js';

/** Methods the stack knows; a CSeq mismatch on any other method is answered 501 (RFC 4475 §3.1.2.18). */
const KNOWN_METHODS = new Set([
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'UPDATE', 'INFO', 'REFER', 'NOTIFY',
  'SUBSCRIBE', 'MESSAGE', 'PUBLISH',
]);

export interface ParseOptions {
  /**
   * The bytes came from a stream transport that already framed them by
   * Content-Length: a missing Content-Length means an empty body (RFC 3261 §18.3).
   * On datagrams a missing Content-Length means the rest of the datagram.
   */
  stream?: boolean;
}

/** Why a message was refused, and what to do about it. */
export interface ParseFailure {
  /** One line for the log. */
  reason: string;
  /**
   * Status to answer with (400, 505…), or undefined to drop silently: responses are
   * always dropped, and so is a request whose Via cannot be used to reply.
   */
  status?: number;
  /** The request as far as it could be read, to build the error response from. */
  partial?: SipRequest;
}

export type ParseResult =
  | { ok: true; message: SipRequest | SipResponse }
  | { ok: false; failure: ParseFailure };

const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');

/**
 * Parses one SIP message from `buf` (a UDP datagram, or exactly one framed message
 * from a stream). Never throws on bad input: malformed messages come back as a
 * ParseFailure saying whether to answer 400/505 or to drop (RFC 4475).
 *
 * @example
 *   const r = parseMessage(datagram);
 *   if (r.ok && r.message.isRequest) handle(r.message);
 */
export function parseMessage(buf: Buffer, opts: ParseOptions = {}): ParseResult {
  let headEnd = buf.indexOf(CRLFCRLF);
  let sepLen = 4;
  if (headEnd < 0) {
    headEnd = buf.indexOf(LFLF);
    sepLen = 2;
  }
  if (headEnd < 0) {
    // A datagram is complete by definition: a missing empty line after the last
    // header means "no body" (RFC 4475's baddn example has none).
    if (opts.stream || buf.length < 2 || buf[buf.length - 1] !== 0x0a) return drop('no empty line after the headers');
    headEnd = buf.length - (buf[buf.length - 2] === 0x0d ? 2 : 1);
    sepLen = buf.length - headEnd;
  }
  const head = buf.toString('utf8', 0, headEnd);
  // Lines end in CRLF; a bare LF is tolerated (some peers and test tools send them).
  const lfOnly = head.indexOf('\r') < 0 || head.indexOf('\n') !== head.indexOf('\r\n') + 1;
  const eolLen = lfOnly ? 1 : 2;
  const eolText = lfOnly ? '\n' : '\r\n';
  let lineEnd = head.indexOf(eolText);
  if (lineEnd < 0) lineEnd = head.length;
  let startLine = head.slice(0, lineEnd);
  if (lfOnly && startLine.endsWith('\r')) startLine = startLine.slice(0, -1);
  let request: SipRequest | undefined;
  let response: SipResponse | undefined;
  let startError: ParseFailure | undefined;
  if (startLine.startsWith('SIP/')) {
    const r = parseStatusLine(startLine);
    if (typeof r === 'string') return drop(r);
    response = new SipResponse(r.status, r.reason);
  } else {
    const r = parseRequestLine(startLine);
    if (r.method === undefined) return drop(r.error ?? 'bad request line');
    request = new SipRequest(r.method, r.uri ?? '');
    if (r.error !== undefined) startError = { reason: r.error, status: r.status ?? 400 };
  }
  const msg = (request ?? response)!;

  // Header lines; a line starting with SP or HTAB continues the previous one.
  const headers: Array<{ name: string; key: string; value: string }> = [];
  let badLine: string | undefined;
  let folded = false;
  let pos = lineEnd + eolLen;
  while (pos < head.length) {
    let eol = head.indexOf(eolText, pos);
    if (eol < 0) eol = head.length;
    let end = eol;
    if (lfOnly && head.charCodeAt(end - 1) === 0x0d) end--;
    const lineStart = pos;
    pos = eol + eolLen;
    if (end === lineStart) continue;
    const c0 = head.charCodeAt(lineStart);
    if (c0 === 0x20 || c0 === 0x09) {
      const prev = headers[headers.length - 1];
      if (prev === undefined) {
        badLine ??= 'continuation line before any header';
        continue;
      }
      folded = true;
      const more = trimWsp(head.slice(lineStart, end));
      prev.value = prev.value.length === 0 ? more : more.length === 0 ? prev.value : prev.value + ' ' + more;
      continue;
    }
    let colon = lineStart;
    while (colon < end && head.charCodeAt(colon) !== 0x3a) colon++;
    if (colon >= end || colon === lineStart) {
      badLine ??= `header line without a colon: ${clip(head.slice(lineStart, end))}`;
      continue;
    }
    const cb = head.charCodeAt(colon - 1);
    const name = cb === 0x20 || cb === 0x09 ? trimWsp(head.slice(lineStart, colon)) : head.slice(lineStart, colon);
    const info = headerName(name);
    if (!info.known && !isToken(name)) {
      badLine ??= `invalid header name: ${clip(name)}`;
      continue;
    }
    let vs = colon + 1;
    while (vs < end && (head.charCodeAt(vs) === 0x20 || head.charCodeAt(vs) === 0x09)) vs++;
    let ve = end;
    while (ve > vs && (head.charCodeAt(ve - 1) === 0x20 || head.charCodeAt(ve - 1) === 0x09)) ve--;
    headers.push({ name, key: info.key, value: head.slice(vs, ve) });
  }
  msg.headers = headers;

  const fail = (reason: string, status = 400): ParseResult => {
    if (response !== undefined) return drop(reason);
    const via = lenientTopVia(request!);
    if (via === null) return drop(`${reason} (no usable Via to answer)`);
    request!._via = via;
    return { ok: false, failure: { reason, status, partial: request } };
  };
  if (startError !== undefined) return fail(startError.reason, startError.status);
  if (badLine !== undefined) return fail(badLine);

  // Mandatory headers, single-value rules and scalar ranges (RFC 3261 §8.1.1, §20; RFC 4475 §3.1.2.4, §3.3.8).
  const found = scanHeaders(headers, request !== undefined);
  if (found === AMBIGUOUS_LENGTH) return drop('more than one Content-Length: the framing is unknowable');
  if (typeof found === 'string') return fail(found);

  const via = parseVia(firstListValue(found.via!));
  if (via === null) return fail('malformed top Via');
  msg._via = via;
  const from = parseNameAddr(found.from!);
  if (from === null) return fail('malformed From');
  msg._from = from;
  const to = parseNameAddr(found.to!);
  if (to === null) return fail('malformed To');
  msg._to = to;
  const cseq = parseCSeq(found.cseq!);
  if (cseq === null) return fail('malformed or out-of-range CSeq');
  msg._cseq = cseq;
  if (request !== undefined && cseq.method !== request.method) {
    if (!KNOWN_METHODS.has(request.method)) return fail(`unknown method ${request.method}`, 501);
    return fail(`CSeq method ${cseq.method} does not match ${request.method}`);
  }
  if (request !== undefined && found.contact) {
    const contactError = checkContacts(msg.getAll('contact'));
    if (contactError !== undefined) return fail(contactError);
  }

  // Body: framed strictly by Content-Length; on datagrams a missing one means "the rest".
  const bodyStart = headEnd + sepLen;
  const available = buf.length - bodyStart;
  const clText = found.contentLength;
  let bodyLength: number;
  if (clText === undefined) bodyLength = opts.stream ? 0 : available;
  else {
    bodyLength = parseUint(clText, MAX_UINT32);
    if (bodyLength < 0) return fail(`invalid Content-Length ${clText}`);
    if (bodyLength > available) return fail(`Content-Length ${bodyLength} exceeds the ${available} body bytes received`);
  }
  if (bodyLength > 0) msg.body = buf.subarray(bodyStart, bodyStart + bodyLength);
  // Keep the original bytes for unchanged re-serialization, unless the message was
  // not in canonical form (folded or LF-only lines, no Content-Length).
  if (!folded && !lfOnly && clText !== undefined) msg._raw = bodyStart + bodyLength === buf.length ? buf : buf.subarray(0, bodyStart + bodyLength);
  return { ok: true, message: msg };
}

interface FoundHeaders {
  via?: string;
  from?: string;
  to?: string;
  cseq?: string;
  contentLength?: string;
  contact: boolean;
}

/**
 * Two Content-Length headers make the message boundary unknowable, so nothing in it
 * can be trusted enough to answer: the datagram is discarded (RFC 4475 §3.3.9).
 */
const AMBIGUOUS_LENGTH = 'ambiguous Content-Length';

// Bits for single-value headers seen so far; a second occurrence is a 400.
const SINGLE_BIT = new Map<string, number>([...SINGLE_VALUE_HEADERS].map((k, i) => [k, 1 << i]));

/** One pass over the headers: finds the mandatory ones and checks single-value and scalar rules. */
function scanHeaders(headers: readonly HeaderField[], isRequest: boolean): FoundHeaders | string {
  const f: FoundHeaders = { contact: false };
  let callId = false;
  let seen = 0;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    switch (h.key) {
      case 'via':
        f.via ??= h.value;
        continue; // Via is a list header: no single-value check
      case 'contact':
        f.contact = true;
        continue;
      case 'from':
        f.from = h.value;
        break;
      case 'to':
        f.to = h.value;
        break;
      case 'cseq':
        f.cseq = h.value;
        break;
      case 'call-id':
        if (h.value.length === 0) return 'empty Call-ID';
        callId = true;
        break;
      case 'content-length':
        f.contentLength = h.value;
        break;
      case 'max-forwards':
        if (parseUint(h.value, 255) < 0) return `invalid Max-Forwards ${clip(h.value)}`;
        break;
      case 'expires':
        if (isRequest && parseUint(h.value, MAX_UINT32) < 0) return `invalid Expires ${clip(h.value)}`;
        break;
    }
    const bit = SINGLE_BIT.get(h.key);
    if (bit !== undefined) {
      if ((seen & bit) !== 0) return h.key === 'content-length' ? AMBIGUOUS_LENGTH : `more than one ${h.name} header`;
      seen |= bit;
    }
  }
  if (f.via === undefined || f.from === undefined || f.to === undefined || !callId || f.cseq === undefined) {
    const missing = [f.via === undefined && 'Via', f.from === undefined && 'From', f.to === undefined && 'To', !callId && 'Call-ID', f.cseq === undefined && 'CSeq'];
    return `missing ${missing.filter(Boolean).join(', ')}`;
  }
  return f;
}

/** CSeq = 1*DIGIT LWS Method, the number at most 2^32-1. */
function parseCSeq(text: string): CSeq | null {
  let sp = 0;
  while (sp < text.length && text.charCodeAt(sp) !== 0x20 && text.charCodeAt(sp) !== 0x09) sp++;
  if (sp === 0 || sp === text.length) return null;
  const seq = parseUint(text.slice(0, sp), MAX_UINT32);
  const method = trimWsp(text.slice(sp));
  return seq < 0 || !isToken(method) ? null : { seq, method };
}

function firstListValue(line: string): string {
  return line.indexOf(',') < 0 ? line : (splitList(line)[0] ?? '');
}

/** Contact must be `*` or a list of name-addr/addr-spec with in-range expires (RFC 4475 §3.1.2.13, §3.1.2.4). */
function checkContacts(values: string[]): string | undefined {
  if (values.length === 1 && values[0] === '*') return undefined;
  for (const c of values) {
    const na = parseNameAddr(c);
    if (na === null) return `malformed Contact ${clip(c)}`;
    const exp = na.params.get('expires');
    if (exp !== undefined && (exp === null || parseUint(exp, MAX_UINT32) < 0)) return 'Contact expires out of range';
  }
  return undefined;
}

/**
 * The top Via, read leniently enough to answer a malformed request: when its
 * parameters are broken (RFC 4475 §3.1.2.1) the sent-by alone still tells where the
 * error response goes.
 */
function lenientTopVia(msg: SipRequest): Via | null {
  const line = msg.get('via');
  if (line === undefined) return null;
  const top = splitList(line)[0] ?? '';
  const via = parseVia(top);
  if (via !== null) return via;
  const semi = top.indexOf(';');
  return semi > 0 ? parseVia(top.slice(0, semi)) : null;
}

interface RequestLine {
  method?: string;
  uri?: string;
  error?: string;
  status?: number;
}

/** Method SP Request-URI SP SIP-Version, exactly one SP between elements (RFC 3261 §7.1). */
function parseRequestLine(line: string): RequestLine {
  const sp1 = line.indexOf(' ');
  if (sp1 <= 0) return { method: line, uri: '', error: 'bad request line' };
  const method = internMethod(line.slice(0, sp1));
  if (!isToken(method)) return { method, uri: '', error: `invalid method token ${clip(method)}` };
  const last = line.charCodeAt(line.length - 1);
  if (last === 0x20 || last === 0x09) return { method, uri: line.slice(sp1 + 1).trim(), error: 'trailing white space on the request line' };
  const sp2 = line.lastIndexOf(' ');
  const uri = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (sp2 === sp1) return { method, uri: line.slice(sp1 + 1), error: 'missing SIP version on the request line' };
  if (version !== 'SIP/2.0' && !/^SIP\/\d+\.\d+$/i.test(version)) return { method, uri, error: `bad SIP version ${clip(version)}` };
  if (version !== 'SIP/2.0' && version.toUpperCase() !== 'SIP/2.0') return { method, uri, error: `unsupported SIP version ${version}`, status: 505 };
  if (uri.length === 0 || uri.indexOf(' ') >= 0 || uri.indexOf('\t') >= 0) {
    return { method, uri, error: 'white space in the Request-URI or extra spaces on the request line' };
  }
  if (uri.charCodeAt(0) === 0x3c) return { method, uri, error: 'Request-URI enclosed in < >' };
  const parsed = parseUri(uri);
  if (parsed === null) return { method, uri, error: `malformed Request-URI ${clip(uri)}` };
  if ('headers' in parsed && parsed.headers !== undefined) return { method, uri, error: 'headers are not allowed in a Request-URI' };
  return { method, uri };
}

/** SIP-Version SP Status-Code SP Reason-Phrase; anything odd is dropped (RFC 4475 §3.1.2.19). */
function parseStatusLine(line: string): { status: number; reason: string } | string {
  const sp1 = line.indexOf(' ');
  if (sp1 < 0) return 'bad status line';
  if (line.slice(0, sp1).toUpperCase() !== 'SIP/2.0') return 'unsupported SIP version in a response';
  const rest = line.slice(sp1 + 1);
  const sp2 = rest.indexOf(' ');
  const code = sp2 < 0 ? rest : rest.slice(0, sp2);
  if (code.length !== 3) return `invalid status code ${clip(code)}`;
  const status = parseUint(code, 699);
  if (status < 100) return `invalid status code ${clip(code)}`;
  return { status, reason: sp2 < 0 ? '' : rest.slice(sp2 + 1) };
}

function drop(reason: string): ParseResult {
  return { ok: false, failure: { reason } };
}

function clip(s: string): string {
  return s.length > 60 ? JSON.stringify(s.slice(0, 60) + '…') : JSON.stringify(s);
}
