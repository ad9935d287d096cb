import { describe, expect, it } from 'vitest';
import { looksLikeStun, stunBindingResponse } from '../../../src/engine/transport/stun.js';

const COOKIE = 0x2112a442;

function bindingRequest(type = 0x0001, cookie = COOKIE, attributes = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(20 + attributes.length);
  b.writeUInt16BE(type, 0);
  b.writeUInt16BE(attributes.length, 2);
  b.writeUInt32BE(cookie, 4);
  for (let i = 0; i < 12; i++) b[8 + i] = 0xa0 + i;
  attributes.copy(b, 20);
  return b;
}

/** Decodes XOR-MAPPED-ADDRESS independently of the encoder (RFC 5389 §15.2). */
function mapped(response: Buffer): { address: string; port: number } {
  expect(response.readUInt16BE(20)).toBe(0x0020);
  const family = response[25];
  const port = response.readUInt16BE(26) ^ (COOKIE >>> 16);
  if (family === 0x01) {
    const ip = (response.readUInt32BE(28) ^ COOKIE) >>> 0;
    return { address: [ip >>> 24, (ip >>> 16) & 0xff, (ip >>> 8) & 0xff, ip & 0xff].join('.'), port };
  }
  const groups: string[] = [];
  for (let g = 0; g < 8; g++) groups.push((response.readUInt16BE(28 + g * 2) ^ response.readUInt16BE(4 + g * 2)).toString(16));
  return { address: groups.join(':'), port };
}

describe('STUN binding (RFC 5389, RFC 5626 §4.4.1)', () => {
  it('recognises STUN by its first byte, never SIP', () => {
    expect(looksLikeStun(0x00)).toBe(true);
    expect(looksLikeStun(0x01)).toBe(true);
    expect(looksLikeStun('I'.charCodeAt(0))).toBe(false);
    expect(looksLikeStun('S'.charCodeAt(0))).toBe(false);
  });

  it('answers an IPv4 binding request with the mapped address and the same transaction id', () => {
    const req = bindingRequest();
    const res = stunBindingResponse(req, '192.0.2.44', 40_123)!;
    expect(res.readUInt16BE(0)).toBe(0x0101);
    expect(res.readUInt16BE(2)).toBe(res.length - 20);
    expect(res.subarray(4, 20)).toEqual(req.subarray(4, 20));
    expect(mapped(res)).toEqual({ address: '192.0.2.44', port: 40_123 });
  });

  it('answers an IPv6 binding request', () => {
    const res = stunBindingResponse(bindingRequest(), '2001:db8::1:2', 5062)!;
    expect(res[25]).toBe(0x02);
    expect(mapped(res)).toEqual({ address: '2001:db8:0:0:0:0:1:2', port: 5062 });
  });

  it('answers a request that carries attributes', () => {
    const software = Buffer.from([0x80, 0x22, 0x00, 0x04, 0x74, 0x65, 0x73, 0x74]);
    expect(stunBindingResponse(bindingRequest(0x0001, COOKIE, software), '127.0.0.1', 1)).toBeDefined();
  });

  it.each([
    ['a binding indication', bindingRequest(0x0011)],
    ['a binding response', bindingRequest(0x0101)],
    ['an RFC 3489 request without the magic cookie', bindingRequest(0x0001, 0x12345678)],
    ['a truncated header', bindingRequest().subarray(0, 12)],
    ['a length that disagrees with the datagram', Buffer.concat([bindingRequest(), Buffer.alloc(4)])],
  ])('ignores %s', (_label, datagram) => {
    expect(stunBindingResponse(datagram, '127.0.0.1', 5060)).toBeUndefined();
  });
});
