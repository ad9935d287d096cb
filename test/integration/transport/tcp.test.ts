import { Socket } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TransportContext } from '../../../src/engine/transport/context.js';
import {
  parseListenSpec,
  resolveTransportOptions,
  responseDestination,
  TransportLayer,
  type Listener,
  type TransportOptions,
} from '../../../src/engine/transport/index.js';
import { StreamTransport } from '../../../src/engine/transport/stream-transport.js';
import { tcpSocketFactory } from '../../../src/engine/transport/tcp.js';
import { isSwitchboardError } from '../../../src/util/errors.js';
import { silentLogger } from '../../../src/util/logger.js';
import { sleep, waitFor } from '../../helpers/sip-peer.js';
import { activeResources, Inbox, sipRequest, TcpTestPeer, TcpTestServer } from './peers.js';

/** Layers and peers a test opened, closed after it whatever happened. */
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function startLayer(options: Partial<TransportOptions> = {}, listen = ['tcp:127.0.0.1:0', 'tcp:[::1]:0']) {
  const inbox = new Inbox();
  const layer = await TransportLayer.start({ listen, handlers: inbox, options: { lingerMs: 300, ...options } });
  cleanup.push(() => layer.close());
  const v4 = layer.listeners.find((l) => l.family === 4)!;
  const v6 = layer.listeners.find((l) => l.family === 6);
  return { layer, inbox, v4, v6 };
}

async function peer(listener: Listener, opts: { allowHalfOpen?: boolean } = {}): Promise<TcpTestPeer> {
  const p = await TcpTestPeer.connect(listener.port, listener.address, opts);
  cleanup.push(() => p.destroy());
  return p;
}

async function server(host: string): Promise<TcpTestServer> {
  const s = await TcpTestServer.listen(host);
  cleanup.push(() => s.close());
  return s;
}

describe('TCP receive', () => {
  it.each([
    ['IPv4', 4],
    ['IPv6', 6],
  ] as const)('frames a message trickled one byte at a time over %s', async (_label, family) => {
    const { inbox, v4, v6 } = await startLayer();
    const listener = family === 4 ? v4 : v6!;
    const p = await peer(listener);
    const request = sipRequest({ body: 'v=0\r\n' });
    await p.trickle(request);
    expect(await waitFor(() => inbox.messages.length === 1, 3000)).toBe(true);
    const { data, source } = inbox.messages[0]!;
    expect(data).toEqual(request);
    expect(source).toMatchObject({ transport: 'tcp', address: listener.address, port: p.localPort, family, localPort: listener.port });
    expect(source.connectionId).toBeGreaterThan(0);
  });

  it('frames many messages written at once, in order', async () => {
    const { inbox, v4, layer } = await startLayer();
    const p = await peer(v4);
    const requests = Array.from({ length: 200 }, (_, i) => sipRequest({ callId: `many-${i}`, body: i % 2 ? 'body' : '' }));
    p.write(Buffer.concat(requests));
    expect(await waitFor(() => inbox.messages.length === 200, 3000)).toBe(true);
    expect(inbox.messages.map((m) => m.data)).toEqual(requests);
    expect(new Set(inbox.messages.map((m) => m.source)).size).toBe(1); // one source object per connection
    expect(layer.stats()).toMatchObject({ messagesIn: 200, connections: 1, connectionsAccepted: 1 });
  });

  it('answers a double-CRLF ping with a single CRLF pong', async () => {
    const { v4, layer } = await startLayer();
    const p = await peer(v4);
    p.write('\r\n\r\n');
    expect(await waitFor(() => p.text() === '\r\n', 2000)).toBe(true);
    await p.trickle(Buffer.from('\r\n\r\n'));
    expect(await waitFor(() => p.text() === '\r\n\r\n', 2000)).toBe(true);
    expect(layer.stats()).toMatchObject({ keepalivesIn: 2, keepalivesOut: 2 });
  });
});

