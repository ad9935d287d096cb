import Srf from 'drachtio-srf';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { MiniUas, SDP_B } from '../helpers/mini-uas.js';
import { assertSippPassed, startSipp } from '../helpers/sipp.js';
import { SIPP_FLOWS } from '../helpers/sipp-scenarios.js';
import { UdpPeer, waitFor } from '../helpers/sip-peer.js';
import { loopbackRequest, parseRequest } from '../helpers/sip-text.js';
import { createResponse } from '../../src/engine/message/index.js';

/**
 * drachtio-srf's public API, unmodified, against the embedded engine: what an
 * application written for drachtio-server does must work the same here.
 */
const SDP_A = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';

let engine: TestEngine;
let srf: Srf | undefined;

beforeAll(async () => {
  engine = await startTestEngine({ control: true });
});

afterAll(async () => {
  await engine?.stop();
});

async function connect(): Promise<{ hostport: string; version: string }> {
  const app = new Srf();
  srf = app;
  return new Promise((resolve, reject) => {
    app.once('connect', (err: Error | null, hostport: string, version: string) => (err ? reject(err) : resolve({ hostport, version })));
    void app.connect({ host: '127.0.0.1', port: engine.controlPort, secret: engine.secret });
  });
}

afterEach(async () => {
  srf?.disconnect();
  srf = undefined;
  await waitFor(() => engine.stats().applications === 0, 5000);
});

