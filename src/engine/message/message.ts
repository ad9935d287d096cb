import { headerName, splitList } from './headers.js';
import { parseNameAddr, type NameAddr } from './name-addr.js';
import { parseVia, type Via } from './via.js';

/** One header line as received or added: the name as written, its lookup key, the unfolded value. */
export interface HeaderField {
  /** Name as written (compact or full, any case) or the canonical name for added headers. */
  readonly name: string;
  /** Lower-case full name: the key every lookup uses. */
  readonly key: string;
  /** Value with folding undone and surrounding white space removed. */
  readonly value: string;
}

export interface CSeq {
  seq: number;
  method: string;
}

const EMPTY = Buffer.alloc(0);

/**
 * A SIP message: an ordered header list and a body. Header lookups are
 * case-insensitive and accept compact forms. Parsed views of the headers the
 * stack needs on every message (Via, From, To, CSeq, Call-ID) are cached and
 * dropped when the header is changed.
 */
export abstract class SipMessage {
  /** Header lines in order. Change them only through set/append/prepend/remove. */
  headers: readonly HeaderField[];
  private _body: Buffer;
  /** SIP version token from the start line, `SIP/2.0`. */
  readonly version = 'SIP/2.0';
  /**
   * The exact bytes this message was parsed from, kept until the first change so an
   * unchanged message (e.g. one relayed to an application) serializes for free.
   * @internal
   */
  _raw: Buffer | undefined;

  // Caches of parsed mandatory headers, set by the parser or computed on first use.
  /** @internal */ _cseq: CSeq | undefined;
  /** @internal */ _from: NameAddr | null | undefined;
  /** @internal */ _to: NameAddr | null | undefined;
  /** @internal */ _via: Via | null | undefined;

  constructor(headers: HeaderField[] = [], body: Buffer = EMPTY) {
    this.headers = headers;
    this._body = body;
  }

  get body(): Buffer {
    return this._body;
  }

  set body(b: Buffer) {
    this._body = b;
    this._raw = undefined;
  }

  abstract readonly isRequest: boolean;

