/**
 * Splits a SIP byte stream into messages (RFC 3261 §18.3): the header section ends at
 * the first empty line, the body is exactly Content-Length bytes (compact form `l`, any
 * case, folded values allowed; absent means 0). CRLFs between messages are skipped, and
 * a double CRLF there is an RFC 5626 §3.5.1 keep-alive ping. Shared by every stream
 * transport (TCP now, TLS later): it sees bytes, never sockets.
 *
 * Cost: a message wholly inside one read is handed on as a view of that read, with no
 * copy. A message split across reads is copied once: header bytes into a buffer that
 * grows geometrically (only new bytes are scanned for the end of the headers), then
 * the whole message into one buffer of its final size once Content-Length is known.
 *
 * | state | bytes go to                    | leaves when                                        |
 * | ----- | ------------------------------ | -------------------------------------------------- |
 * | idle  | CRLF skipping / ping detection | a message's first byte → frames it from the read, or head |
 * | head  | the header buffer              | empty line → body (or idle when complete); over max → failed |
 * | body  | the message buffer             | Content-Length bytes received → idle               |
 * | failed| dropped                        | — (the connection is closed)                       |
 *
 * @example
 *   const framer = new StreamFramer(65_536);
 *   socket.on('data', (chunk) => {
 *     const fault = framer.push(chunk, sink); // sink.onFrame(message), sink.onPing()
 *     if (fault) socket.destroy();
 *   });
 */
export class StreamFramer {
  /** Messages framed so far; tells a caller whether a pending message is a new one. */
  frames = 0;
  private state = IDLE;
  /** Header bytes of a message whose empty line has not arrived yet. */
  private head: Buffer | undefined;
  private headLength = 0;
  /** The message being filled once its size is known. */
  private body: Buffer | undefined;
  private filled = 0;
  /** Progress through CR LF CR LF between messages (0–3). */
  private pingProgress = 0;

  constructor(private readonly maxMessageSize: number) {}

  /** True while part of a message has arrived and the rest has not. */
  get pending(): boolean {
    return this.state === HEAD || this.state === BODY;
  }

  /** True once a fault was returned or halt() was called: nothing more will be framed. */
  get failed(): boolean {
    return this.state === FAILED;
  }

  /** Bytes held for the pending message. */
  get buffered(): number {
    return this.state === HEAD ? this.headLength : this.state === BODY ? this.filled : 0;
  }

  /** Stops framing for good (the connection is closing) and releases buffered bytes. */
  halt(): void {
    this.state = FAILED;
    this.head = undefined;
    this.body = undefined;
  }

  /**
   * Frames the bytes of one read. Calls `sink.onFrame` for every complete message and
   * `sink.onPing` for every double-CRLF ping, in stream order. Returns a fault when the
   * stream cannot be framed any further; the caller must then close the connection.
   * If the sink halts the framer from a callback, the rest of the read is ignored.
   */
  push(chunk: Buffer, sink: FrameSink): FramingFault | undefined {
    const n = chunk.length;
    let i = 0;
    if (this.state === BODY) {
      const body = this.body!;
      i = Math.min(body.length - this.filled, n);
      chunk.copy(body, this.filled, 0, i);
      this.filled += i;
      if (this.filled < body.length) return undefined;
      this.body = undefined;
      this.state = IDLE;
      this.emit(body, sink);
    } else if (this.state === HEAD) {
      const consumed = this.continueHead(chunk, sink);
      if (typeof consumed !== 'number') return consumed;
      i = consumed;
    } else if (this.state === FAILED) {
      return undefined;
    }
    const max = this.maxMessageSize;
    while (i < n && this.state === IDLE) {
      const c = chunk[i]!;
      if (c === CR || c === LF) {
        this.betweenMessages(c, sink);
        i++;
        continue;
      }
      this.pingProgress = 0;
      const end = chunk.indexOf(CRLFCRLF, i);
      if (end < 0) {
        if (n - i >= max) return this.fail('too-large', `header section does not end within ${max} bytes`, chunk.subarray(i, i + max));
        this.startHead(chunk, i);
        return undefined;
      }
      const headerLength = end + 4 - i;
      if (headerLength > max) return this.fail('too-large', `header section does not end within ${max} bytes`, chunk.subarray(i, i + max));
      const bodyLength = contentLength(chunk, i, end, max);
      if (bodyLength < 0) return this.failContentLength(bodyLength, chunk.subarray(i, end + 4));
      const total = headerLength + bodyLength;
      if (total > max) return this.fail('too-large', `message of ${total} bytes exceeds ${max}`, chunk.subarray(i, Math.min(n, i + max)));
      if (total <= n - i) {
        this.emit(chunk.subarray(i, i + total), sink);
        i += total;
        continue;
      }
      const body = Buffer.allocUnsafe(total);
      chunk.copy(body, 0, i, n);
      this.body = body;
      this.filled = n - i;
      this.state = BODY;
      return undefined;
    }
    return undefined;
  }

