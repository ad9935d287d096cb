import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { B2buaApp } from '../../src/app/b2bua.js';
import { ingressOptions } from '../../src/app/inbound.js';
import { CdrWriter, type CallRecord } from '../../src/cdr/index.js';
import { parseConfig } from '../../src/config/index.js';
import type { SipResponse } from '../../src/engine/message/index.js';
import { ScriptedUas } from '../helpers/scripted-uas.js';
import { UdpPeer, sleep, waitFor, type PeerResponse } from '../helpers/sip-peer.js';
import { assertSippPassed, liveSippPids, startSipp } from '../helpers/sipp.js';
import { SIPP_SCENARIOS } from '../helpers/sipp-scenarios.js';
import { startSwitchboard, type TestSwitchboard } from '../helpers/switchboard.js';

/**
 * Issue 5, inbound policy and registrar, end to end: who gets in (trunks by address,
 * users by digest), who is refused or dropped, trunk rate limits, registrations with
 * auth and expiry, and the CDR lines of refused and answered calls. Sources are
 * different loopback addresses (127.0.0.x), so one test's source is never another's.
 */
const CONFIG = `
security:
  auth: { algorithms: [SHA-256, MD5], max_failures: 3, failure_window: 60s, block_for: 60s }
registrar: { min_expires: 1s, default_expires: 60s, max_expires: 1h }
trunks:
  lab:
    inbound: { sources: [127.0.0.1/32] }
  limited:
    inbound: { sources: [127.0.0.4/32], max_cps: 1 }
users:
  alice: { password: alice-secret-1 }
routes:
  - name: alice
    match: { to: "2000" }
    then: { ring: { targets: [alice], timeout: 5s } }
  - name: closed
    match: { to: "1000" }
    then: { reject: { status: 486, reason: Closed } }
`;
const REALM = 'switchboard';

let sb: TestSwitchboard;
let app: B2buaApp;
let dir: string;
let cdr: CdrWriter;

beforeAll(async () => {
  sb = await startSwitchboard({ ingress: ingressOptions(parseConfig(CONFIG, 'test.yaml')) });
  dir = mkdtempSync(join(tmpdir(), 'sb-admission-'));
  cdr = new CdrWriter({ path: join(dir, 'cdr.jsonl') });
  app = await sb.configure(CONFIG, { cdr, blockSource: (a, ms) => sb.engine.engine.blockSource(a, ms) });
});

afterAll(async () => {
  await cdr?.close();
  await sb?.stop();
  rmSync(dir, { recursive: true, force: true });
  expect(liveSippPids()).toEqual([]);
});

