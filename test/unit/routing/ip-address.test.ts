import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { CidrTable, formatIp, parseCidr, parseIp } from '../../../src/routing/ip-address.js';
import { TrunkIdentifier } from '../../../src/routing/trunk-identifier.js';

describe('IP literals', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
    ['::', '::'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['64:ff9b::192.0.2.7', '64:ff9b::c000:207'],
  ])('%s is %s', (text, canonical) => expect(formatIp(parseIp(text)!)).toBe(canonical));

  it.each(['256.0.0.1', '1.2.3', '01.2.3.4', '1:2:3:4:5:6:7:8:9', '1::2::3', 'fe80::1%eth0', 'localhost', '', '12345::'])(
    '%j is refused',
    (text) => expect(parseIp(text)).toBeUndefined(),
  );
});

describe('CIDR', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['192.0.2.7', '192.0.2.7/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['::1', '::1/128'],
  ])('%s parses as %s', (text, canonical) => {
    const r = parseCidr(text);
    expect(r.ok && r.cidr.text).toBe(canonical);
  });

  it.each([
    ['10.0.0.1/8', /host bits set; the network is 10\.0\.0\.0\/8/],
    ['10.0.0.0/33', /from 0 to 32/],
    ['2001:db8::/129', /from 0 to 128/],
    ['[::1]/128', /not an IPv4 or IPv6 address/],
    ['10.0.0.0/08', /whole number/],
  ])('%s is refused: %s', (text, reason) => {
    const r = parseCidr(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('matches the longest prefix, IPv4 and IPv6, including IPv4-mapped addresses', () => {
    const table = new CidrTable<string>();
    const add = (cidr: string, value: string) => {
      const r = parseCidr(cidr);
      if (!r.ok) throw new Error(r.reason);
      table.add(r.cidr, value);
    };
    add('10.0.0.0/8', 'wide');
    add('10.1.0.0/16', 'narrow');
    add('10.1.2.3/32', 'host');
    add('0.0.0.0/0', 'any-v4');
    add('2001:db8::/32', 'v6-wide');
    add('2001:db8:ab::/48', 'v6-narrow');
    const cases: [string, string | undefined][] = [
      ['10.9.9.9', 'wide'],
      ['10.1.9.9', 'narrow'],
      ['10.1.2.3', 'host'],
      ['::ffff:10.1.2.3', 'host'],
      ['192.0.2.1', 'any-v4'],
      ['2001:db8:ff::1', 'v6-wide'],
      ['2001:db8:ab:1::1', 'v6-narrow'],
      ['2001:db9::1', undefined],
      ['not-an-ip', undefined],
    ];
    for (const [address, expected] of cases) expect(table.lookup(address)?.value, address).toBe(expected);
  });
});

describe('trunk identification', () => {
  const config = parseConfig(
    [
      'users: { alice: { password: alice-secret } }',
      'trunks:',
      '  carrier-a: { inbound: { sources: [203.0.113.0/24, "2001:db8:a::/48"] } }',
      '  carrier-a-pop: { inbound: { sources: [203.0.113.128/25], digest: { username: pop, password: pop-secret } } }',
      '  carrier-b: { inbound: { digest: { username: carrier-b, password: b-secret-1 } } }',
      '',
    ].join('\n'),
    'trunks.yaml',
  );
  const trunks = new TrunkIdentifier(config);

  it.each([
    ['203.0.113.7', { trunk: 'carrier-a', cidr: '203.0.113.0/24', digest: false }],
    ['203.0.113.200', { trunk: 'carrier-a-pop', cidr: '203.0.113.128/25', digest: true }],
    ['2001:db8:a::5', { trunk: 'carrier-a', cidr: '2001:db8:a::/48', digest: false }],
    ['::ffff:203.0.113.7', { trunk: 'carrier-a', cidr: '203.0.113.0/24', digest: false }],
    ['198.51.100.1', undefined],
    ['2001:db8:b::1', undefined],
  ])('source %s', (address, expected) => expect(trunks.bySource(address)).toEqual(expected));

  it('finds digest-only trunks by username, and nothing for users', () => {
    expect(trunks.byUsername('carrier-b')).toBe('carrier-b');
    expect(trunks.byUsername('pop')).toBe('carrier-a-pop');
    expect(trunks.byUsername('alice')).toBeUndefined();
  });
});