  private emit(message: Buffer, sink: FrameSink): void {
    this.frames++;
    sink.onFrame(message);
  }

  /** CR LF CR LF between messages is a ping; any other run of CR/LF is skipped. */
  private betweenMessages(c: number, sink: FrameSink): void {
    const p = this.pingProgress;
    if (c === CR) {
      this.pingProgress = p === 0 || p === 2 ? p + 1 : 1;
    } else if (p === 1) {
      this.pingProgress = 2;
    } else if (p === 3) {
      this.pingProgress = 0;
      sink.onPing();
    } else {
      this.pingProgress = 0;
    }
  }

  private startHead(chunk: Buffer, from: number): void {
    const length = chunk.length - from;
    const head = Buffer.allocUnsafe(Math.min(this.maxMessageSize, Math.max(INITIAL_HEAD, length * 2)));
    chunk.copy(head, 0, from);
    this.head = head;
    this.headLength = length;
    this.state = HEAD;
  }

  /**
   * Appends a read to the header bytes and looks for the empty line among the new
   * bytes (and the three before them, which may hold the start of CR LF CR LF).
   * Returns where framing continues in `chunk`, or a fault.
   */
  private continueHead(chunk: Buffer, sink: FrameSink): number | FramingFault {
    const max = this.maxMessageSize;
    const before = this.headLength;
    const take = Math.min(chunk.length, max - before);
    let head = this.head!;
    if (before + take > head.length) {
      const grown = Buffer.allocUnsafe(Math.min(max, Math.max(head.length * 2, before + take)));
      head.copy(grown, 0, 0, before);
      head = this.head = grown;
    }
    chunk.copy(head, before, 0, take);
    const length = (this.headLength = before + take);
    const end = head.subarray(0, length).indexOf(CRLFCRLF, Math.max(0, before - 3));
    if (end < 0) {
      if (length >= max) return this.fail('too-large', `header section does not end within ${max} bytes`, Buffer.from(head.subarray(0, length)));
      return chunk.length;
    }
    const bodyLength = contentLength(head, 0, end, max);
    if (bodyLength < 0) return this.failContentLength(bodyLength, Buffer.from(head.subarray(0, end + 4)));
    const total = end + 4 + bodyLength;
    if (total > max) return this.fail('too-large', `message of ${total} bytes exceeds ${max}`, Buffer.from(head.subarray(0, length)));
    this.head = undefined;
    this.headLength = 0;
    // The header buffer holds min(before + chunk.length, max) bytes and total <= max,
    // so a message that completes within this read lies wholly inside it.
    if (total <= length) {
      const message = Buffer.allocUnsafe(total);
      head.copy(message, 0, 0, total);
      this.state = IDLE;
      this.emit(message, sink);
      return total - before;
    }
    const body = Buffer.allocUnsafe(total);
    head.copy(body, 0, 0, length);
    this.body = body;
    this.filled = length;
    this.state = BODY;
    return chunk.length;
  }

  private failContentLength(code: number, bytes: Buffer): FramingFault {
    const detail = code === CONFLICTING ? 'Content-Length values differ' : 'Content-Length is not a non-negative decimal number';
    return this.fail('content-length', detail, bytes);
  }

  private fail(kind: FramingFault['kind'], detail: string, bytes: Buffer): FramingFault {
    this.halt();
    return { kind, detail, bytes };
  }
}