async function cdrLines(): Promise<CallRecord[]> {
  // The writer is asynchronous: a fresh one per read would race; wait for the queue to drain.
  await waitFor(() => cdr.stats.buffered === 0, 5000);
  await sleep(100);
  if (cdr.stats.written === 0) return [];
  return readFileSync(join(dir, 'cdr.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as CallRecord);
}

function request(method: string, o: { callId: string; from: string; fromPort: number; to: string; extra?: string[]; cseq?: number }): string {
  return [
    `${method} sip:${o.to}@127.0.0.1:${sb.engine.udpPort} SIP/2.0`,
    `Via: SIP/2.0/UDP ${o.from}:${o.fromPort};branch=z9hG4bK-${randomUUID()}`,
    'Max-Forwards: 70',
    `From: <sip:${method === 'REGISTER' ? o.to : 'caller'}@127.0.0.1>;tag=f${o.fromPort}`,
    `To: <sip:${o.to}@127.0.0.1>`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq ?? 1} ${method}`,
    `Contact: <sip:caller@${o.from}:${o.fromPort}>`,
    ...(o.extra ?? []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** The final response to a request from `peer`, or undefined when none came within `ms`. */
async function finalFor(peer: UdpPeer, callId: string, ms = 3000): Promise<PeerResponse | undefined> {
  await waitFor(() => peer.responsesFor(callId).some((r) => r.status >= 200), ms);
  return peer.responsesFor(callId).find((r) => r.status >= 200);
}

describe('inbound policy', () => {
  it('refuses a call from an unknown source with 403 and keeps no call state', async () => {
    const peer = await UdpPeer.bind(0, '127.0.0.2');
    try {
      const callId = `unknown-${randomUUID()}`;
      await peer.send(request('INVITE', { callId, from: '127.0.0.2', fromPort: peer.port, to: '1000' }), sb.engine.udpPort);
      const final = await finalFor(peer, callId);
      expect(final?.status).toBe(403);
      expect(sb.engine.stats()).toMatchObject({ dialogs: 0, pendingCalls: 0 });
      expect((await cdrLines()).some((l) => l.callId === callId)).toBe(false); // no CDR for strangers
    } finally {
      await peer.close();
    }
  });

  it('drops a known scanner without a word', async () => {
    const peer = await UdpPeer.bind(0, '127.0.0.1');
    try {
      const callId = `scan-${randomUUID()}`;
      const before = sb.engine.stats().filtered;
      await peer.send(request('OPTIONS', { callId, from: '127.0.0.1', fromPort: peer.port, to: '1000', extra: ['User-Agent: friendly-scanner'] }), sb.engine.udpPort);
      await sleep(500);
      expect(peer.received).toHaveLength(0);
      expect(sb.engine.stats().filtered).toBe(before + 1);
    } finally {
      await peer.close();
    }
  });

  it('answers calls over a trunk calls-per-second limit with 503 and Retry-After, with a CDR line each', async () => {
    const peer = await UdpPeer.bind(0, '127.0.0.4');
    try {
      const ids = [1, 2, 3].map((i) => `cps-${i}-${randomUUID()}`);
      for (const callId of ids) await peer.send(request('INVITE', { callId, from: '127.0.0.4', fromPort: peer.port, to: '1000' }), sb.engine.udpPort);
      const finals = await Promise.all(ids.map((id) => finalFor(peer, id)));
      expect(finals.map((f) => f?.status)).toEqual([486, 503, 503]);
      for (const f of finals.slice(1)) expect(Number(f?.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const lines = await cdrLines();
      expect(ids.map((id) => lines.find((l) => l.callId === id)).map((l) => [l?.trunk, l?.status, l?.rule])).toEqual([
        ['limited', 486, 'closed'],
        ['limited', 503, null],
        ['limited', 503, null],
      ]);
    } finally {
      await peer.close();
    }
  });
});

describe('registrar', () => {
  it('throttles a source after repeated failures: its requests are then dropped in the engine', async () => {
    const peer = await UdpPeer.bind(0, '127.0.0.3');
    try {
      const bad = `Authorization: Digest username="alice", realm="${REALM}", nonce="bogus", uri="sip:127.0.0.1", response="${'0'.repeat(64)}", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="x"`;
      const statuses: Array<number | undefined> = [];
      for (let i = 0; i < 4; i++) {
        const callId = `throttle-${i}-${randomUUID()}`;
        await peer.send(request('REGISTER', { callId, from: '127.0.0.3', fromPort: peer.port, to: 'alice', extra: [bad, 'Expires: 60'] }), sb.engine.udpPort);
        statuses.push((await finalFor(peer, callId, i < 3 ? 3000 : 800))?.status);
      }
      // Two refusals, the third failure blocks the source, the fourth request gets nothing.
      expect(statuses).toEqual([403, 403, 403, undefined]);
    } finally {
      await peer.close();
    }
  });

  it('rings a registered phone (SHA-256 digest) at its contact, through the address it registered from, until the registration expires', async () => {
    const phone = await ScriptedUas.start({ kind: 'answer', afterMs: 50 });
    try {
      // The Contact names an address Switchboard must not use (not loopback): calls go to the REGISTER's source.
      const contact = 'sip:alice@192.0.2.55:5060';
      await registerWithDigest(phone, contact, 2);
      expect(app.registrations.isRegistered('alice')).toBe(true);
      const uac = await startSipp({ scenario: SIPP_SCENARIOS['basic-uac'], transport: 'udp', calls: 1, target: `127.0.0.1:${sb.engine.udpPort}`, service: '2000', timeoutSeconds: 20 });
      assertSippPassed(await uac.done);
      expect(phone.invites().map((r) => r.uri)).toEqual([contact]);
      // Registered for 2 s: then alice is unreachable (480).
      expect(await waitFor(() => !app.registrations.isRegistered('alice'), 6000)).toBe(true);
      const peer = await UdpPeer.bind(0, '127.0.0.1');
      try {
        const callId = `expired-${randomUUID()}`;
        await peer.send(request('INVITE', { callId, from: '127.0.0.1', fromPort: peer.port, to: '2000' }), sb.engine.udpPort);
        expect((await finalFor(peer, callId))?.status).toBe(480);
        const line = (await cdrLines()).find((l) => l.callId === callId);
        expect(line).toMatchObject({ trunk: 'lab', rule: 'alice', status: 480, targets: [] });
      } finally {
        await peer.close();
      }
    } finally {
      await phone.close();
    }
  }, 60_000);
});

describe('registrar with SIPp phones (MD5 only: SIPp 3.6 computes no SHA-256 digest)', () => {
  beforeAll(async () => {
    app = await sb.configure(CONFIG.replace('[SHA-256, MD5]', '[MD5]'), { cdr, blockSource: (a, ms) => sb.engine.engine.blockSource(a, ms) });
  });

  it('registers a SIPp phone with digest auth (401, then 200), and removes it with Expires: 0', async () => {
    // The removal names the same contact, so it comes from the same port.
    const sipp = (expires: string, localPort?: number) =>
      startSipp({ ...(localPort === undefined ? {} : { localPort }), scenario: SIPP_SCENARIOS['register-uac'], transport: 'udp', calls: 1, target: `127.0.0.1:${sb.engine.udpPort}`, keys: { user: 'alice', expires }, extraArgs: ['-au', 'alice', '-ap', 'alice-secret-1'], timeoutSeconds: 20, localIp: '127.0.0.6' });
    const first = await sipp('60');
    assertSippPassed(await first.done);
    expect(app.registrations.isRegistered('alice')).toBe(true);
    assertSippPassed(await (await sipp('0', first.localPort)).done);
    expect(app.registrations.isRegistered('alice')).toBe(false);
  }, 60_000);

  it('challenges a REGISTER with the wrong password, then refuses it with 403', async () => {
    const run = await startSipp({ scenario: SIPP_SCENARIOS['register-refused-uac'], transport: 'udp', calls: 1, target: `127.0.0.1:${sb.engine.udpPort}`, keys: { user: 'alice', expires: '60' }, extraArgs: ['-au', 'alice', '-ap', 'not-the-password'], timeoutSeconds: 20, localIp: '127.0.0.7' });
    assertSippPassed(await run.done);
    expect(app.registrations.isRegistered('alice')).toBe(false);
  }, 60_000);

});

/** REGISTER from the phone's own socket, answering the 401 with a SHA-256 digest (RFC 7616, qop=auth). */
async function registerWithDigest(phone: ScriptedUas, contact: string, expires: number): Promise<void> {
  const callId = `reg-${randomUUID()}`;
  const send = (cseq: number, extra: string[]): void =>
    phone.sendRequest(request('REGISTER', { callId, from: '127.0.0.1', fromPort: phone.port, to: 'alice', cseq, extra: [...extra, `Expires: ${expires}`] }).replace(/Contact: <[^>]*>/, `Contact: <${contact}>`), sb.engine.udpPort);
  send(1, []);
  await waitFor(() => phone.responses.some((r) => r.callId === callId), 3000);
  const challenge = phone.responses.find((r) => r.callId === callId && r.status === 401) as SipResponse;
  const sha = challenge.getAll('www-authenticate').find((v) => v.includes('SHA-256'))!;
  const nonce = /nonce="([^"]+)"/.exec(sha)![1]!;
  const h = (s: string): string => createHash('sha256').update(s).digest('hex');
  const uri = `sip:127.0.0.1:${sb.engine.udpPort}`;
  const ha1 = h(`alice:${REALM}:alice-secret-1`);
  const response = h(`${ha1}:${nonce}:00000001:c0ffee:auth:${h(`REGISTER:${uri}`)}`);
  send(2, [`Authorization: Digest username="alice", realm="${REALM}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="c0ffee"`]);
  await waitFor(() => phone.responses.some((r) => r.callId === callId && r.status === 200), 3000);
  const ok = phone.responses.find((r) => r.callId === callId && r.status === 200);
  expect(ok?.get('contact')).toContain(contact);
}
