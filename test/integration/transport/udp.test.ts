import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportContext } from '../../../src/engine/transport/context.js';
import { parseListenSpec, resolveTransportOptions } from '../../../src/engine/transport/index.js';
import { UdpTransport } from '../../../src/engine/transport/udp-transport.js';
import { silentLogger } from '../../../src/util/logger.js';
import { responseDestination, TransportLayer, type Listener } from '../../../src/engine/transport/index.js';
import { isSwitchboardError } from '../../../src/util/errors.js';
import { sleep, waitFor } from '../../helpers/sip-peer.js';
import { Inbox, sipRequest, UdpTestPeer } from './peers.js';

const MAX = 2048;
let layer: TransportLayer;
const inbox = new Inbox();
const peers: Record<'v4' | 'v6', UdpTestPeer> = {} as never;
const udp: Record<'v4' | 'v6', Listener> = {} as never;

beforeAll(async () => {
  layer = await TransportLayer.start({
    listen: ['udp:127.0.0.1:0', 'udp:[::1]:0'],
    handlers: inbox,
    options: { maxMessageSize: MAX },
  });
  udp.v4 = layer.listeners.find((l) => l.family === 4)!;
  udp.v6 = layer.listeners.find((l) => l.family === 6)!;
  peers.v4 = await UdpTestPeer.bind('127.0.0.1');
  peers.v6 = await UdpTestPeer.bind('::1');
});

afterAll(async () => {
  await layer?.close();
  await peers.v4?.close();
  await peers.v6?.close();
});

describe.each([
  ['IPv4', 'v4', '127.0.0.1', 4],
  ['IPv6', 'v6', '::1', 6],
] as const)('UDP over %s', (_label, key, address, family) => {
  it('delivers a datagram as one message with its source', async () => {
    const callId = `recv-${key}`;
    const before = inbox.messages.length;
    const request = sipRequest({ callId, via: `SIP/2.0/UDP ${family === 6 ? '[::1]' : '127.0.0.1'}:${peers[key].port};rport;branch=z9hG4bK-${key}` });
    await peers[key].send(request, udp[key].port, address);
    expect(await waitFor(() => inbox.messages.length > before, 2000)).toBe(true);
    const got = inbox.messages.at(-1)!;
    expect(got.data).toEqual(request);
    expect(got.source).toEqual({
      transport: 'udp',
      address,
      port: peers[key].port,
      family,
      localAddress: address,
      localPort: udp[key].port,
      connectionId: undefined,
    });
  });

  it('sends a response where RFC 3581 says, from the socket the request arrived on', async () => {
    const request = inbox.messages.find((m) => m.data.toString().includes(`recv-${key}`))!;
    const dest = responseDestination({ transport: 'UDP', host: address, rport: request.source.port, received: address }, request.source);
    const response = Buffer.from(`SIP/2.0 200 OK\r\nCall-ID: recv-${key}\r\nContent-Length: 0\r\n\r\n`);
    expect(layer.send(response, dest)).toBe(0);
    expect(await waitFor(() => peers[key].received.some((r) => r.data.equals(response)), 2000)).toBe(true);
    const r = peers[key].received.find((x) => x.data.equals(response))!;
    expect(r.address).toBe(address);
    expect(r.port).toBe(udp[key].port);
  });

  it('hands a datagram larger than the maximum to onOversize, not onMessage', async () => {
    const messages = inbox.messages.length;
    const big = sipRequest({ callId: `big-${key}`, body: 'x'.repeat(MAX) });
    await peers[key].send(big, udp[key].port, address);
    expect(await waitFor(() => inbox.oversized.some((o) => o.data.equals(big)), 2000)).toBe(true);
    expect(inbox.oversized.find((o) => o.data.equals(big))!.source.port).toBe(peers[key].port);
    expect(inbox.messages.length).toBe(messages);
  });

  it('answers a STUN binding request with the mapped address', async () => {
    const req = Buffer.alloc(20);
    req.writeUInt16BE(0x0001, 0);
    req.writeUInt32BE(0x2112a442, 4);
    req.fill(7, 8);
    await peers[key].send(req, udp[key].port, address);
    expect(await waitFor(() => peers[key].received.some((r) => r.data.readUInt16BE(0) === 0x0101), 2000)).toBe(true);
    const res = peers[key].received.find((r) => r.data.readUInt16BE(0) === 0x0101)!.data;
    expect(res.subarray(8, 20)).toEqual(req.subarray(8, 20));
    expect(res.readUInt16BE(26) ^ 0x2112).toBe(peers[key].port);
  });
});

