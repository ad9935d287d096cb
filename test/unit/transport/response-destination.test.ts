import { describe, expect, it } from 'vitest';
import { receivedFor, responseDestination, rportFor, type RoutingVia } from '../../../src/engine/transport/response-destination.js';
import type { Destination, MessageSource } from '../../../src/engine/transport/types.js';

const udpSource: MessageSource = {
  transport: 'udp',
  address: '192.0.2.10',
  port: 40_000,
  family: 4,
  localAddress: '192.0.2.1',
  localPort: 5060,
  connectionId: undefined,
};
const tcpSource: MessageSource = { ...udpSource, transport: 'tcp', port: 51_000, connectionId: 7 };
const v6Source: MessageSource = { ...udpSource, address: '2001:db8::10', family: 6, localAddress: '2001:db8::1' };

function via(fields: Partial<RoutingVia> & { maddr?: string }): RoutingVia {
  return { transport: 'UDP', host: '192.0.2.10', ...fields };
}

type Row = [label: string, via: RoutingVia, source: MessageSource, expected: Pick<Destination, 'transport' | 'address' | 'port' | 'connectionId'>];

const rows: Row[] = [
  // RFC 3261 §18.2.2, unreliable, no rport: received (else source) at the sent-by port.
  ['UDP, sent-by is the source, no port: port 5060', via({}), udpSource, { transport: 'udp', address: '192.0.2.10', port: 5060, connectionId: undefined }],
  ['UDP, sent-by is the source, port 5070', via({ port: 5070 }), udpSource, { transport: 'udp', address: '192.0.2.10', port: 5070, connectionId: undefined }],
  ['UDP, sent-by is a name, received added', via({ host: 'pc33.example.com', port: 5062, received: '192.0.2.10' }), udpSource, { transport: 'udp', address: '192.0.2.10', port: 5062, connectionId: undefined }],
  ['UDP, received differs from the source: received wins', via({ host: 'pc33.example.com', received: '198.51.100.7' }), udpSource, { transport: 'udp', address: '198.51.100.7', port: 5060, connectionId: undefined }],
  ['UDP, sent-by is another IP and no received: the source, never sent-by', via({ host: '203.0.113.5', port: 5080 }), udpSource, { transport: 'udp', address: '192.0.2.10', port: 5080, connectionId: undefined }],
  ['UDP, sent-by is a name and no received: the source, no DNS', via({ host: 'pc33.example.com' }), udpSource, { transport: 'udp', address: '192.0.2.10', port: 5060, connectionId: undefined }],
  ['UDP, received is not an IP: the source', via({ host: 'pc33.example.com', received: 'bogus' }), udpSource, { transport: 'udp', address: '192.0.2.10', port: 5060, connectionId: undefined }],
  // RFC 3581 §4: rport filled in → received:rport.
  ['UDP, rport filled in (RFC 3581)', via({ host: '10.0.0.5', port: 5060, received: '192.0.2.10', rport: 40_000 }), udpSource, { transport: 'udp', address: '192.0.2.10', port: 40_000, connectionId: undefined }],
  ['UDP, rport present without a value: the source port', via({ host: '10.0.0.5', rport: true }), udpSource, { transport: 'udp', address: '192.0.2.10', port: 40_000, connectionId: undefined }],
  ['UDP, maddr is ignored', via({ host: '10.0.0.5', received: '192.0.2.10', maddr: '224.0.1.75' }), udpSource, { transport: 'udp', address: '192.0.2.10', port: 5060, connectionId: undefined }],
  ['UDP over IPv6, received in canonical form', via({ host: '[2001:db8::10]', received: '2001:DB8:0::10', port: 5062 }), v6Source, { transport: 'udp', address: '2001:db8::10', port: 5062, connectionId: undefined }],
  // Reliable: the same connection; the fallback is received (else source) at the sent-by port, rport ignored.
  ['TCP: same connection, fallback to sent-by port', via({ transport: 'TCP', port: 5070 }), tcpSource, { transport: 'tcp', address: '192.0.2.10', port: 5070, connectionId: 7 }],
  ['TCP, rport does not replace the sent-by port', via({ transport: 'TCP', host: '10.0.0.5', received: '192.0.2.10', rport: 51_000 }), tcpSource, { transport: 'tcp', address: '192.0.2.10', port: 5060, connectionId: 7 }],
  ['TCP, name in sent-by and received: received', via({ transport: 'TCP', host: 'pbx.example.com', received: '192.0.2.10', port: 5090 }), tcpSource, { transport: 'tcp', address: '192.0.2.10', port: 5090, connectionId: 7 }],
  ['TLS in Via: default sent-by port 5061', via({ transport: 'TLS' }), tcpSource, { transport: 'tcp', address: '192.0.2.10', port: 5061, connectionId: 7 }],
];

describe('responseDestination (RFC 3261 §18.2.2, RFC 3581)', () => {
  it.each(rows)('%s', (_label, v, source, expected) => {
    expect(responseDestination(v, source)).toEqual({ ...expected, localAddress: source.localAddress, localPort: source.localPort });
  });
});

describe('receivedFor / rportFor (RFC 3261 §18.2.1, RFC 3581 §4)', () => {
  it.each([
    ['sent-by equals the source: nothing to add', via({}), undefined, undefined],
    ['sent-by is a name', via({ host: 'pc33.example.com' }), '192.0.2.10', undefined],
    ['sent-by is another IP', via({ host: '10.0.0.5' }), '192.0.2.10', undefined],
    ['a received from the client is replaced', via({ host: '10.0.0.5', received: '8.8.8.8' }), '192.0.2.10', undefined],
    ['rport asked for: received even when sent-by is the source', via({ rport: true }), '192.0.2.10', 40_000],
    ['rport with a stale value is overwritten', via({ host: '10.0.0.5', rport: 1234 }), '192.0.2.10', 40_000],
  ] as const)('%s', (_label, v, received, rport) => {
    expect(receivedFor(v, udpSource)).toBe(received);
    expect(rportFor(v, udpSource)).toBe(rport);
  });

  it('compares IPv6 sent-by hosts in canonical form', () => {
    expect(receivedFor(via({ host: '[2001:DB8:0:0::10]' }), v6Source)).toBeUndefined();
    expect(receivedFor(via({ host: '[2001:db8::11]' }), v6Source)).toBe('2001:db8::10');
  });
});