/** Receives what a StreamFramer frames; implemented by the connection, so no closures. */
export interface FrameSink {
  onFrame(message: Buffer): void;
  onPing(): void;
}

/**
 * Why a stream cannot be framed. `too-large`: the message, or a header section that
 * never ends, exceeds the maximum size. `content-length`: negative, non-numeric or
 * conflicting values. `bytes` holds what arrived of the message (at most the maximum).
 */
export interface FramingFault {
  kind: 'too-large' | 'content-length';
  detail: string;
  bytes: Buffer;
}

const IDLE = 0;
const HEAD = 1;
const BODY = 2;
const FAILED = 3;
const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const INITIAL_HEAD = 1024;
const INVALID = -1;
const CONFLICTING = -2;
const CONTENT_LENGTH = Buffer.from('content-length', 'latin1');

/**
 * The Content-Length of the header section `buf[start, end)` (`end` is where the
 * terminating CR LF CR LF begins): 0 when absent, INVALID or CONFLICTING when unusable.
 * Values above `max` are reported as max + 1: big enough to refuse, never a huge number.
 * Scans header names only at line starts; folded continuation lines begin with white
 * space, so they can never be mistaken for a header name.
 */
function contentLength(buf: Buffer, start: number, end: number, max: number): number {
  let found = -1;
  let p = buf.indexOf(LF, start) + 1;
  while (p > 0 && p <= end) {
    const first = buf[p]! | 0x20;
    let colon = -1;
    if (first === 0x6c /* l */) colon = afterName(buf, p + 1, end);
    else if (first === 0x63 /* c */ && isContentLengthName(buf, p, end)) colon = afterName(buf, p + CONTENT_LENGTH.length, end);
    if (colon >= 0) {
      const value = headerNumber(buf, colon + 1, end + 2, max);
      if (value < 0) return INVALID;
      if (found >= 0 && value !== found) return CONFLICTING;
      found = value;
    }
    p = buf.indexOf(LF, p) + 1;
  }
  return found < 0 ? 0 : found;
}

function isContentLengthName(buf: Buffer, p: number, end: number): boolean {
  if (p + CONTENT_LENGTH.length > end) return false;
  for (let k = 0; k < CONTENT_LENGTH.length; k++) {
    const want = CONTENT_LENGTH[k]!;
    const got = buf[p + k]!;
    // Only letters fold case: '-' must match exactly (CR | 0x20 would equal '-').
    if (got !== want && (want === 0x2d || (got | 0x20) !== want)) return false;
  }
  return true;
}

/** Index of the ':' that follows a header name ending at `i` (white space allowed before it), or -1. */
function afterName(buf: Buffer, i: number, end: number): number {
  while (i < end && (buf[i] === SP || buf[i] === HT)) i++;
  return i < end && buf[i] === 0x3a ? i : -1;
}

/**
 * Reads `LWS 1*DIGIT LWS` up to the end of the header line, where LWS may include
 * folding (CRLF followed by SP/HT). `limit` bounds the scan (the empty line's start).
 * Returns the value (capped at max + 1) or INVALID.
 */
function headerNumber(buf: Buffer, i: number, limit: number, max: number): number {
  i = skipLws(buf, i, limit);
  let value = 0;
  let digits = 0;
  while (i < limit) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x39) break;
    if (value <= max) value = value * 10 + (c - 0x30);
    digits++;
    i++;
  }
  if (digits === 0) return INVALID;
  i = skipLws(buf, i, limit);
  if (i < limit && buf[i] !== CR && buf[i] !== LF) return INVALID;
  return value > max ? max + 1 : value;
}

/** Skips spaces, tabs and line folds; stops at a line end that is not a fold. */
function skipLws(buf: Buffer, i: number, limit: number): number {
  while (i < limit) {
    const c = buf[i]!;
    if (c === SP || c === HT) {
      i++;
      continue;
    }
    const lf = c === CR && buf[i + 1] === LF ? i + 1 : c === LF ? i : -1;
    if (lf < 0) break;
    const next = buf[lf + 1];
    if (lf + 1 >= limit || (next !== SP && next !== HT)) break;
    i = lf + 2;
  }
  return i;
}
