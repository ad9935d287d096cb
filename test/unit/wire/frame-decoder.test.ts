import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder } from '../../../src/engine/wire/frame-decoder.js';
import { RouteTable } from '../../../src/engine/wire/route-table.js';

describe('FrameDecoder', () => {
  const frames = ['abc|ping', 'x|sip|t|d\r\nSIP/2.0 200 OK\r\n\r\n', 'abc|ping|ü', 'é'.repeat(50)];
  const stream = Buffer.from(frames.map(encodeFrame).join(''), 'utf8');

  it('counts the length in UTF-8 bytes', () => {
    expect(encodeFrame('abc|ping|ü')).toBe('11#abc|ping|ü');
  });

  it('decodes several frames from one read', () => {
    expect(new FrameDecoder(99_999).push(stream)).toEqual(frames);
  });

  it('decodes frames split at every byte position, including inside the prefix', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const d = new FrameDecoder(99_999);
      const got = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      expect(got).toEqual(frames);
      expect(d.pending).toBe(0);
    }
  });

  it('decodes a stream fed one byte at a time', () => {
    const d = new FrameDecoder(99_999);
    const got: string[] = [];
    for (const b of stream) got.push(...d.push(Buffer.from([b])));
    expect(got).toEqual(frames);
  });

  it.each([
    ['a non-digit prefix', 'x1#a', /not a decimal/],
    ['a six-digit prefix', '100000#', /more than 5 digits/],
    ['a zero length', '0#', /empty or zero/],
    ['an empty length', '#abc', /empty or zero/],
    ['a length above the limit', '70000#', /exceeds the limit/],
  ])('refuses %s', (_label, input, reason) => {
    const d = new FrameDecoder(65_535);
    expect(d.push(Buffer.from(input))).toEqual([]);
    expect(d.error).toMatch(reason);
    expect(d.pending).toBe(0);
    expect(d.push(Buffer.from('3#abc'))).toEqual([]);
  });

  it('does not buffer an announced payload beyond the limit', () => {
    const d = new FrameDecoder(10);
    d.push(Buffer.from('99999#' + 'a'.repeat(100)));
    expect(d.error).toBeDefined();
    expect(d.pending).toBe(0);
  });
});

describe('RouteTable', () => {
  it('rotates among connections that routed a verb', () => {
    const t = new RouteTable<string>();
    t.add('invite', 'a');
    t.add('invite', 'b');
    t.add('invite', 'c');
    expect([1, 2, 3, 4, 5, 6].map(() => t.pick('invite'))).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    expect(t.pick('options')).toBeUndefined();
  });

  it('ignores duplicate routes from one connection', () => {
    const t = new RouteTable<string>();
    t.add('invite', 'a');
    t.add('invite', 'b');
    t.add('invite', 'a');
    t.add('invite', 'a');
    expect([1, 2, 3, 4].map(() => t.pick('invite'))).toEqual(['a', 'b', 'a', 'b']);
  });

  it('removes one verb or every verb of a connection without disturbing the rotation', () => {
    const t = new RouteTable<string>();
    for (const c of ['a', 'b', 'c']) {
      t.add('invite', c);
      t.add('options', c);
    }
    expect(t.pick('invite')).toBe('a');
    t.remove('invite', 'a');
    expect([1, 2, 3].map(() => t.pick('invite'))).toEqual(['b', 'c', 'b']);
    t.removeAll('b', ['invite', 'options']);
    expect([1, 2].map(() => t.pick('invite'))).toEqual(['c', 'c']);
    expect(t.pick('options')).toBe('a');
    t.removeAll('c', ['invite']);
    expect(t.has('invite')).toBe(false);
  });
});