  /** First value of a header (the whole line; list headers are not split), or undefined. */
  get(name: string): string | undefined {
    const key = headerName(name).key;
    const hs = this.headers;
    for (let i = 0; i < hs.length; i++) if (hs[i]!.key === key) return hs[i]!.value;
    return undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /**
   * Every value of a header in order. List headers (Via, Route, Contact, Supported…)
   * are split at top-level commas; other headers give one value per line.
   */
  getAll(name: string): string[] {
    const info = headerName(name);
    const out: string[] = [];
    for (const h of this.headers) {
      if (h.key !== info.key) continue;
      if (info.list) for (const v of splitList(h.value)) out.push(v);
      else out.push(h.value);
    }
    return out;
  }

  /** Replaces every line of the header with one line holding `value`, kept in place of the first. */
  set(name: string, value: string): void {
    const info = headerName(name);
    const hs = this.headers as HeaderField[];
    let first = -1;
    for (let i = 0; i < hs.length; i++) {
      if (hs[i]!.key !== info.key) continue;
      if (first < 0) {
        first = i;
        hs[i] = { name: hs[i]!.name, key: info.key, value };
      } else {
        hs.splice(i, 1);
        i--;
      }
    }
    if (first < 0) hs.push({ name: info.canonical, key: info.key, value });
    this.invalidate(info.key);
  }

  /** Adds a header line after the existing ones. */
  append(name: string, value: string): void {
    const info = headerName(name);
    (this.headers as HeaderField[]).push({ name: info.canonical, key: info.key, value });
    this.invalidate(info.key);
  }

  /** Adds a header line before any existing line of the same header (e.g. a new top Via). */
  prepend(name: string, value: string): void {
    const info = headerName(name);
    const hs = this.headers as HeaderField[];
    let at = hs.findIndex((h) => h.key === info.key);
    if (at < 0) at = hs.length;
    hs.splice(at, 0, { name: info.canonical, key: info.key, value });
    this.invalidate(info.key);
  }

  /** Removes every line of a header; returns how many were removed. */
  remove(name: string): number {
    const key = headerName(name).key;
    const before = this.headers.length;
    this.headers = this.headers.filter((h) => h.key !== key);
    this.invalidate(key);
    return before - this.headers.length;
  }

  /**
   * Removes the first value of a list header (e.g. the top Via of a response being
   * forwarded upstream), keeping the others on their line.
   */
  removeFirstValue(name: string): string | undefined {
    const info = headerName(name);
    const hs = this.headers as HeaderField[];
    const at = hs.findIndex((h) => h.key === info.key);
    if (at < 0) return undefined;
    const values = splitList(hs[at]!.value);
    const first = values.shift();
    if (values.length === 0) hs.splice(at, 1);
    else hs[at] = { name: hs[at]!.name, key: info.key, value: values.join(', ') };
    this.invalidate(info.key);
    return first;
  }

  get callId(): string {
    return this.get('call-id') ?? '';
  }

  /** CSeq; the parser guarantees it is present and valid on parsed messages. */
  get cseq(): CSeq {
    if (this._cseq === undefined) {
      const v = this.get('cseq') ?? '';
      const sp = v.search(/[ \t]/);
      this._cseq = { seq: sp > 0 ? Number(v.slice(0, sp)) : NaN, method: sp > 0 ? v.slice(sp).trim() : '' };
    }
    return this._cseq;
  }

  get from(): NameAddr | null {
    if (this._from === undefined) this._from = parseOptional(this.get('from'));
    return this._from;
  }

  get to(): NameAddr | null {
    if (this._to === undefined) this._to = parseOptional(this.get('to'));
    return this._to;
  }

  get fromTag(): string | undefined {
    return this.from?.params.get('tag') ?? undefined;
  }

  get toTag(): string | undefined {
    return this.to?.params.get('tag') ?? undefined;
  }

  /** The top Via (first value of the first Via line). */
  get via(): Via | null {
    if (this._via === undefined) {
      const line = this.get('via');
      const first = line === undefined ? undefined : splitList(line)[0];
      this._via = first === undefined ? null : parseVia(first);
    }
    return this._via;
  }

  /** Every Via, top first. */
  get vias(): Via[] {
    const out: Via[] = [];
    for (const v of this.getAll('via')) {
      const via = parseVia(v);
      if (via !== null) out.push(via);
    }
    return out;
  }

  protected abstract startLine(): string;

  /**
   * Serializes the message. Content-Length always states the body's real length, so
   * framing stays correct whatever was changed.
   */
  toString(): string {
    if (this._raw !== undefined) return this._raw.toString('utf8');
    const bodyText = this.body.length === 0 ? '' : this.body.toString('utf8');
    return this.headText() + bodyText;
  }

  /** Serializes to bytes, keeping a binary body byte for byte. */
  toBuffer(): Buffer {
    if (this._raw !== undefined) return this._raw;
    const head = this.headText();
    const body = this.body;
    if (body.length === 0) return Buffer.from(head, 'utf8');
    const headLength = Buffer.byteLength(head, 'utf8');
    const out = Buffer.allocUnsafe(headLength + body.length);
    out.write(head, 0, headLength, 'utf8');
    body.copy(out, headLength);
    return out;
  }

  /**
   * Serializes once and keeps the bytes, so that the copy sent on the network and the
   * copy shown to an application cost one serialization; any later change drops them.
   */
  freeze(): Buffer {
    const bytes = this.toBuffer();
    this._raw = bytes;
    return bytes;
  }

  /** Start line, headers and the blank line, with Content-Length set to the body length. */
  headText(): string {
    let s = this.startLine() + '\r\n';
    let sawLength = false;
    const hs = this.headers;
    for (let i = 0; i < hs.length; i++) {
      const h = hs[i]!;
      if (h.key === 'content-length') {
        if (sawLength) continue;
        sawLength = true;
        s += h.name + ': ' + this.body.length + '\r\n';
      } else s += h.name + ': ' + h.value + '\r\n';
    }
    if (!sawLength) s += 'Content-Length: ' + this.body.length + '\r\n';
    return s + '\r\n';
  }

  /** Forget cached views after a change; subclasses call it when the start line changes. */
  protected invalidate(key: string): void {
    this._raw = undefined;
    switch (key) {
      case 'cseq':
        this._cseq = undefined;
        break;
      case 'from':
        this._from = undefined;
        break;
      case 'to':
        this._to = undefined;
        break;
      case 'via':
        this._via = undefined;
        break;
    }
  }
}

function parseOptional(v: string | undefined): NameAddr | null {
  return v === undefined ? null : parseNameAddr(v);
}

/** A SIP request. `uri` is the Request-URI text as written. */
export class SipRequest extends SipMessage {
  readonly isRequest = true;
  private _method: string;
  private _uri: string;

  constructor(method: string, uri: string, headers?: HeaderField[], body?: Buffer) {
    super(headers, body);
    this._method = method;
    this._uri = uri;
  }

  get method(): string {
    return this._method;
  }

  set method(m: string) {
    this._method = m;
    this.invalidate('');
  }

  /** Request-URI text as written. */
  get uri(): string {
    return this._uri;
  }

  set uri(u: string) {
    this._uri = u;
    this.invalidate('');
  }

  protected startLine(): string {
    return `${this.method} ${this.uri} ${this.version}`;
  }
}

/** A SIP response. */
export class SipResponse extends SipMessage {
  readonly isRequest = false;
  private _status: number;
  private _reason: string;

  constructor(status: number, reason: string, headers?: HeaderField[], body?: Buffer) {
    super(headers, body);
    this._status = status;
    this._reason = reason;
  }

  get status(): number {
    return this._status;
  }

  set status(s: number) {
    this._status = s;
    this.invalidate('');
  }

  get reason(): string {
    return this._reason;
  }

  set reason(r: string) {
    this._reason = r;
    this.invalidate('');
  }

  protected startLine(): string {
    return `${this.version} ${this.status} ${this.reason}`;
  }
}

export type AnySipMessage = SipRequest | SipResponse;