describe('drachtio-srf against the engine', () => {
  it('connects and authenticates: hostports and a drachtio version string', async () => {
    const { hostport, version } = await connect();
    expect(hostport).toBe(`udp/127.0.0.1:${engine.udpPort},tcp/127.0.0.1:${engine.tcpPort}`);
    expect(version).toMatch(/^v0\.9\.10-switchboard\.\d+\.\d+\.\d+$/);
  });

  it('refuses a wrong secret', async () => {
    const bad = new Srf();
    const result = await new Promise<Error | null>((resolve) => {
      bad.once('connect', (err: Error | null) => resolve(err));
      void bad.connect({ host: '127.0.0.1', port: engine.controlPort, secret: 'wrong' });
    });
    bad.disconnect();
    expect(result?.message).toMatch(/authenticate/);
  });

  it('createUAS answers a SIPp call and sees the caller hang up', async () => {
    await connect();
    const app = srf!;
    const destroyed = new Promise<string>((resolve) => {
      app.invite((req, res) => {
        // basic-uac expects a 180 before the 200.
        res.send(180);
        void app.createUAS(req, res, { localSdp: SDP_A }).then((uas) => uas.on('destroy', () => resolve('destroy')));
      });
    });
    await waitFor(() => engine.stats().applications === 1, 2000);
    const uac = await startSipp({ scenario: SIPP_FLOWS.basic.uac, transport: 'udp', calls: 1, target: `127.0.0.1:${engine.udpPort}` });
    assertSippPassed(await uac.done);
    expect(await destroyed).toBe('destroy');
  });

  it('createUAC retries with digest credentials after a 401, then modify() and request(INFO) in the dialog', async () => {
    await connect();
    const uas = await MiniUas.start({ auth: { realm: 'lab.example', username: 'sb', password: 's3cret' } });
    try {
      const uac = await srf!.createUAC(`sip:bob@127.0.0.1:${uas.port}`, { localSdp: SDP_A, auth: { username: 'sb', password: 's3cret' } });
      expect(uac.remote.sdp).toBe(SDP_B);
      expect(await waitFor(() => uas.methods().length >= 4, 2000)).toBe(true);
      expect(uas.methods().slice(0, 4)).toEqual(['INVITE', 'ACK', 'INVITE', 'ACK']);
      const second = uas.requests[2]!;
      expect(second.get('authorization')).toMatch(/^Digest username="sb"/);
      expect(second.callId).toBe(uas.requests[0]!.callId);
      expect(second.cseq.seq).toBe(uas.requests[0]!.cseq.seq + 1);

      const answer = await uac.modify(SDP_A.replace('s=-', 's=hold'));
      expect(answer).toBe(SDP_B);
      expect(await waitFor(() => uas.methods().filter((m) => m === 'ACK').length === 3, 2000)).toBe(true);
      const reInvite = uas.requests.filter((r) => r.method === 'INVITE')[2]!;
      expect(reInvite.toTag).toBe('uas1');
      expect(reInvite.uri).toBe(`sip:uas@127.0.0.1:${uas.port}`);

      const info = await uac.request({ method: 'INFO', headers: { 'Content-Type': 'application/dtmf-relay' }, body: 'Signal=5\r\nDuration=160' } as never);
      expect((info as unknown as { status: number }).status).toBe(200);
      const sentInfo = uas.requests.find((r) => r.method === 'INFO')!;
      expect(sentInfo.body.toString()).toBe('Signal=5\r\nDuration=160');
      expect(sentInfo.cseq.seq).toBeGreaterThan(reInvite.cseq.seq);

      await new Promise<void>((resolve) => uac.destroy(undefined, () => resolve()));
      expect(uas.methods()).toContain('BYE');
    } finally {
      await uas.close();
    }
  });

  it('createB2BUA bridges a SIPp caller to a SIPp callee', async () => {
    await connect();
    const app = srf!;
    const callee = await startSipp({ scenario: SIPP_FLOWS.basic.uas, transport: 'udp', calls: 1 });
    app.invite((req, res) => {
      void app.createB2BUA(req, res, `sip:service@127.0.0.1:${callee.localPort}`, {}).then(({ uas, uac }) => {
        uas.on('destroy', () => uac.destroy());
        uac.on('destroy', () => uas.destroy());
      });
    });
    await waitFor(() => engine.stats().applications === 1, 2000);
    const caller = await startSipp({ scenario: SIPP_FLOWS.basic.uac, transport: 'udp', calls: 1, target: `127.0.0.1:${engine.udpPort}` });
    assertSippPassed(await caller.done);
    assertSippPassed(await callee.done);
  });

  it('proxyRequest forks serially with Record-Route: a busy target, then one that answers; the dialog goes through the proxy', async () => {
    await connect();
    const app = srf!;
    const busy = await startSipp({ scenario: SIPP_FLOWS.busy.uas, transport: 'udp', calls: 1 });
    const callee = await startSipp({ scenario: SIPP_FLOWS.basic.uas, transport: 'udp', calls: 1 });
    type Result = { connected: boolean; finalStatus: number; responses: Array<{ msgs: Array<{ status: number }> }> };
    const result = new Promise<Result>((resolve, reject) => {
      app.invite((req) => {
        (app as unknown as { proxyRequest(r: unknown, d: string[], o: object): Promise<Result> })
          .proxyRequest(req, [`sip:a@127.0.0.1:${busy.localPort}`, `sip:b@127.0.0.1:${callee.localPort}`], { forking: 'sequential', recordRoute: true })
          .then(resolve, reject);
      });
    });
    await waitFor(() => engine.stats().applications === 1, 2000);
    const caller = await startSipp({ scenario: SIPP_FLOWS.basic.uac, transport: 'udp', calls: 1, target: `127.0.0.1:${engine.udpPort}` });
    assertSippPassed(await caller.done);
    assertSippPassed(await busy.done);
    assertSippPassed(await callee.done);
    const r = await result;
    expect(r.connected).toBe(true);
    expect(r.finalStatus).toBe(200);
    expect(r.responses.flatMap((g) => g.msgs.map((m) => m.status))).toEqual([486, 200]);
  });

  it('proxyRequest answers 408 upstream when the only target never answers within the provisional timeout', async () => {
    await connect();
    const app = srf!;
    const silent = await UdpPeer.bind(0);
    try {
      const result = new Promise<{ connected: boolean; finalStatus: number }>((resolve, reject) => {
        app.invite((req) => {
          (app as unknown as { proxyRequest(r: unknown, d: string[], o: object): Promise<{ connected: boolean; finalStatus: number }> })
            .proxyRequest(req, [`sip:x@127.0.0.1:${silent.port}`], { provisionalTimeout: '300ms' })
            .then(resolve, reject);
        });
      });
      await waitFor(() => engine.stats().applications === 1, 2000);
      const caller = await UdpPeer.bind(0);
      const callId = 'proxy-timeout-1';
      await caller.send(loopbackRequest('INVITE', { callId, to: engine.udpPort, from: caller.port }), engine.udpPort);
      expect(await waitFor(() => caller.responsesFor(callId).some((r) => r.status === 408), 5000)).toBe(true);
      expect(silent.received.length).toBeGreaterThan(0);
      expect((await result).finalStatus).toBe(408);
      await caller.close();
    } finally {
      await silent.close();
    }
  });

  it('routes REGISTER to the application, and SUBSCRIBE answered 202 makes a dialog the application NOTIFYs in', async () => {
    await connect();
    const app = srf!;
    let notified: Promise<number> | undefined;
    const verbs = app as unknown as Record<'register' | 'subscribe', (h: (req: Srf.SrfRequest, res: Srf.SrfResponse) => void) => void>;
    verbs.register((req, res) => res.send(200, { headers: { Contact: req.get('Contact'), Expires: '60' } }));
    verbs.subscribe((req, res) => {
      notified = app.createUAS(req, res, { headers: { Expires: '60' } } as never).then((dialog) =>
        (dialog.request({ method: 'NOTIFY', headers: { 'Subscription-State': 'active;expires=60', Event: 'presence' } } as never) as Promise<{ status: number }>).then((r) => r.status),
      );
    });
    await waitFor(() => engine.stats().applications === 1, 2000);
    const peer = await UdpPeer.bind(0);
    try {
      await peer.send(loopbackRequest('REGISTER', { callId: 'reg-1', to: engine.udpPort, from: peer.port, extra: ['Expires: 60'] }), engine.udpPort);
      expect(await waitFor(() => peer.responsesFor('reg-1').some((r) => r.status === 200), 3000)).toBe(true);
      expect(peer.responsesFor('reg-1').find((r) => r.status === 200)!.get('expires')).toBe('60');

      // The peer answers the NOTIFY it gets with 200 (a UA's job), echoing its headers.
      const answered = new Set<string>();
      const timer = setInterval(() => {
        for (const r of peer.received) {
          const text = r.bytes.toString();
          if (!text.startsWith('NOTIFY ') || answered.has(text)) continue;
          answered.add(text);
          const h = (n: string) => new RegExp(`^${n}:[ ]*([^\\r\\n]*)`, 'im').exec(text)?.[1] ?? '';
          void peer.send(`SIP/2.0 200 OK\r\nVia: ${h('Via')}\r\nFrom: ${h('From')}\r\nTo: ${h('To')}\r\nCall-ID: ${h('Call-ID')}\r\nCSeq: ${h('CSeq')}\r\nContent-Length: 0\r\n\r\n`, r.from.port);
        }
      }, 20);
      await peer.send(loopbackRequest('SUBSCRIBE', { callId: 'sub-1', to: engine.udpPort, from: peer.port, extra: ['Event: presence', 'Expires: 60'] }), engine.udpPort);
      expect(await waitFor(() => peer.responsesFor('sub-1').some((r) => r.status === 202 || r.status === 200), 3000)).toBe(true);
      expect(await waitFor(() => notified !== undefined, 3000)).toBe(true);
      expect(await notified).toBe(200);
      clearInterval(timer);
      const notify = [...answered][0]!;
      expect(notify).toMatch(/^NOTIFY sip:t@127\.0\.0\.1:\d+ SIP\/2\.0/);
      expect(notify).toMatch(/\r\nTo: <sip:t@127\.0\.0\.1>;tag=f1\r\n/);
      expect(notify).toContain('Call-ID: sub-1');
    } finally {
      await peer.close();
    }
  });

  it('repeats its ACK for a 2xx retransmitted after the call ended, and ends another fork’s late 2xx with ACK and BYE', async () => {
    await connect();
    const uas = await MiniUas.start();
    try {
      const uac = await srf!.createUAC(`sip:bob@127.0.0.1:${uas.port}`, { localSdp: SDP_A });
      await new Promise<void>((resolve) => uac.destroy(undefined, () => resolve()));
      const invite = uas.requests.find((r) => r.method === 'INVITE')!;
      const count = (method: string): number => uas.requests.filter((r) => r.method === method).length;
      expect(count('ACK')).toBe(1);
      const contact: [string, string] = ['Contact', `<sip:uas@127.0.0.1:${uas.port}>`];
      uas.send(createResponse(invite, 200, { toTag: 'uas1', headers: [contact] }).toString(), engine.udpPort);
      expect(await waitFor(() => count('ACK') === 2, 3000)).toBe(true);
      uas.send(createResponse(invite, 200, { toTag: 'fork2', headers: [contact] }).toString(), engine.udpPort);
      expect(await waitFor(() => count('ACK') === 3 && count('BYE') === 2, 3000)).toBe(true);
      expect(uas.requests.filter((r) => r.method === 'BYE')[1]!.toTag).toBe('fork2');
    } finally {
      await uas.close();
    }
  });

  it('answers 491 to the peer’s re-INVITE while the application’s own re-INVITE is pending (glare)', async () => {
    await connect();
    let glare: string | undefined;
    const uas = await MiniUas.start({
      beforeReInvite: async (reInvite, self, from) => {
        // Our own re-INVITE in the same dialog, crossing the application's.
        const viaPort = self.port;
        self.send(
          `INVITE ${reInvite.get('contact')!.replace(/^<|>$/g, '')} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${viaPort};branch=z9hG4bK-glare\r\nMax-Forwards: 70\r\n` +
            `From: ${reInvite.get('to')}\r\nTo: ${reInvite.get('from')}\r\nCall-ID: ${reInvite.callId}\r\nCSeq: 900 INVITE\r\n` +
            `Contact: <sip:uas@127.0.0.1:${viaPort}>\r\nContent-Length: 0\r\n\r\n`,
          from.port,
        );
        await waitFor(() => self.responses.some((r) => r.includes('CSeq: 900 INVITE') && !r.startsWith('SIP/2.0 100')), 3000);
        glare = self.responses.find((r) => r.includes('CSeq: 900 INVITE') && !r.startsWith('SIP/2.0 100'));
      },
    });
    try {
      const uac = await srf!.createUAC(`sip:bob@127.0.0.1:${uas.port}`, { localSdp: SDP_A });
      expect(await uac.modify(SDP_A.replace('s=-', 's=x'))).toBe(SDP_B);
      expect(glare?.startsWith('SIP/2.0 491')).toBe(true);
      await new Promise<void>((resolve) => uac.destroy(undefined, () => resolve()));
    } finally {
      await uas.close();
    }
  });

  it('refreshes the session itself when the application’s 200 makes it the refresher (RFC 4028), unseen by the application', async () => {
    await connect();
    const app = srf!;
    let modified = false;
    app.invite((req, res) => {
      void app.createUAS(req, res, { localSdp: SDP_B, headers: { 'Session-Expires': '90;refresher=uas' } }).then((uas) => {
        uas.on('modify', () => (modified = true));
      });
    });
    await waitFor(() => engine.stats().applications === 1, 2000);
    const peer = await UdpPeer.bind(0);
    try {
      const callId = 'st-uas-refresh';
      const invite = loopbackRequest('INVITE', {
        callId,
        to: engine.udpPort,
        from: peer.port,
        extra: ['Supported: timer', 'Session-Expires: 90', 'Content-Type: application/sdp'],
        body: SDP_A,
      });
      await peer.send(invite, engine.udpPort);
      expect(await waitFor(() => peer.responsesFor(callId).some((r) => r.status === 200), 3000)).toBe(true);
      const ok = peer.responsesFor(callId).find((r) => r.status === 200)!;
      expect(ok.get('session-expires')).toBe('90;refresher=uas');
      const toTag = /;tag=([^;>\s]+)/.exec(ok.get('to') ?? '')![1];
      const contact = (ok.get('contact') ?? '').replace(/^<|>.*$/g, '');
      await peer.send(
        `ACK ${contact} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-ack-st\r\nMax-Forwards: 70\r\nFrom: <sip:t@127.0.0.1>;tag=f1\r\n` +
          `To: <sip:svc@127.0.0.1>;tag=${toTag}\r\nCall-ID: ${callId}\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n`,
        engine.udpPort,
      );
      // The engine's refresh comes at 45 ± 5 s.
      const reInvite = () => peer.received.map((r) => r.bytes.toString()).find((t) => t.startsWith('INVITE '));
      const started = Date.now();
      expect(await waitFor(() => reInvite() !== undefined, 55_000)).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(39_000);
      const text = reInvite()!;
      expect(text).toMatch(/\r\nSession-Expires: 90;refresher=uac\r\n/);
      expect(text).toContain(SDP_B);
      const parsed = parseRequest(text);
      const answer = createResponse(parsed, 200, { headers: [['Contact', `<sip:t@127.0.0.1:${peer.port}>`], ['Content-Type', 'application/sdp'], ['Session-Expires', '90;refresher=uac']] });
      answer.body = Buffer.from(SDP_A);
      await peer.send(answer.toBuffer(), engine.udpPort);
      expect(await waitFor(() => peer.received.some((r) => r.bytes.toString().startsWith('ACK ')), 3000)).toBe(true);
      expect(modified).toBe(false);
    } finally {
      await peer.close();
    }
  }, 70_000);

  it('a request to the engine’s own address is refused instead of looping', async () => {
    await connect();
    await expect(srf!.createUAC(`sip:loop@127.0.0.1:${engine.udpPort}`, { localSdp: SDP_A })).rejects.toThrow(/myself/);
  });
});
