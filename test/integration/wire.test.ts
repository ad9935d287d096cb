import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { MiniUas } from '../helpers/mini-uas.js';
import { TcpPeer, UdpPeer, waitFor } from '../helpers/sip-peer.js';
import { loopbackRequest } from '../helpers/sip-text.js';

/**
 * The drachtio control port spoken byte for byte, as docs/drachtio-wire-protocol.md
 * specifies it: refusals of bad input, and the frames drachtio-srf depends on.
 */
class RawApp {
  private buf = Buffer.alloc(0);
  readonly frames: string[] = [];
  closed = false;
  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (;;) {
        const hash = this.buf.indexOf(0x23);
        if (hash < 0) break;
        const len = Number(this.buf.subarray(0, hash).toString());
        if (this.buf.length < hash + 1 + len) break;
        this.frames.push(this.buf.subarray(hash + 1, hash + 1 + len).toString('utf8'));
        this.buf = this.buf.subarray(hash + 1 + len);
      }
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => (this.closed = true));
  }

  static open(port: number): Promise<RawApp> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1' }, () => resolve(new RawApp(s)));
      s.once('error', reject);
    });
  }

  send(payload: string): void {
    this.socket.write(`${Buffer.byteLength(payload)}#${payload}`);
  }

  /** The `response` frame answering `msgId`. */
  async reply(msgId: string): Promise<string> {
    const find = () => this.frames.find((f) => f.split('|')[2] === msgId && f.split('|')[1] === 'response');
    await waitFor(() => find() !== undefined || this.closed, 3000);
    return find() ?? '';
  }

  close(): void {
    this.socket.destroy();
  }
}

let engine: TestEngine;

beforeAll(async () => {
  engine = await startTestEngine({ control: true, appAnswerTimeoutMs: 1500, maxPendingCalls: 1 });
});
afterAll(async () => {
  await engine?.stop();
});

async function authenticated(): Promise<RawApp> {
  const app = await RawApp.open(engine.controlPort);
  app.send(`a1|authenticate|${engine.secret}|`);
  expect(await app.reply('a1')).toMatch(/^[^|]+\|response\|a1\|OK\|/);
  return app;
}

