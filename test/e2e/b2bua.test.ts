import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSippPassed, liveSippPids, startSipp, type SippRun } from '../helpers/sipp.js';
import { SIPP_FLOWS, type SippFlow } from '../helpers/sipp-scenarios.js';
import { waitFor } from '../helpers/sip-peer.js';
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

async function call(flow: SippFlow, transport: Transport, calls: number, opts: { uasKeys?: Record<string, string>; uacKeys?: Record<string, string>; timeoutSeconds?: number; rate?: number } = {}) {
  const timeoutSeconds = opts.timeoutSeconds ?? 30;
  const uas: SippRun = await startSipp({ scenario: flow.uas, transport, calls, keys: opts.uasKeys, timeoutSeconds: timeoutSeconds + 5 });
  try {
    await sb.routeTo(`sip:service@127.0.0.1:${uas.localPort}${transport === 'tcp' ? ';transport=tcp' : ''}`);
    const enginePort = transport === 'udp' ? sb.engine.udpPort : sb.engine.tcpPort;
    const uac = await startSipp({ scenario: flow.uac, transport, calls, target: `127.0.0.1:${enginePort}`, keys: opts.uacKeys, timeoutSeconds, rate: opts.rate, maxConcurrent: 50 });
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
  it('carries 200 calls back to back with 0 failures', async () => {
    const { uac, uas } = await call(SIPP_FLOWS.basic, transport, 200, { rate: 50 });
    assertSippPassed(uac);
    assertSippPassed(uas);
    expect(uac.successfulCalls).toBe(200);
  });

  it('relays the caller CANCEL while ringing (200, 487 on both legs)', async () => {
    const { uac, uas } = await call(SIPP_FLOWS.cancel, transport, 3);
    assertSippPassed(uac);
    assertSippPassed(uas);
  });

  it('relays 486 Busy Here from the callee', async () => {
    const { uac, uas } = await call(SIPP_FLOWS.busy, transport, 3);
    assertSippPassed(uac);
    assertSippPassed(uas);
  });

  it('relays 503 Service Unavailable from the callee', async () => {
    const { uac, uas } = await call(SIPP_FLOWS.unavailable, transport, 3);
    assertSippPassed(uac);
    assertSippPassed(uas);
  });

  it('ends the caller leg when the callee hangs up', async () => {
    const { uac, uas } = await call(SIPP_FLOWS.calleeHangsUp, transport, 3);
    assertSippPassed(uac);
    assertSippPassed(uas);
  });

  it('passes a re-INVITE hold and unhold through', async () => {
    const { uac, uas } = await call(SIPP_FLOWS.hold, transport, 2);
    assertSippPassed(uac);
    assertSippPassed(uas);
  });

  it('passes 100rel: reliable 183 and PRACK', async () => {
    const { uac, uas } = await call(SIPP_FLOWS.prack, transport, 2);
    assertSippPassed(uac);
    assertSippPassed(uas);
  });

  it('ends both legs with BYE when the caller never ACKs the 200', async () => {
    const { uac, uas } = await call(SIPP_FLOWS.lostAck, transport, 1);
    assertSippPassed(uac);
    assertSippPassed(uas);
  });
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
