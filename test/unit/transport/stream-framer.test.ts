import { describe, expect, it } from 'vitest';
import { StreamFramer, type FrameSink, type FramingFault } from '../../../src/engine/transport/stream-framer.js';

/** A request with the given header lines (before the body) and body. */
function request(headers: string[], body: Buffer | string = ''): Buffer {
  const head = ['OPTIONS sip:bob@127.0.0.1 SIP/2.0', 'Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-1', 'Call-ID: c1', ...headers].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), typeof body === 'string' ? Buffer.from(body, 'latin1') : body]);
}

function withLength(body: Buffer | string, name = 'Content-Length'): Buffer {
  return request([`${name}: ${Buffer.byteLength(body as string)}`], body);
}

class Recorder implements FrameSink {
  frames: Buffer[] = [];
  pings = 0;
  onFrame(message: Buffer): void {
    this.frames.push(Buffer.from(message));
  }
  onPing(): void {
    this.pings++;
  }
}

/** Feeds `bytes` in chunks of `size` (0: whole) and returns what came out. */
function feed(bytes: Buffer, size = 0, max = 65_536): { frames: Buffer[]; pings: number; fault: FramingFault | undefined; framer: StreamFramer } {
  const framer = new StreamFramer(max);
  const sink = new Recorder();
  let fault: FramingFault | undefined;
  const step = size > 0 ? size : bytes.length;
  for (let i = 0; i < bytes.length && fault === undefined; i += step) fault = framer.push(bytes.subarray(i, i + step), sink);
  return { frames: sink.frames, pings: sink.pings, fault, framer };
}