describe('UDP keep-alives and junk', () => {
  it('ignores CRLF keep-alives and strips CRLFs before a message', async () => {
    const before = layer.stats();
    const messages = inbox.messages.length;
    await peers.v4.send('\r\n\r\n', udp.v4.port, '127.0.0.1');
    await peers.v4.send('', udp.v4.port, '127.0.0.1');
    const request = sipRequest({ callId: 'after-crlf' });
    await peers.v4.send(Buffer.concat([Buffer.from('\r\n'), request]), udp.v4.port, '127.0.0.1');
    expect(await waitFor(() => inbox.messages.length > messages, 2000)).toBe(true);
    expect(inbox.messages.at(-1)!.data).toEqual(request);
    expect(inbox.messages.length).toBe(messages + 1);
    expect(layer.stats().keepalivesIn - before.keepalivesIn).toBe(2);
  });

  it('drops STUN it does not answer without replying', async () => {
    const before = layer.stats().dropped;
    const received = peers.v4.received.length;
    const indication = Buffer.alloc(20);
    indication.writeUInt16BE(0x0011, 0);
    indication.writeUInt32BE(0x2112a442, 4);
    await peers.v4.send(indication, udp.v4.port, '127.0.0.1');
    expect(await waitFor(() => layer.stats().dropped > before, 2000)).toBe(true);
    await sleep(50);
    expect(peers.v4.received.length).toBe(received);
  });

  it('keeps delivering after the stack throws', async () => {
    const original = inbox.onMessage;
    inbox.onMessage = () => {
      throw new Error('bug in the stack');
    };
    const errors = layer.stats().handlerErrors;
    await peers.v4.send(sipRequest({ callId: 'boom' }), udp.v4.port, '127.0.0.1');
    expect(await waitFor(() => layer.stats().handlerErrors > errors, 2000)).toBe(true);
    inbox.onMessage = original;
    const messages = inbox.messages.length;
    await peers.v4.send(sipRequest({ callId: 'after-boom' }), udp.v4.port, '127.0.0.1');
    expect(await waitFor(() => inbox.messages.length > messages, 2000)).toBe(true);
  });
});

describe('UDP sends that are refused', () => {
  it.each([
    ['a host name', 'localhost', 5060, 'not a unicast IP address'],
    ['a multicast address', '224.0.1.75', 5060, 'not a unicast IP address'],
    ['the broadcast address', '255.255.255.255', 5060, 'not a unicast IP address'],
    ['port 0', '127.0.0.1', 0, 'refusing to send to port 0'],
  ])('refuses %s, reporting it later', async (_label, address, port, reason) => {
    const errors: Error[] = [];
    const before = layer.stats();
    expect(layer.send(Buffer.from('x'), { transport: 'udp', address, port }, (err) => errors.push(err))).toBe(0);
    expect(errors).toEqual([]); // never inside send()
    await sleep(0);
    expect(errors).toHaveLength(1);
    expect(isSwitchboardError(errors[0], 'SB_TRANSPORT')).toBe(true);
    expect(errors[0]!.message).toContain(reason);
    expect(layer.stats().sendErrors - before.sendErrors).toBe(1);
    expect(layer.stats().messagesOut).toBe(before.messagesOut);
  });

  it('refuses a transport it does not listen on', async () => {
    const errors: Error[] = [];
    layer.send(Buffer.from('x'), { transport: 'tcp', address: '127.0.0.1', port: 5060 }, (err) => errors.push(err));
    await sleep(0);
    expect(errors[0]?.message).toContain('no tcp listener for IPv4');
  });
});

describe('UDP socket buffers', () => {
  it('asks for 4 MiB and gets what net.core.rmem_max / wmem_max allow', async () => {
    const ctx = new TransportContext(resolveTransportOptions(), new Inbox(), silentLogger);
    const t = await UdpTransport.listen(parseListenSpec('udp:127.0.0.1:0'), ctx);
    try {
      const cap = (file: string): number => Number(readFileSync(`/proc/sys/net/core/${file}`, 'utf8'));
      // Linux grants min(request, cap) and reports twice that.
      expect(t.receiveBufferSize).toBe(2 * Math.min(4 * 1024 * 1024, cap('rmem_max')));
      expect(t.sendBufferSize).toBe(2 * Math.min(4 * 1024 * 1024, cap('wmem_max')));
    } finally {
      await t.close();
    }
  });
});
