/**
 * Incremental decoder for drachtio's wire framing, `<length>#<payload>`, where the
 * length is the payload's size in UTF-8 bytes (docs/drachtio-wire-protocol.md §1).
 * Frames may be split anywhere across reads, including inside the length prefix, and
 * several may arrive in one read. Only what the current frame needs is buffered.
 *
 * @example
 *   const d = new FrameDecoder(99_999);
 *   socket.on('data', (chunk) => { for (const f of d.push(chunk)) handle(f); if (d.error) socket.destroy(); });
 */
export class FrameDecoder {
  /** Why the stream can no longer be decoded; the connection must be closed. */
  error: string | undefined;
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Payload length of the frame being read, or -1 while reading the prefix. */
  private expect = -1;

  constructor(private readonly maxPayload: number) {}

  /** Adds bytes and returns the payloads of every frame completed by them. */
  push(chunk: Buffer): string[] {
    const out: string[] = [];
    if (this.error !== undefined) return out;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.expect < 0 && !this.readPrefix()) break;
      if (this.buffered < this.expect) break;
      out.push(this.take(this.expect).toString('utf8'));
      this.expect = -1;
    }
    return out;
  }

  /** Bytes held for a frame not yet complete. */
  get pending(): number {
    return this.buffered;
  }

  private readPrefix(): boolean {
    // The prefix is at most 5 digits and '#': look at no more than 6 bytes.
    let len = 0;
    let digits = 0;
    let seen = 0;
    for (const c of this.chunks) {
      for (let i = 0; i < c.length; i++, seen++) {
        const b = c[i]!;
        if (b === 0x23 /* # */) {
          if (digits === 0 || len === 0) return this.fail('frame length is empty or zero');
          if (len > this.maxPayload) return this.fail(`frame length ${len} exceeds the limit of ${this.maxPayload} bytes`);
          this.take(seen + 1);
          this.expect = len;
          return true;
        }
        if (b < 0x30 || b > 0x39) return this.fail('frame length is not a decimal number');
        if (++digits > 5) return this.fail('frame length has more than 5 digits');
        len = len * 10 + (b - 0x30);
      }
    }
    return false;
  }

  /** Removes and returns the first `n` buffered bytes. */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0]!;
        const use = Math.min(c.length, n - filled);
        c.copy(out, filled, 0, use);
        filled += use;
        if (use === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(use);
      }
    }
    this.buffered -= n;
    return out;
  }

  private fail(reason: string): false {
    this.error = reason;
    this.chunks = [];
    this.buffered = 0;
    return false;
  }
}

/** Encodes one frame; the length counts UTF-8 bytes. */
export function encodeFrame(payload: string): string {
  return `${Buffer.byteLength(payload, 'utf8')}#${payload}`;
}
