import { describe, expect, it } from 'vitest';
import { formatListenSpec, parseListenSpec, parseListenSpecs } from '../../../src/engine/transport/listen-spec.js';
import { isSwitchboardError } from '../../../src/util/errors.js';

describe('parseListenSpec', () => {
  it.each([
    ['udp:127.0.0.1:5060', { transport: 'udp', address: '127.0.0.1', port: 5060, family: 4 }],
    ['tcp:[::1]:5080', { transport: 'tcp', address: '::1', port: 5080, family: 6 }],
    ['udp:0.0.0.0:5060', { transport: 'udp', address: '0.0.0.0', port: 5060, family: 4 }],
    ['tcp:[::]:5060', { transport: 'tcp', address: '::', port: 5060, family: 6 }],
    ['TCP:127.0.0.1:0', { transport: 'tcp', address: '127.0.0.1', port: 0, family: 4 }],
    ['udp:127.0.0.1', { transport: 'udp', address: '127.0.0.1', port: 5060, family: 4 }],
    ['tcp:[2001:DB8:0::1]', { transport: 'tcp', address: '2001:db8::1', port: 5060, family: 6 }],
    ['  udp:10.0.0.1:65535 ', { transport: 'udp', address: '10.0.0.1', port: 65535, family: 4 }],
  ])('%s', (text, expected) => {
    expect(parseListenSpec(text)).toEqual(expected);
  });

  it.each([
    ['127.0.0.1:5060', 'unknown transport "127.0.0.1"'],
    ['udp', 'no transport'],
    ['sctp:127.0.0.1:5060', 'not supported yet'],
    ['tls:127.0.0.1:5061', 'not supported yet'],
    ['quic:127.0.0.1:5060', 'unknown transport "quic"'],
    ['udp::5060', 'no address'],
    ['tcp:::1:5060', 'must be written in brackets'],
    ['tcp:[::1:5060', 'missing "]"'],
    ['tcp:[::1]5060', 'unexpected "5060"'],
    ['tcp:[127.0.0.1]:5060', 'IPv6 addresses only'],
    ['udp:localhost:5060', 'not an IP address (names are not resolved)'],
    ['udp:127.0.0.1:65536', 'port "65536"'],
    ['udp:127.0.0.1:-1', 'port "-1"'],
    ['udp:127.0.0.1:', 'port ""'],
    ['udp:127.0.0.1:50x', 'port "50x"'],
    ['udp:224.0.1.75:5060', 'multicast or broadcast'],
    ['udp:[ff02::1]:5060', 'multicast or broadcast'],
  ])('refuses %s', (text, reason) => {
    let caught: unknown;
    try {
      parseListenSpec(text);
    } catch (err) {
      caught = err;
    }
    expect(isSwitchboardError(caught, 'SB_USAGE')).toBe(true);
    expect((caught as Error).message).toContain(`invalid listen address "${text}"`);
    expect((caught as Error).message).toContain(reason);
    expect((caught as Error).message).toContain('e.g. udp:127.0.0.1:5060');
  });
});

describe('parseListenSpecs', () => {
  it('parses the --sip list', () => {
    expect(parseListenSpecs('udp:127.0.0.1:5080,tcp:[::1]:5080').map((s) => formatListenSpec(s))).toEqual(['udp:127.0.0.1:5080', 'tcp:[::1]:5080']);
  });

  it('refuses an empty list', () => {
    expect(() => parseListenSpecs(' , ')).toThrow(/no listen address/);
  });
});

describe('formatListenSpec', () => {
  it('round-trips and can show the port the OS chose', () => {
    const spec = parseListenSpec('tcp:[::1]:0');
    expect(formatListenSpec(spec)).toBe('tcp:[::1]:0');
    expect(formatListenSpec(spec, 40123)).toBe('tcp:[::1]:40123');
    expect(parseListenSpec(formatListenSpec(parseListenSpec('udp:0.0.0.0:5060')))).toEqual(parseListenSpec('udp:0.0.0.0:5060'));
  });
});
