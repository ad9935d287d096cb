import { describe, expect, it } from 'vitest';
import { canonicalIp, isMulticastOrBroadcast, parseIpv6 } from '../../../src/engine/transport/ip.js';

describe('canonicalIp', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['[2001:DB8:0:0:0:0:0:1]', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // leftmost of two equal runs
    ['2001:0db8:0000:0001:0000:0000:0000:0001', '2001:db8:0:1::1'], // the longer run
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // one zero group is not compressed
    ['::', '::'],
    ['1::', '1::'],
    ['fe80::1:2', 'fe80::1:2'],
    ['::ffff:192.0.2.1', '192.0.2.1'], // IPv4-mapped becomes IPv4
    ['::ffff:c000:0201', '192.0.2.1'],
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });

  it.each([
    '', 'example.com', '127.0.0', '127.0.0.1.5', '256.0.0.1', '01.2.3.4', '1..2.3', '1.2.3.4 ', '[127.0.0.1', '::1]',
    ':::', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::1', 'fe80::1%eth0', 'g::1', ':1', '1:', '::1.2.3', '1:2:3:4:5:6:7:1.2.3.4',
  ])('refuses %j', (input) => {
    expect(canonicalIp(input)).toBeUndefined();
  });

  it('parses an embedded IPv4 tail into the last two groups', () => {
    expect([...parseIpv6('::1.2.3.4')!]).toEqual([0, 0, 0, 0, 0, 0, 0x102, 0x304]);
  });
});

describe('isMulticastOrBroadcast', () => {
  it.each([
    ['224.0.0.1', true],
    ['239.255.255.255', true],
    ['255.255.255.255', true],
    ['223.255.255.255', false],
    ['240.0.0.1', false],
    ['127.0.0.1', false],
    ['ff02::1', true],
    ['ff::1', false], // 00ff::1
    ['fe80::1', false],
  ])('%s → %s', (address, expected) => {
    expect(isMulticastOrBroadcast(address)).toBe(expected);
  });
});
