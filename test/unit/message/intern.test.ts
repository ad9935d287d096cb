import { describe, expect, it } from 'vitest';
import { AddressInterner, detachedCopy, internMethod } from '../../../src/engine/message/intern.js';
import { parseMessage, type SipRequest } from '../../../src/engine/message/index.js';

describe('strings kept by lingering transactions', () => {
  it('parsed standard methods are shared constants; others pass through unchanged', () => {
    const r = parseMessage(Buffer.from('INVITE sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\nFrom: <sip:b@127.0.0.1>;tag=1\r\nTo: <sip:a@127.0.0.1>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n'));
    expect(r.ok && (r.message as SipRequest).method).toBe('INVITE');
    expect(internMethod('INVITE')).toBe('INVITE');
    expect(internMethod('invite')).toBe('invite'); // methods are case-sensitive: not folded
    expect(internMethod('FOO')).toBe('FOO');
  });

  it('a detached copy has the same value', () => {
    const text = 'To: <sip:a@127.0.0.1>;tag=0123456789abcdef0123';
    const tag = text.slice(text.indexOf('tag=') + 4);
    expect(detachedCopy(tag)).toBe(tag);
    expect(detachedCopy('')).toBe('');
  });

  it('interns addresses up to a limit, then starts over', () => {
    const i = new AddressInterner(2);
    expect(i.intern('127.0.0.1')).toBe('127.0.0.1');
    expect(i.intern('127.0.0.2')).toBe('127.0.0.2');
    expect(i.intern('127.0.0.3')).toBe('127.0.0.3');
    expect(i.intern('127.0.0.1')).toBe('127.0.0.1');
  });
});
