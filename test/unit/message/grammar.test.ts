import { describe, expect, it } from 'vitest';
import {
  formatNameAddr,
  formatUri,
  formatVia,
  isRfc3261Branch,
  parseNameAddr,
  parseUri,
  parseVia,
  splitList,
  unescapeUri,
  type SipUri,
} from '../../../src/engine/message/index.js';

describe('SIP URIs', () => {
  it('parses user, password, host, port, params and headers', () => {
    const u = parseUri('sips:alice:secret@[2001:db8::1]:5061;transport=tcp;lr;maddr=239.255.255.1?subject=hi&priority=urgent') as SipUri;
    expect(u).toMatchObject({ scheme: 'sips', user: 'alice', password: 'secret', host: '[2001:db8::1]', port: 5061, headers: 'subject=hi&priority=urgent' });
    expect([...u.params]).toEqual([['transport', 'tcp'], ['lr', null], ['maddr', '239.255.255.1']]);
  });

  it('keeps ";", "?" and ":" inside the user part (RFC 3261 user-unreserved)', () => {
    const u = parseUri("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com") as SipUri;
    expect(u.host).toBe('example.com');
    expect(u.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    expect(u.headers).toBeUndefined();
    const semi = parseUri('sip:user;par=u%40example.net@example.com') as SipUri;
    expect(semi.user).toBe('user;par=u%40example.net');
    expect(unescapeUri(semi.user!)).toBe('user;par=u@example.net');
  });

  it('escapes are decoded once and %00 does not truncate', () => {
    expect(unescapeUri('sip%3Auser%2540example.com')).toBe('sip:user%40example.com');
    expect(unescapeUri('null-%00-null')).toBe('null-\u0000-null');
    expect(unescapeUri('caf%C3%A9')).toBe('café');
    expect(unescapeUri('bad%zz')).toBe('bad%zz');
  });

  it('keeps other schemes opaque', () => {
    expect(parseUri('tel:+1-212-555-1212;phone-context=x')).toEqual({ scheme: 'tel', opaque: '+1-212-555-1212;phone-context=x' });
    expect(parseUri('NAME:John_Smith')).toEqual({ scheme: 'name', opaque: 'John_Smith' });
  });

  it.each(['', 'sip:', 'sip:@example.com', 'sip:bob@exa mple.com', 'sip:bob@example.com:99999', 'sip:bob@[::1', 'sip:bob@ex..ample', '1sip:x', 'sip:bob@host:5x'])(
    'rejects %j',
    (text) => {
      expect(parseUri(text)).toBeNull();
    },
  );

  it('round-trips through formatUri', () => {
    for (const text of ['sip:alice@example.com', 'sip:example.com:5070;lr', 'sips:bob:pw@[::1]:5061;transport=tls?x=y', 'tel:+15551234']) {
      expect(formatUri(parseUri(text)!)).toBe(text);
    }
  });
});

describe('name-addr and addr-spec', () => {
  it('parses a quoted display name with escapes', () => {
    const na = parseNameAddr('"J Rosenberg \\\\\\"" <sip:jdrosen@example.com>;tag=98asjd8');
    expect(na?.displayName).toBe('J Rosenberg \\"');
    expect(na?.uri).toBe('sip:jdrosen@example.com');
    expect(na?.params.get('tag')).toBe('98asjd8');
  });

  it('accepts a display name with no space before < and LWS in params', () => {
    const na = parseNameAddr('caller<sip:caller@example.com>  ;  tag = 323 ; lr');
    expect(na?.displayName).toBe('caller');
    expect([...na!.params]).toEqual([['tag', '323'], ['lr', null]]);
  });

  it('treats parameters after an addr-spec as header parameters', () => {
    const na = parseNameAddr('sip:caller@example.net;tag=341518;expires=60');
    expect(na?.uri).toBe('sip:caller@example.net');
    expect(na?.params.get('tag')).toBe('341518');
    expect(na?.params.get('expires')).toBe('60');
  });

  it('keeps URI parameters inside < > with the URI', () => {
    const na = parseNameAddr('<sip:user@host.example.com;transport=tcp>;expires=3600');
    expect(na?.uri).toBe('sip:user@host.example.com;transport=tcp');
    expect([...na!.params]).toEqual([['expires', '3600']]);
  });

  it.each([
    '"unbalanced <sip:a@example.com>',
    'Bell, Alexander <sip:a.g.bell@example.com>',
    '< sip:t.watson@example.org >',
    'sip:user@example.com?Route=%3Csip:x%3E',
    'sip:a@example.com,sip:b@example.com',
    '<sip:a@example.com',
    '<sip:a@example.com>;=x',
    'not a uri',
  ])('rejects %j', (text) => {
    expect(parseNameAddr(text)).toBeNull();
  });

  it('formats with angle brackets and a quoted name', () => {
    expect(formatNameAddr({ displayName: 'Doe, "J"', uri: 'sip:j@example.com', params: new Map([['tag', 'x']]) })).toBe(
      '"Doe, \\"J\\"" <sip:j@example.com>;tag=x',
    );
    expect(formatNameAddr({ uri: 'sip:a@b', params: new Map() })).toBe('<sip:a@b>');
  });
});

describe('Via', () => {
  it('parses transport, sent-by and RFC 3581 parameters', () => {
    const v = parseVia('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK87asdks7;received=198.51.100.7;rport=5070');
    expect(v).toMatchObject({ protocol: 'SIP/2.0', transport: 'UDP', host: '192.0.2.1', port: 5060, branch: 'z9hG4bK87asdks7', received: '198.51.100.7', rport: 5070 });
    expect(parseVia('SIP/2.0/TCP [2001:db8::9]:5080;rport;branch=z9hG4bKx')).toMatchObject({ host: '[2001:db8::9]', port: 5080, rport: true });
  });

  it('accepts odd but legal white space and case', () => {
    const v = parseVia('SIP  /   2.0 /UDP    192.0.2.2;branch=390skdjuw');
    expect(v).toMatchObject({ protocol: 'SIP/2.0', transport: 'UDP', host: '192.0.2.2', branch: '390skdjuw' });
    expect(parseVia('sip/2.0/tcp spindle.example.com ; branch = z9hG4bK9ikj8')).toMatchObject({ transport: 'TCP', branch: 'z9hG4bK9ikj8' });
    expect(parseVia('SIP/2.0/UDP host.example.com : 5061;branch=z9hG4bKa')?.port).toBe(5061);
  });

  it('accepts unknown transports', () => {
    expect(parseVia('SIP/2.0/UNKNOWN t3.example.com;branch=z9hG4bKunk')?.transport).toBe('UNKNOWN');
  });

  it.each(['SIP/2.0/UDP', 'SIP/2.0 UDP host', 'SIP/2.0/UDP host;branch=', 'SIP/2.0/UDP host;rport=99999', 'SIP/2.0/UDP ho st;branch=z9hG4bKa', 'SIP/2.0/UDP host;;'])(
    'rejects %j',
    (text) => {
      expect(parseVia(text)).toBeNull();
    },
  );

  it('tells RFC 3261 branches from older ones', () => {
    expect(isRfc3261Branch('z9hG4bK74bf9')).toBe(true);
    expect(isRfc3261Branch('z9hG4bK')).toBe(false);
    expect(isRfc3261Branch('390skdjuw')).toBe(false);
    expect(isRfc3261Branch(undefined)).toBe(false);
  });

  it('formats from its fields', () => {
    const v = parseVia('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa;rport')!;
    v.params.set('received', '203.0.113.9');
    expect(formatVia(v)).toBe('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa;rport;received=203.0.113.9');
  });
});

describe('splitList', () => {
  it.each([
    ['a, b ,c', ['a', 'b', 'c']],
    ['"x, y" <sip:a>, <sip:b,c>', ['"x, y" <sip:a>', '<sip:b,c>']],
    ['"esc \\" , q", z', ['"esc \\" , q"', 'z']],
    [',,a,,', ['a']],
    ['', []],
  ])('%j', (input, expected) => {
    expect(splitList(input)).toEqual(expected);
  });
});