describe('control port refusals', () => {
  it('refuses a frame before authenticate and closes', async () => {
    const app = await RawApp.open(engine.controlPort);
    app.send('x1|route|invite');
    expect((await app.reply('x1')).split('|').slice(3).join('|')).toBe('NO|not authenticated');
    expect(await waitFor(() => app.closed, 2000)).toBe(true);
  });

  it('refuses a wrong secret and closes', async () => {
    const app = await RawApp.open(engine.controlPort);
    app.send('x2|authenticate|nope|');
    expect((await app.reply('x2')).endsWith('NO|incorrect secret')).toBe(true);
    expect(await waitFor(() => app.closed, 2000)).toBe(true);
  });

  it('closes on a bad length prefix or a frame above the limit, without disturbing others', async () => {
    const good = await authenticated();
    const bad = await RawApp.open(engine.controlPort);
    bad.socket.write('12x#hello');
    const big = await RawApp.open(engine.controlPort);
    big.socket.write('999999#');
    expect(await waitFor(() => bad.closed && big.closed, 3000)).toBe(true);
    good.send('p1|ping');
    expect((await good.reply('p1')).endsWith('OK|pong')).toBe(true);
    good.close();
  });

  it('answers unknown types and malformed sip frames with a refusal and keeps the connection', async () => {
    const app = await authenticated();
    app.send('u1|frobnicate|x');
    expect((await app.reply('u1')).endsWith('NO|Unknown message type')).toBe(true);
    app.send('u2|sip|');
    expect((await app.reply('u2')).endsWith('NOK|invalid sip message')).toBe(true);
    app.send('u3|sip|no-such-txn|\r\nSIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect((await app.reply('u3')).endsWith('NOK|Response not sent due to unknown transaction')).toBe(true);
    app.send('u4|sip||no-such-dialog\r\nINFO sip:placeholder SIP/2.0\r\nContent-Length: 0\r\n\r\n');
    expect((await app.reply('u4')).endsWith('NOK|Server error: unable to find dialog for dialog id provided')).toBe(true);
    app.send('u5|sip|some-txn|\r\nCANCEL sip:x@127.0.0.1 SIP/2.0\r\nContent-Length: 0\r\n\r\n');
    expect((await app.reply('u5')).endsWith('NOK|unable to cancel unknown transaction id: some-txn')).toBe(true);
    app.send('u6|sip||\r\nMESSAGE sip:x@127.0.0.1:5999 SIP/2.0\r\nContent-Length: 5\r\n\r\nhello');
    expect((await app.reply('u6')).endsWith('NOK|missing content-type')).toBe(true);
    app.send('u7|sip||\r\nOPTIONS sip:x@example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n');
    expect(await app.reply('u7')).toMatch(/NOK\|host is not an IP address/);
    app.send('p2|ping');
    expect((await app.reply('p2')).endsWith('OK|pong')).toBe(true);
    expect(app.closed).toBe(false);
    app.close();
  });
});

/** Waits for the network frame carrying `callId` and returns its transaction id (token 8). */
async function networkTxnId(app: { readonly frames: readonly string[] }, callId: string): Promise<string> {
  expect(await waitFor(() => app.frames.some((f) => f.includes(callId)), 3000)).toBe(true);
  return app.frames.find((f) => f.includes(callId))!.split('\r\n')[0]!.split('|')[8]!;
}

describe('sip frames', () => {
  it('a new request gets the Msg sent echo with the headers the engine added', async () => {
    const uas = await MiniUas.start();
    const app = await authenticated();
    try {
      app.send(
        `r1|sip||\r\nINFO sip:bob@127.0.0.1:${uas.port} SIP/2.0\r\nfrom: <sip:alice@localhost>\r\nVia: SIP/2.0/UDP 6.6.6.6\r\nx-custom: 1\r\ncontent-type: text/plain\r\nContent-Length: 2\r\n\r\nhi`,
      );
      const echo = await app.reply('r1');
      const [leader, ...rest] = echo.split('\r\n');
      const t = leader!.split('|');
      expect(t.slice(3, 5)).toEqual(['OK', 'application']);
      expect(t[11]).toBe('Msg sent:');
      const text = rest.join('\r\n');
      expect(Number(t[5])).toBe(Buffer.byteLength(text));
      expect(text).toMatch(new RegExp(`^INFO sip:bob@127\\.0\\.0\\.1:${uas.port} SIP/2\\.0`));
      expect(text).toMatch(/\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:\d+;rport;branch=z9hG4bK/);
      expect(text).not.toContain('6.6.6.6');
      expect(text).toMatch(/\r\nFrom: <sip:alice@127\.0\.0\.1:\d+>;tag=\w+/);
      expect(text).toContain('\r\nMax-Forwards: 70\r\n');
      expect(text).toMatch(/\r\nCSeq: \d+ INFO\r\n/);
      expect(text).toContain('\r\nx-custom: 1\r\n');
      // The 200 from the far end arrives as a sip frame with the request's transaction id.
      const txnId = t[10]!;
      expect(await waitFor(() => app.frames.some((f) => f.includes('|sip|network|') && f.split('|')[8] === txnId && f.includes('SIP/2.0 200 OK')), 3000)).toBe(true);
    } finally {
      app.close();
      await uas.close();
    }
  });

  it('a new request from the network reaches the app with source, transaction id and local address; the answer is echoed', async () => {
    const app = await authenticated();
    app.send('r2|route|options');
    await app.reply('r2');
    const peer = await UdpPeer.bind(0);
    try {
      const callId = 'wire-options-1';
      await peer.send(loopbackRequest('OPTIONS', { callId, to: engine.udpPort, from: peer.port }), engine.udpPort);
      expect(await waitFor(() => app.frames.some((f) => f.includes(callId)), 3000)).toBe(true);
      const frame = app.frames.find((f) => f.includes(callId))!;
      const t = frame.split('\r\n')[0]!.split('|');
      expect(t.slice(1, 7)).toEqual(['sip', 'network', String(Buffer.byteLength(frame.slice(frame.indexOf('\r\n') + 2))), 'udp', '127.0.0.1', String(peer.port)]);
      expect(t[9]).toBe('');
      expect(t.slice(10)).toEqual(['127.0.0.1', String(engine.udpPort), '']);
      const txnId = t[8]!;
      app.send(`r3|sip|${txnId}|\r\nSIP/2.0 200 OK\r\nCall-ID: ${callId}\r\nto: <sip:x@127.0.0.1>\r\nAllow: INVITE, BYE\r\nContent-Length: 0\r\n\r\n`);
      const echo = await app.reply('r3');
      expect(echo.split('\r\n')[0]).toMatch(new RegExp(`\\|OK\\|application\\|\\d+\\|udp\\|127\\.0\\.0\\.1\\|${peer.port}\\|[\\d:.]+\\|${txnId.replace(/\./g, '\\.')}\\|\\|\\|Msg sent:\\|$`));
      expect(await waitFor(() => peer.responsesFor(callId).length > 0, 3000)).toBe(true);
      const res = peer.responsesFor(callId)[0]!;
      expect(res.status).toBe(200);
      expect(res.get('allow')).toBe('INVITE, BYE');
      expect(res.get('to')).toMatch(/;tag=/);
      app.send(`r4|sip|${txnId}|\r\nSIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n`);
      expect((await app.reply('r4')).endsWith('NOK|final response already sent')).toBe(true);
    } finally {
      app.close();
      await peer.close();
    }
  });

  it('a late answer to an INVITE the caller cancelled hears "unknown transaction"; a second answer hears "final response already sent"', async () => {
    const app = await authenticated();
    app.send('c1|route|invite');
    await app.reply('c1');
    const peer = await UdpPeer.bind(0);
    try {
      const callId = 'wire-cancelled-1';
      await peer.send(loopbackRequest('INVITE', { callId, to: engine.udpPort, from: peer.port }), engine.udpPort);
      const txnId = await networkTxnId(app, callId);
      await peer.send(loopbackRequest('CANCEL', { callId, to: engine.udpPort, from: peer.port }), engine.udpPort);
      expect(await waitFor(() => peer.responsesFor(callId).some((r) => r.status === 487), 3000)).toBe(true);
      app.send(`c2|sip|${txnId}|\r\nSIP/2.0 486 Busy Here\r\nContent-Length: 0\r\n\r\n`);
      expect((await app.reply('c2')).endsWith('NOK|Response not sent due to unknown transaction')).toBe(true);

      // Answered over TCP, where the transaction ends with the answer: still refused by name.
      const tcpCallId = 'wire-options-tcp';
      app.send('c3|route|options');
      await app.reply('c3');
      const tcp = await TcpPeer.connect(engine.tcpPort);
      try {
        await tcp.send(Buffer.from(loopbackRequest('OPTIONS', { callId: tcpCallId, to: engine.tcpPort, from: 5999 }).replace('SIP/2.0/UDP', 'SIP/2.0/TCP')));
        const optId = await networkTxnId(app, tcpCallId);
        app.send(`c4|sip|${optId}|\r\nSIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n`);
        expect((await app.reply('c4')).split('|')[3]).toBe('OK');
        app.send(`c5|sip|${optId}|\r\nSIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n`);
        expect((await app.reply('c5')).endsWith('NOK|final response already sent')).toBe(true);
        expect(engine.stats().inbound).toBe(0);
      } finally {
        tcp.close();
      }
    } finally {
      app.close();
      await peer.close();
    }
  });

  it('answers 500 for an application that never answers a request it was given', async () => {
    const app = await authenticated();
    app.send('m1|route|message');
    await app.reply('m1');
    const peer = await UdpPeer.bind(0);
    try {
      const callId = 'wire-unanswered-1';
      await peer.send(loopbackRequest('MESSAGE', { callId, to: engine.udpPort, from: peer.port, extra: ['Content-Type: text/plain'], body: 'hi' }), engine.udpPort);
      expect(await waitFor(() => app.frames.some((f) => f.includes(callId)), 3000)).toBe(true);
      const waiting = engine.stats().inbound;
      expect(await waitFor(() => peer.responsesFor(callId).some((r) => r.status === 500), 5000)).toBe(true);
      expect(engine.stats().inbound).toBeLessThan(waiting);
      const txnId = app.frames.find((f) => f.includes(callId))!.split('|')[8]!;
      app.send(`m2|sip|${txnId}|\r\nSIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n`);
      expect((await app.reply('m2')).endsWith('NOK|Response not sent due to unknown transaction')).toBe(true);
    } finally {
      app.close();
      await peer.close();
    }
  });

  it('sheds new calls with 503 and Retry-After when too many wait for the application', async () => {
    const app = await authenticated();
    app.send('o1|route|invite');
    await app.reply('o1');
    const peer = await UdpPeer.bind(0);
    try {
      const invite = (callId: string) => loopbackRequest('INVITE', { callId, to: engine.udpPort, from: peer.port });
      await peer.send(invite('ovl-1'), engine.udpPort);
      expect(await waitFor(() => app.frames.some((f) => f.includes('ovl-1')), 3000)).toBe(true);
      expect(engine.stats().pendingCalls).toBe(1);
      await peer.send(invite('ovl-2'), engine.udpPort);
      expect(await waitFor(() => peer.responsesFor('ovl-2').some((r) => r.status === 503), 3000)).toBe(true);
      expect(peer.responsesFor('ovl-2').find((r) => r.status === 503)!.get('retry-after')).toBe('1');
      expect(app.frames.some((f) => f.includes('ovl-2'))).toBe(false);
      expect(engine.stats().shedCalls).toBe(1);
      // The application answers the first call: the door opens again.
      const txnId = app.frames.find((f) => f.includes('ovl-1'))!.split('|')[8]!;
      app.send(`o2|sip|${txnId}|\r\nSIP/2.0 486 Busy Here\r\nContent-Length: 0\r\n\r\n`);
      await app.reply('o2');
      expect(engine.stats().pendingCalls).toBe(0);
      await peer.send(invite('ovl-3'), engine.udpPort);
      expect(await waitFor(() => app.frames.some((f) => f.includes('ovl-3')), 3000)).toBe(true);
    } finally {
      app.close();
      await peer.close();
    }
  });

  it('sends CDR frames to an application that routed them', async () => {
    const app = await authenticated();
    app.send('c1|route|cdr:attempt');
    app.send('c2|route|cdr:stop');
    await app.reply('c2');
    const peer = await UdpPeer.bind(0);
    try {
      const callId = 'wire-cdr-1';
      await peer.send(loopbackRequest('INVITE', { callId, to: engine.udpPort, from: peer.port }), engine.udpPort);
      // No app routed invite: 503, with cdr:attempt (network) and cdr:stop (application, call-rejected).
      expect(await waitFor(() => app.frames.filter((f) => f.includes(callId)).length >= 2, 3000)).toBe(true);
      const leaders = app.frames.filter((f) => f.includes(callId)).map((f) => f.split('\r\n')[0]!.split('|').slice(1));
      expect(leaders[0]!.slice(0, 2)).toEqual(['cdr:attempt', 'network']);
      expect(leaders[1]!.slice(0, 2)).toEqual(['cdr:stop', 'application']);
      expect(leaders[1]![3]).toBe('call-rejected');
      expect(peer.responsesFor(callId).map((r) => r.status)).toContain(503);
    } finally {
      app.close();
      await peer.close();
    }
  });
});
