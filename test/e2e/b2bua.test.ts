import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSippPassed, liveSippPids, startSipp, type SippRun } from '../helpers/sipp.js';
import { SIPP_FLOWS, type SippFlow } from '../helpers/sipp-scenarios.js';
import { UdpPeer, waitFor } from '../helpers/sip-peer.js';
import { loopbackRequest } from '../helpers/sip-text.js';
import { startSwitchboard, type TestSwitchboard } from '../helpers/switchboard.js';

/**
 * SIPp UAC → Switchboard (embedded engine + drachtio-srf B2BUA) → SIPp UAS, over UDP and
 * TCP, for the call flows of issue 3. The engine runs with T1 = 50 ms, so Timer H/L
 * (64·T1) is 3.2 s and the lost-ACK flow ends quickly.
 */
let sb: TestSwitchboard;

beforeAll(async () => {
  sb = await startSwitchboard();
});

afterAll(async () => {
  await sb?.stop();
  expect(liveSippPids()).toEqual([]);
});

type Transport = 'udp' | 'tcp';

async function call(flow: SippFlow, transport: Transport, calls: number, opts: { uasKeys?: Record<string, string>; uacKeys?: Record<string, string>; timeoutSeconds?: number; rate?: number; maxConcurrent?: number } = {}) {
  const timeoutSeconds = opts.timeoutSeconds ?? 30;
  const uas: SippRun = await startSipp({ scenario: flow.uas, transport, calls, keys: opts.uasKeys, timeoutSeconds: timeoutSeconds + 5 });
  try {
    await sb.routeTo(`sip:service@127.0.0.1:${uas.localPort}${transport === 'tcp' ? ';transport=tcp' : ''}`);
    const enginePort = transport === 'udp' ? sb.engine.udpPort : sb.engine.tcpPort;
    const uac = await startSipp({ scenario: flow.uac, transport, calls, target: `127.0.0.1:${enginePort}`, keys: opts.uacKeys, timeoutSeconds, rate: opts.rate, maxConcurrent: opts.maxConcurrent ?? 50 });
    const uacResult = await uac.done;
    const grace = setTimeout(() => void uas.stop(), 10_000);
    const uasResult = await uas.done;
    clearTimeout(grace);
    return { uac: uacResult, uas: uasResult };
  } catch (err) {
    await uas.stop();
    throw err;
  }
}

describe.each<Transport>(['udp', 'tcp'])('B2BUA over %s', (transport) => {
  it('carries 2,000 calls back to back with 0 failures', async () => {
    // Earlier tests on this Switchboard may leave transactions in Timer D (32 s over UDP).
    const liveBefore = sb.engine.stats().transactions;
    const { uac, uas } = await call(SIPP_FLOWS.basic, transport, 2000, { rate: 250, maxConcurrent: 1000 });
    assertSippPassed(uac);
    assertSippPassed(uas);
    expect(uac.successfulCalls).toBe(2000);
    // Finished calls leave only their lingering transactions (Timer J/K/L/M), moved to the
    // linger table: no transaction object and no request waits in the core's tables for them.
    expect(await waitFor(() => sb.engine.stats().transactions <= liveBefore, 5000)).toBe(true);
    const s = sb.engine.stats();
    expect(s.lingeringTransactions).toBeGreaterThan(0);
    expect(s.inbound).toBe(0);
  }, 90_000);

  const flows: Array<[string, SippFlow, number]> = [
    ['relays the caller CANCEL while ringing (200, 487 on both legs)', SIPP_FLOWS.cancel, 3],
    ['relays 486 Busy Here from the callee', SIPP_FLOWS.busy, 3],
    ['relays 503 Service Unavailable from the callee', SIPP_FLOWS.unavailable, 3],
    ['ends the caller leg when the callee hangs up', SIPP_FLOWS.calleeHangsUp, 3],
    ['passes a re-INVITE hold and unhold through', SIPP_FLOWS.hold, 2],
    ['passes 100rel: reliable 183 and PRACK', SIPP_FLOWS.prack, 2],
    ['ends both legs with BYE when the caller never ACKs the 200', SIPP_FLOWS.lostAck, 1],
    ['passes session refreshes by UPDATE and re-INVITE through', SIPP_FLOWS.sessionRefresh, 2],
  ];
  it.each(flows)('%s', async (_name, flow, calls) => {
    const { uac, uas } = await call(flow, transport, calls);
    assertSippPassed(uac);
    assertSippPassed(uas);
  });
});