/** Deterministic PRNG (mulberry32) so random chunkings are reproducible. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const binaryBody = Buffer.from([0x00, 0x0d, 0x0a, 0x0d, 0x0a, 0xff, 0x00, 0x4c, 0x3a, 0x20, 0x39, 0x0d, 0x0a, 0x0d, 0x0a, 0x00]);
const messages = [
  withLength('v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n'),
  request([]), // no Content-Length: empty body
  withLength(binaryBody),
  request(['l: 5'], 'hello'),
  request(['Max-Forwards: 70', 'content-LENGTH   :   3   '], 'abc'),
  request(['Content-Length:', '   7'], 'folded!'),
];
const stream = Buffer.concat(messages);

describe('StreamFramer', () => {
  it('frames one whole message', () => {
    const { frames, fault } = feed(messages[0]!);
    expect(fault).toBeUndefined();
    expect(frames).toEqual([messages[0]]);
  });

  it('frames a stream fed one byte at a time', () => {
    const { frames, fault, framer } = feed(stream, 1);
    expect(fault).toBeUndefined();
    expect(frames).toEqual(messages);
    expect(framer.pending).toBe(false);
  });

  it('frames a stream split at every position', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const framer = new StreamFramer(65_536);
      const sink = new Recorder();
      expect(framer.push(stream.subarray(0, cut), sink)).toBeUndefined();
      expect(framer.push(stream.subarray(cut), sink)).toBeUndefined();
      expect(sink.frames).toEqual(messages);
    }
  });

  it('frames a stream cut into random chunks', () => {
    const long = Buffer.concat(Array.from({ length: 20 }, () => stream));
    const expected = Array.from({ length: 20 }, () => messages).flat();
    for (let seed = 1; seed <= 20; seed++) {
      const random = prng(seed);
      const framer = new StreamFramer(65_536);
      const sink = new Recorder();
      for (let i = 0; i < long.length; ) {
        const size = 1 + Math.floor(random() * 300);
        expect(framer.push(long.subarray(i, i + size), sink)).toBeUndefined();
        i += size;
      }
      expect(sink.frames).toEqual(expected);
    }
  });

  it('frames many messages from one read as views of that read, without copying', () => {
    const read = Buffer.concat(Array.from({ length: 300 }, () => stream));
    const framer = new StreamFramer(65_536);
    const views: Buffer[] = [];
    framer.push(read, { onFrame: (m) => views.push(m), onPing: () => undefined });
    expect(views).toHaveLength(300 * messages.length);
    expect(views.every((v) => v.buffer === read.buffer)).toBe(true);
    expect(views.slice(0, messages.length)).toEqual(messages);
    expect(framer.frames).toBe(300 * messages.length);
  });

  it('takes the body strictly by Content-Length, even when it holds NULs and blank lines', () => {
    const { frames } = feed(Buffer.concat([messages[2]!, messages[0]!]), 3);
    expect(frames[0]!.subarray(frames[0]!.length - binaryBody.length)).toEqual(binaryBody);
    expect(frames[1]).toEqual(messages[0]);
  });

  it('reads the compact form and any case, with white space before the colon', () => {
    expect(feed(request(['L :2'], 'ok')).frames[0]!.toString('latin1').endsWith('\r\n\r\nok')).toBe(true);
    expect(feed(request(['CONTENT-length: 2'], 'ok')).frames[0]!.toString('latin1').endsWith('\r\n\r\nok')).toBe(true);
  });

  it('reads a Content-Length value folded onto the next line', () => {
    const folded = request(['Content-Length:\t', ' \t4', 'Subject: after'], 'body');
    const { frames, fault } = feed(Buffer.concat([folded, messages[1]!]), 1);
    expect(fault).toBeUndefined();
    expect(frames).toEqual([folded, messages[1]]);
  });

  it('does not take other headers for Content-Length', () => {
    const msg = request(['Content-Lengthy: 99', 'X-Content-Length: 99', 'Location: sip:x', 'Content-Length: 1'], 'z');
    expect(feed(msg).frames).toEqual([msg]);
  });

  it('treats a missing Content-Length as an empty body', () => {
    const { frames } = feed(Buffer.concat([messages[1]!, messages[1]!]), 2);
    expect(frames).toEqual([messages[1], messages[1]]);
  });

  it('accepts repeated Content-Length headers that agree', () => {
    const msg = request(['Content-Length: 2', 'l: 2'], 'ok');
    expect(feed(msg).frames).toEqual([msg]);
  });

  describe('keep-alives between messages (RFC 5626 §3.5.1)', () => {
    it('reports a double CRLF as a ping, whole or byte by byte', () => {
      const bytes = Buffer.concat([messages[0]!, Buffer.from('\r\n\r\n'), messages[1]!]);
      for (const size of [0, 1]) {
        const { frames, pings } = feed(bytes, size);
        expect(pings).toBe(1);
        expect(frames).toEqual([messages[0], messages[1]]);
      }
    });

    it('counts two pings in a row and ignores a lone CRLF', () => {
      expect(feed(Buffer.from('\r\n\r\n\r\n\r\n'), 1).pings).toBe(2);
      expect(feed(Buffer.from('\r\n'), 1).pings).toBe(0);
      expect(feed(Buffer.from('\r\n\r\n\r\n'), 1).pings).toBe(1);
    });

    it('skips leading CRLFs before a message without calling them a ping', () => {
      const { frames, pings } = feed(Buffer.concat([Buffer.from('\r\n'), messages[0]!]));
      expect(pings).toBe(0);
      expect(frames).toEqual([messages[0]]);
    });

    it('does not see a ping in blank lines inside a body', () => {
      const body = '\r\n\r\n\r\n\r\n';
      expect(feed(withLength(body), 1).pings).toBe(0);
    });
  });

  describe('faults', () => {
    it.each([
      ['negative', ['Content-Length: -5'], 'not a non-negative'],
      ['non-numeric', ['Content-Length: five'], 'not a non-negative'],
      ['empty', ['Content-Length: '], 'not a non-negative'],
      ['a list', ['Content-Length: 5, 5'], 'not a non-negative'],
      ['two numbers', ['Content-Length: 5 5'], 'not a non-negative'],
      ['a sign', ['l: +5'], 'not a non-negative'],
      ['two values that differ (RFC 4475 mcl01)', ['Content-Length: 13', 'Max-Forwards: 60', 'Content-Length: 5'], 'differ'],
      ['compact and full forms that differ', ['l: 1', 'Content-Length: 2'], 'differ'],
    ])('refuses a Content-Length that is %s', (_label, headers, detail) => {
      for (const size of [0, 1]) {
        const { frames, fault, framer } = feed(Buffer.concat([request(headers, 'hello'), messages[0]!]), size);
        expect(fault?.kind).toBe('content-length');
        expect(fault?.detail).toContain(detail);
        expect(frames).toEqual([]);
        expect(framer.failed).toBe(true);
      }
    });

    it('refuses a message larger than the maximum and hands over at most that many bytes', () => {
      const big = withLength('x'.repeat(2000));
      for (const size of [0, 1, 100]) {
        const { fault, frames } = feed(big, size, 1024);
        expect(fault?.kind).toBe('too-large');
        expect(fault!.bytes.length).toBeLessThanOrEqual(1024);
        expect(fault!.bytes.subarray(0, 7).toString()).toBe('OPTIONS');
        expect(frames).toEqual([]);
      }
    });

    it('accepts a message of exactly the maximum size', () => {
      const head = request(['Content-Length: 000']).length; // the body length has three digits
      const exact = withLength('y'.repeat(1024 - head));
      expect(exact.length).toBe(1024);
      expect(feed(exact, 1, 1024).frames).toEqual([exact]);
    });

    it('refuses a header section that does not end within the maximum', () => {
      const endless = Buffer.from(`OPTIONS sip:x SIP/2.0\r\n${'X-Pad: aaaaaaaaaaaaaaaa\r\n'.repeat(100)}`);
      for (const size of [0, 1, 7]) {
        const { fault } = feed(endless, size, 1024);
        expect(fault?.kind).toBe('too-large');
        expect(fault?.detail).toContain('header section');
      }
    });

    it('refuses a Content-Length too large to represent without overflowing', () => {
      const { fault } = feed(request(['Content-Length: 99999999999999999999999'], 'x'));
      expect(fault?.kind).toBe('too-large');
    });

    it('frames nothing more after a fault', () => {
      const framer = new StreamFramer(65_536);
      const sink = new Recorder();
      expect(framer.push(request(['l: -1']), sink)).toBeDefined();
      expect(framer.push(messages[0]!, sink)).toBeUndefined();
      expect(sink.frames).toEqual([]);
    });
  });

  it('stops framing the rest of a read when the sink halts it', () => {
    const framer = new StreamFramer(65_536);
    const seen: Buffer[] = [];
    framer.push(stream, {
      onFrame: (m) => {
        seen.push(m);
        framer.halt();
      },
      onPing: () => undefined,
    });
    expect(seen).toHaveLength(1);
    expect(framer.pending).toBe(false);
  });

  it('says when a message is pending and how much of it is buffered', () => {
    const framer = new StreamFramer(65_536);
    const sink = new Recorder();
    framer.push(Buffer.from('\r\n'), sink);
    expect(framer.pending).toBe(false);
    framer.push(messages[0]!.subarray(0, 10), sink);
    expect(framer.pending).toBe(true);
    expect(framer.buffered).toBe(10);
    framer.push(messages[0]!.subarray(10), sink);
    expect(framer.pending).toBe(false);
    expect(framer.frames).toBe(1);
  });
});