describe('TCP send and connection reuse', () => {
  it('sends a response on the connection the request came in on', async () => {
    const { inbox, v4, layer } = await startLayer();
    const p = await peer(v4);
    p.write(sipRequest());
    expect(await waitFor(() => inbox.messages.length === 1, 2000)).toBe(true);
    const { source } = inbox.messages[0]!;
    const dest = responseDestination({ transport: 'TCP', host: '127.0.0.1', port: 5070 }, source);
    expect(layer.send(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'), dest)).toBe(source.connectionId);
    expect(await waitFor(() => p.text().startsWith('SIP/2.0 200 OK'), 2000)).toBe(true);
    expect(layer.stats()).toMatchObject({ connectionsOpened: 0, connections: 1 });
  });

  it('reuses an inbound connection for a request to the address and port it came from', async () => {
    const { inbox, v6, layer } = await startLayer();
    const p = await peer(v6!);
    p.write(sipRequest());
    expect(await waitFor(() => inbox.messages.length === 1, 2000)).toBe(true);
    const id = layer.send(Buffer.from('BYE sip:a@[::1] SIP/2.0\r\nContent-Length: 0\r\n\r\n'), { transport: 'tcp', address: '[0:0:0:0:0:0:0:1]', port: p.localPort });
    expect(id).toBe(inbox.messages[0]!.source.connectionId);
    expect(await waitFor(() => p.text().startsWith('BYE'), 2000)).toBe(true);
    expect(layer.stats().connectionsOpened).toBe(0);
  });

  it('opens one connection to a new destination, reuses it, and receives on it', async () => {
    const { inbox, layer } = await startLayer();
    const remote = await server('127.0.0.1');
    const dest = { transport: 'tcp', address: '127.0.0.1', port: remote.port } as const;
    const first = layer.send(sipRequest({ callId: 'out-1' }), dest);
    const second = layer.send(sipRequest({ callId: 'out-2' }), dest);
    expect(first).toBeGreaterThan(0);
    expect(second).toBe(first);
    expect(await waitFor(() => remote.peers[0]?.text().includes('out-2') === true, 2000)).toBe(true);
    expect(remote.peers).toHaveLength(1);
    remote.peers[0]!.write('SIP/2.0 200 OK\r\nCall-ID: out-1\r\nContent-Length: 0\r\n\r\n');
    expect(await waitFor(() => inbox.messages.length === 1, 2000)).toBe(true);
    expect(inbox.messages[0]!.source).toMatchObject({ connectionId: first, address: '127.0.0.1', port: remote.port });
    expect(layer.isOpen(first)).toBe(true);
    expect(layer.stats()).toMatchObject({ connectionsOpened: 1, connectionsAccepted: 0 });
  });

  it('falls back to a new connection to received:sent-by-port once the request connection is gone', async () => {
    const { inbox, v4, layer } = await startLayer();
    const phone = await server('127.0.0.1'); // the UA's listening port, named in its Via
    const p = await peer(v4);
    p.write(sipRequest({ via: `SIP/2.0/TCP 127.0.0.1:${phone.port};branch=z9hG4bK-fb` }));
    expect(await waitFor(() => inbox.messages.length === 1, 2000)).toBe(true);
    const { source } = inbox.messages[0]!;
    p.destroy();
    expect(await waitFor(() => !layer.isOpen(source.connectionId!), 2000)).toBe(true);
    expect(inbox.closed[0]).toMatchObject({ connectionId: source.connectionId, reason: 'peer' });
    const dest = responseDestination({ transport: 'TCP', host: '127.0.0.1', port: phone.port }, source);
    const id = layer.send(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'), dest);
    expect(id).not.toBe(source.connectionId);
    expect(await waitFor(() => phone.peers[0]?.text().startsWith('SIP/2.0 200 OK') === true, 2000)).toBe(true);
  });

  it('reports a refused connection to the sender, later, and counts the lost messages', async () => {
    const { layer } = await startLayer();
    const gone = await TcpTestServer.listen('127.0.0.1');
    const port = gone.port;
    await gone.close();
    const errors: Error[] = [];
    layer.send(sipRequest(), { transport: 'tcp', address: '127.0.0.1', port }, (err) => errors.push(err));
    layer.send(sipRequest(), { transport: 'tcp', address: '127.0.0.1', port });
    expect(errors).toEqual([]);
    expect(await waitFor(() => errors.length === 1, 2000)).toBe(true);
    expect(isSwitchboardError(errors[0], 'SB_TRANSPORT')).toBe(true);
    expect(errors[0]!.message).toContain('connect-failed');
    expect(layer.stats()).toMatchObject({ sendErrors: 2, connections: 0 });
  });

  it('gives up on a connection that does not complete within connectTimeoutMs', async () => {
    // A socket left connecting forever stands in for a peer whose SYNs vanish.
    const neverConnects = (): Socket => Object.assign(new Socket(), { connecting: true });
    const ctx = new TransportContext(resolveTransportOptions({ connectTimeoutMs: 200 }), new Inbox(), silentLogger);
    const t = await StreamTransport.listen(parseListenSpec('tcp:127.0.0.1:0'), { ...tcpSocketFactory, connect: neverConnects }, ctx);
    cleanup.push(() => t.close());
    const errors: Error[] = [];
    const started = performance.now();
    t.send(sipRequest(), { transport: 'tcp', address: '127.0.0.1', port: 9 }, (err) => errors.push(err));
    expect(await waitFor(() => errors.length === 1, 3000)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(errors[0]!.message).toContain('connect-timeout');
    expect(ctx.counters.connectTimeouts).toBe(1);
    expect(ctx.connections.size).toBe(0);
  });

  it('closes a connection whose peer stops reading once writeBufferLimit bytes pile up', async () => {
    const { layer, inbox } = await startLayer({ writeBufferLimit: 256 * 1024 });
    const remote = await server('127.0.0.1');
    const dest = { transport: 'tcp', address: '127.0.0.1', port: remote.port } as const;
    const id = layer.send(sipRequest(), dest);
    expect(await waitFor(() => remote.peers.length === 1, 2000)).toBe(true);
    remote.peers[0]!.socket.pause();
    const chunk = sipRequest({ body: 'x'.repeat(60_000) });
    for (let i = 0; i < 400 && layer.isOpen(id); i++) layer.send(chunk, dest);
    expect(layer.isOpen(id)).toBe(false);
    expect(await waitFor(() => inbox.closed.some((c) => c.connectionId === id && c.reason === 'write-overflow'), 2000)).toBe(true);
    expect(layer.stats().writeOverflows).toBe(1);
  });
});

describe('TCP faults', () => {
  it('closes on a bad Content-Length after the stack has had its say', async () => {
    const { inbox, v4, layer } = await startLayer();
    inbox.onFault = (source) => layer.send(Buffer.from('SIP/2.0 400 Bad Content-Length\r\nContent-Length: 0\r\n\r\n'), { transport: 'tcp', address: source.address, port: source.port, connectionId: source.connectionId });
    const p = await peer(v4);
    p.write(Buffer.from('OPTIONS sip:x SIP/2.0\r\nContent-Length: 13\r\nl: 5\r\n\r\nhello'));
    expect(await waitFor(() => p.closed, 2000)).toBe(true);
    expect(p.text()).toBe('SIP/2.0 400 Bad Content-Length\r\nContent-Length: 0\r\n\r\n');
    expect(inbox.framingErrors[0]!.detail).toContain('differ');
    expect(inbox.messages).toEqual([]);
    expect(await waitFor(() => inbox.closed.length === 1, 1000)).toBe(true);
    expect(inbox.closed[0]).toMatchObject({ reason: 'framing-error' });
    expect(layer.stats()).toMatchObject({ framingErrors: 1, connections: 0 });
  });

  it('reports an oversize message, then closes', async () => {
    const { inbox, v4, layer } = await startLayer({ maxMessageSize: 1000 });
    const p = await peer(v4);
    p.write(sipRequest({ callId: 'ok' }));
    p.write(sipRequest({ callId: 'huge', body: 'x'.repeat(5000) }));
    expect(await waitFor(() => p.closed, 2000)).toBe(true);
    expect(inbox.texts()).toHaveLength(1);
    expect(inbox.oversized).toHaveLength(1);
    expect(inbox.oversized[0]!.data.length).toBeLessThanOrEqual(1000);
    expect(inbox.oversized[0]!.data.toString()).toContain('Call-ID: huge');
    expect(await waitFor(() => inbox.closed[0]?.reason === 'oversize', 1000)).toBe(true);
    expect(layer.stats().oversize).toBe(1);
  });
});

describe('TCP read deadlines', () => {
  it('closes a connection idle for idleTimeoutMs and keeps one that pings', async () => {
    const { inbox, v4, layer } = await startLayer({ idleTimeoutMs: 300 });
    const idle = await peer(v4);
    const pinging = await peer(v4);
    const started = performance.now();
    for (let i = 0; i < 8; i++) {
      pinging.write('\r\n\r\n');
      await sleep(100);
    }
    expect(idle.closed).toBe(true);
    expect(pinging.closed).toBe(false);
    const closed = inbox.closed.find((c) => c.port === idle.localPort)!;
    expect(closed.reason).toBe('idle-timeout');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(layer.stats().idleTimeouts).toBe(1);
  });

  it('cuts off a message that does not complete within messageTimeoutMs of its first byte', async () => {
    const { inbox, v4, layer } = await startLayer({ messageTimeoutMs: 300, idleTimeoutMs: 10_000 });
    const p = await peer(v4);
    const started = performance.now();
    // One byte every 50 ms keeps the connection busy but the message never completes in time.
    await p.trickle(sipRequest({ body: 'x'.repeat(20) }), 50);
    const elapsed = performance.now() - started;
    expect(p.closed).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2000);
    expect(inbox.messages).toEqual([]);
    expect(await waitFor(() => inbox.closed[0]?.reason === 'message-timeout', 1000)).toBe(true);
    expect(layer.stats().messageTimeouts).toBe(1);
  });

  it('times each message from its own first byte, not the connection’s', async () => {
    const { inbox, v4 } = await startLayer({ messageTimeoutMs: 300, idleTimeoutMs: 10_000 });
    const p = await peer(v4);
    // Each write ends one message and starts the next, 150 ms apart: some message is always
    // pending for 900 ms, but none for longer than 150 ms.
    const m = Array.from({ length: 6 }, (_, i) => sipRequest({ callId: `slow-${i}` }));
    p.write(m[0]!.subarray(0, 40));
    for (let i = 0; i < 6; i++) {
      await sleep(150);
      p.write(Buffer.concat([m[i]!.subarray(40), m[i + 1]?.subarray(0, 40) ?? Buffer.alloc(0)]));
    }
    expect(await waitFor(() => inbox.messages.length === 6, 2000)).toBe(true);
    expect(inbox.messages.map((x) => x.data)).toEqual(m);
    expect(p.closed).toBe(false);
  });
});

describe('TCP connection limits', () => {
  it('refuses connections beyond the per-source limit, and only from that source', async () => {
    const { v4, v6, layer } = await startLayer({ maxConnectionsPerSource: 2 });
    const a = await peer(v4);
    const b = await peer(v4);
    const c = await peer(v4);
    const d = await peer(v6!);
    expect(await waitFor(() => c.closed, 2000)).toBe(true);
    await sleep(50);
    expect([a.closed, b.closed, d.closed]).toEqual([false, false, false]);
    expect(layer.connectionsFrom('127.0.0.1')).toBe(2);
    expect(layer.connectionsFrom('::1')).toBe(1);
    expect(layer.stats()).toMatchObject({ connectionsRefused: 1, connections: 3 });
    a.destroy();
    expect(await waitFor(() => layer.connectionsFrom('127.0.0.1') === 1, 2000)).toBe(true);
    const e = await peer(v4);
    await sleep(50);
    expect(e.closed).toBe(false);
  });

  it('refuses connections beyond the global limit', async () => {
    const { v4, v6, layer } = await startLayer({ maxConnections: 3 });
    const peers = [await peer(v4), await peer(v6!), await peer(v4)];
    const extra = await peer(v6!);
    expect(await waitFor(() => extra.closed, 2000)).toBe(true);
    expect(peers.map((p) => p.closed)).toEqual([false, false, false]);
    expect(layer.stats()).toMatchObject({ connectionsRefused: 1, connections: 3 });
  });
});

describe('shutdown', () => {
  let baseline: Map<string, number>;
  beforeAll(() => {
    baseline = activeResources();
  });

  it('closes listeners, connections and timers, leaving nothing to keep the process alive', async () => {
    const inbox = new Inbox();
    const layer = await TransportLayer.start({
      listen: ['udp:127.0.0.1:0', 'tcp:127.0.0.1:0', 'tcp:[::1]:0'],
      handlers: inbox,
      options: { lingerMs: 300, messageTimeoutMs: 60_000 },
    });
    const tcp = layer.listeners.find((l) => l.transport === 'tcp')!;
    const polite = await TcpTestPeer.connect(tcp.port, tcp.address);
    // Never closes its side: the layer has to destroy it after lingerMs.
    const stubborn = await TcpTestPeer.connect(tcp.port, tcp.address, { allowHalfOpen: true });
    stubborn.write(sipRequest().subarray(0, 30)); // arms a message deadline timer
    const remote = await TcpTestServer.listen('127.0.0.1');
    layer.send(sipRequest(), { transport: 'tcp', address: '127.0.0.1', port: remote.port });
    expect(await waitFor(() => layer.stats().connections === 3 && remote.peers.length === 1 && layer.stats().bytesIn >= 30, 2000)).toBe(true);

    const started = performance.now();
    await layer.close();
    const took = performance.now() - started;
    expect(took).toBeLessThan(1500);
    expect(layer.stats().connections).toBe(0);
    expect(inbox.closed.map((c) => c.reason).sort()).toEqual(['shutdown', 'shutdown', 'shutdown']);
    expect(await waitFor(() => polite.closed && remote.peers[0]!.closed, 1000)).toBe(true);
    stubborn.destroy();
    await remote.close();
    await sleep(20);
    const after = activeResources();
    for (const type of ['TCPServerWrap', 'TCPSocketWrap', 'UDPWrap', 'Timeout']) expect(after.get(type) ?? 0, type).toBeLessThanOrEqual(baseline.get(type) ?? 0);
    // Closing twice is harmless; sending afterwards is refused, not thrown.
    await layer.close();
    const errors: Error[] = [];
    layer.send(sipRequest(), { transport: 'udp', address: '127.0.0.1', port: 9 }, (err) => errors.push(err));
    await sleep(0);
    expect(errors[0]?.message).toContain('closed');
  });
});