describe('B2BUA policy', () => {
  it('answers 483 to an INVITE whose Max-Forwards is 0', async () => {
    await sb.routeTo('sip:service@127.0.0.1:5999');
    const peer = await UdpPeer.bind(0);
    try {
      await peer.send(loopbackRequest('INVITE', { callId: 'mf-zero', to: sb.engine.udpPort, from: peer.port, maxForwards: 0 }), sb.engine.udpPort);
      expect(await waitFor(() => peer.responsesFor('mf-zero').some((r) => r.status === 483), 3000)).toBe(true);
    } finally {
      await peer.close();
    }
  });
});

describe('overload at the application', () => {
  it('answers 503 with Retry-After to new INVITEs once they have kept waiting too long for the application for a second, and takes the next one again', async () => {
    let lagMs = 0;
    await sb.configure(`trunks:\n  lab: { inbound: { sources: [127.0.0.0/8] } }\nroutes:\n  - name: none\n    match: { to: { pattern: ".*" } }\n    then: { reject: 404 }\n`, {
      wallClock: () => Date.now() + lagMs,
    });
    const peer = await UdpPeer.bind(0);
    const final = async (callId: string): Promise<{ status: number; retryAfter: string | undefined }> => {
      await peer.send(loopbackRequest('INVITE', { callId, to: sb.engine.udpPort, from: peer.port }), sb.engine.udpPort);
      expect(await waitFor(() => peer.responsesFor(callId).some((r) => r.status >= 200), 3000)).toBe(true);
      const res = peer.responsesFor(callId).find((r) => r.status >= 200)!;
      return { status: res.status, retryAfter: res.get('retry-after') };
    };
    try {
      expect((await final('backlog-1')).status).toBe(404);
      // As if INVITEs kept queuing for a second in front of a busy application: the first
      // late ones start the episode, those still late a second on are refused.
      lagMs = 1000;
      const outcomes: Array<{ status: number; retryAfter: string | undefined }> = [];
      for (let i = 0; i < 16; i++) {
        outcomes.push(await final(`backlog-2-${i}`));
        await new Promise((r) => setTimeout(r, 80));
      }
      expect(outcomes[0]!.status).toBe(404);
      expect(outcomes.at(-1)).toEqual({ status: 503, retryAfter: '1' });
      expect(sb.app!.shedCalls).toBe(outcomes.filter((o) => o.status === 503).length);
      lagMs = 0;
      expect((await final('backlog-3')).status).toBe(404);
    } finally {
      await peer.close();
    }
  });
});

describe('session timers (RFC 4028)', () => {
  it('tears down a call whose caller stops refreshing, at expiry (90 s), on both legs', async () => {
    const started = Date.now();
    const { uac, uas } = await call(SIPP_FLOWS.sessionTimer, 'udp', 1, { timeoutSeconds: 120 });
    assertSippPassed(uac);
    assertSippPassed(uas);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90_000);
  }, 150_000);
});

describe('after the calls', () => {
  it('leaves no transaction, dialog or pending request behind once the timers have run', async () => {
    const drained = await waitFor(() => {
      const s = sb.engine.stats();
      return s.transactions === 0 && s.dialogs === 0 && s.inbound === 0 && s.outbound === 0;
    }, 60_000);
    expect(sb.engine.stats().transactionsByState).toEqual({});
    expect(sb.engine.stats()).toMatchObject({ transactions: 0, dialogs: 0, inbound: 0, outbound: 0 });
    expect(drained).toBe(true);
  }, 70_000);
});
