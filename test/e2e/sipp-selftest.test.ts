/**
 * Self-test of the SIPp end-to-end kit: every caller scenario runs against
 * its callee scenario, SIPp straight to SIPp on loopback with no Switchboard
 * in between, over UDP and TCP. Where Switchboard's engine is the one that
 * ends the call (lost ACK, session expiry), a SIPp stand-in plays it
 * (SIPP_FLOWS.*.selfTestUas). Then the harness itself: failure reports,
 * bounds, stopping by PID, port collisions and refused arguments.
 */
import { createSocket } from 'node:dgram';
import { existsSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import {
  assertSippPassed,
  liveSippPids,
  receivedCount,
  runSipp,
  runSippPair,
  SIPP_LOAD_BUFFER_SIZE,
  sentCount,
  sippReport,
  startSipp,
  type SippResult,
  type SippTransport,
} from '../helpers/sipp.js';
import { describeSippExit, parseSippCounts, parseSippDuration } from '../helpers/sipp-results.js';
import { freeLoopbackPort } from '../helpers/sipp-ports.js';
import { SIPP_FLOWS, SIPP_SCENARIOS, type SippFlow } from '../helpers/sipp-scenarios.js';

const CALLS = 3;
const RATE = 10;
const TIMEOUT_SECONDS = 15;
const FLOW_TEST_MS = 20_000;

interface Steps {
  received?: Record<string, number>;
  sent?: Record<string, number>;
}

/** Asserts the run passed and moved exactly these messages, with the SIPp report as the failure message. */
function expectRun(r: SippResult, steps: Steps): void {
  expect(r.passed, sippReport(r)).toBe(true);
  expect(r.unexpectedMessages, sippReport(r)).toBe(0);
  const actual: Steps = {};
  if (steps.received) actual.received = Object.fromEntries(Object.keys(steps.received).map((k) => [k, receivedCount(r, k)]));
  if (steps.sent) actual.sent = Object.fromEntries(Object.keys(steps.sent).map((k) => [k, sentCount(r, k)]));
  expect(actual, sippReport(r)).toEqual(steps);
}

afterAll(() => {
  expect(liveSippPids()).toEqual([]);
});

describe.each(['udp', 'tcp'] as const)('SIPp scenarios, SIPp to SIPp over %s', (transport: SippTransport) => {
  const pair = (flow: SippFlow) =>
    runSippPair({
      uac: flow.uac,
      uas: flow.selfTestUas ?? flow.uas,
      transport,
      calls: CALLS,
      rate: RATE,
      timeoutSeconds: TIMEOUT_SECONDS,
    });
  const n = CALLS;

  test('basic call, the caller hangs up', { timeout: FLOW_TEST_MS }, async () => {
    const { uac, uas } = await pair(SIPP_FLOWS.basic);
    expectRun(uac, { sent: { INVITE: n, ACK: n, BYE: n }, received: { '180': n, '200': 2 * n } });
    expectRun(uas, { received: { INVITE: n, ACK: n, BYE: n }, sent: { '180': n, '200': 2 * n } });
  });

  test('the callee hangs up', { timeout: FLOW_TEST_MS }, async () => {
    const { uac, uas } = await pair(SIPP_FLOWS.calleeHangsUp);
    expectRun(uac, { sent: { ACK: n, BYE: 0, '200': n }, received: { BYE: n } });
    expectRun(uas, { sent: { BYE: n }, received: { ACK: n, '200': n } });
  });

  test('the caller cancels while ringing: 200 for the CANCEL, 487 for the INVITE', { timeout: FLOW_TEST_MS }, async () => {
    const { uac, uas } = await pair(SIPP_FLOWS.cancel);
    expectRun(uac, { sent: { CANCEL: n, ACK: n }, received: { '180': n, '200': n, '487': n } });
    expectRun(uas, { received: { CANCEL: n, ACK: n }, sent: { '200': n, '487': n } });
  });

  test('the callee answers 486 Busy Here and the caller ACKs', { timeout: FLOW_TEST_MS }, async () => {
    const { uac, uas } = await pair(SIPP_FLOWS.busy);
    expectRun(uac, { received: { '486': n }, sent: { ACK: n } });
    expectRun(uas, { sent: { '486': n }, received: { ACK: n } });
  });

  test('the callee answers 503 with Retry-After and the caller sees it', { timeout: FLOW_TEST_MS }, async () => {
    const { uac, uas } = await pair(SIPP_FLOWS.unavailable);
    expectRun(uac, { received: { '503': n }, sent: { ACK: n } });
    expectRun(uas, { sent: { '503': n }, received: { ACK: n } });
    expect(uac.logLines).toEqual(Array(n).fill(`retry-after=${SIPP_SCENARIOS['unavailable-uas'].keys.retry_after}`));
  });

  test('hold and unhold with re-INVITE (sendonly/recvonly, then sendrecv)', { timeout: FLOW_TEST_MS }, async () => {
    const { uac, uas } = await pair(SIPP_FLOWS.hold);
    expectRun(uac, { sent: { INVITE: 3 * n, ACK: 3 * n, BYE: n }, received: { '200': 4 * n } });
    expectRun(uas, { received: { INVITE: 3 * n, ACK: 3 * n, BYE: n }, sent: { '200': 4 * n } });
  });

  test('100rel: reliable 183, PRACK with RAck, then 200', { timeout: FLOW_TEST_MS }, async () => {
    const { uac, uas } = await pair(SIPP_FLOWS.prack);
    expectRun(uac, { received: { '183': n, '200': 3 * n }, sent: { PRACK: n, ACK: n, BYE: n } });
    expectRun(uas, { sent: { '183': n, '200': 3 * n }, received: { PRACK: n, ACK: n, BYE: n } });
  });

  test('lost ACK: the caller absorbs 2xx retransmissions and answers the BYE', { timeout: FLOW_TEST_MS }, async () => {
    const { uac, uas } = await pair(SIPP_FLOWS.lostAck);
    expectRun(uac, { sent: { ACK: 0, '200': n }, received: { BYE: n } });
    expectRun(uas, { sent: { '200': 2 * n, BYE: n }, received: { ACK: 0, '200': n } });
    // Each 200 arrived twice: on UDP SIPp drops the copy as a retransmission, on TCP the optional step takes it.
    const copies = uac.messages.filter((m) => m.kind === 'recv' && m.label === '200');
    expect(copies.reduce((sum, m) => sum + m.count + m.retransmissions, 0), sippReport(uac)).toBe(2 * n);
  });

  test('session timer the caller never refreshes: refresher=uac kept, BYE from the other side', { timeout: FLOW_TEST_MS }, async () => {
    const { uac, uas } = await pair(SIPP_FLOWS.sessionTimer);
    expectRun(uac, { sent: { ACK: n, '200': n }, received: { BYE: n } });
    expectRun(uas, { sent: { BYE: n }, received: { ACK: n } });
    const asked = SIPP_SCENARIOS['session-timer-uac'].keys.session_expires;
    expect(uac.logLines).toEqual(Array(n).fill(`session-expires=${asked};refresher=uac`));
  });

  test('session refreshes by UPDATE and re-INVITE are answered by the callee', { timeout: FLOW_TEST_MS }, async () => {
    const { uac, uas } = await pair(SIPP_FLOWS.sessionRefresh);
    expectRun(uac, { sent: { INVITE: 2 * n, UPDATE: n, ACK: 2 * n, BYE: n }, received: { '200': 4 * n } });
    expectRun(uas, { received: { INVITE: 2 * n, UPDATE: n, ACK: 2 * n, BYE: n } });
  });

  test('200 basic calls back to back at 50 calls/s with no failure', { timeout: 30_000 }, async () => {
    const calls = 200;
    const { uac, uas } = await runSippPair({
      ...SIPP_FLOWS.basic,
      transport,
      calls,
      rate: 50,
      maxConcurrent: calls,
      bufferSize: SIPP_LOAD_BUFFER_SIZE,
      timeoutSeconds: 20,
    });
    expectRun(uac, { sent: { INVITE: calls, BYE: calls }, received: { '200': 2 * calls } });
    expectRun(uas, { received: { INVITE: calls, BYE: calls } });
    expect(uac.stats?.outgoingCalls).toBe(calls);
    expect(uas.stats?.incomingCalls).toBe(calls);
  });
});

describe('SIPp harness', () => {
  test('a failing run reports the failure cause and the tail of the error log, and keeps its files', { timeout: FLOW_TEST_MS }, async () => {
    // busy-uac expects 486; basic-uas rings and answers instead.
    const { uac, uas } = await runSippPair({
      uac: SIPP_FLOWS.busy.uac,
      uas: SIPP_FLOWS.basic.uas,
      transport: 'udp',
      calls: 1,
      timeoutSeconds: 10,
      uasGraceMs: 2_000,
    });
    try {
      expect(uac.passed).toBe(false);
      expect(uac.exitCode).toBe(1);
      expect(uac.exitMeaning).toBe('at least one call failed');
      expect(uac.failedCalls).toBe(1);
      expect(uac.stats?.failures).toEqual({ UnexpectedMessage: 1 });
      expect(uac.unexpectedMessages).toBeGreaterThan(0);
      expect(uac.errorTail).toMatch(/unexpected message/i);
      expect(uac.files.kept).toBe(true);
      expect(existsSync(uac.files.dir)).toBe(true);
      const report = sippReport(uac);
      expect(report).toContain('FAILED');
      expect(report).toContain('UnexpectedMessage: 1');
      expect(report).toContain(uac.files.dir);
      expect(() => assertSippPassed(uac)).toThrow(/unexpected message/i);
    } finally {
      for (const r of [uac, uas]) rmSync(r.files.dir, { recursive: true, force: true });
    }
  });

  test('SIPp\'s global timeout ends a run that gets no answer as a failure (exit 255)', { timeout: FLOW_TEST_MS }, async () => {
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
    try {
      const run = await startSipp({
        scenario: SIPP_FLOWS.basic.uac,
        target: `127.0.0.1:${silent.address().port}`,
        transport: 'udp',
        calls: 1,
        timeoutSeconds: 2,
      });
      const r = await run.done;
      rmSync(r.files.dir, { recursive: true, force: true });
      expect(r.exitCode, sippReport(r)).toBe(255);
      expect(r.endedBy).toBe('sipp');
      expect(r.passed).toBe(false);
      expect(r.errorTail).toMatch(/timed out/);
      expect(r.messages.find((m) => m.label === 'INVITE')?.retransmissions).toBeGreaterThan(0);
    } finally {
      silent.close();
    }
  });

  test('stop() ends SIPp by PID with SIGTERM, and its final statistics are still read', { timeout: FLOW_TEST_MS }, async () => {
    const run = await startSipp({ scenario: SIPP_FLOWS.basic.uas, transport: 'tcp', calls: 1, timeoutSeconds: 10 });
    expect(run.isRunning()).toBe(true);
    const r = await run.stop();
    rmSync(r.files.dir, { recursive: true, force: true });
    expect(r.endedBy).toBe('stop');
    expect(r.passed).toBe(false);
    expect(r.stats?.callsCreated).toBe(0);
    expect(run.isRunning()).toBe(false);
    expect(() => process.kill(r.pid, 0)).toThrow();
  });

  test('a taken port makes SIPp exit 254; startSipp allocates another', { timeout: FLOW_TEST_MS }, async () => {
    const squatter = createSocket('udp4');
    const port = await freeLoopbackPort();
    await new Promise<void>((resolve) => squatter.bind(port, '127.0.0.1', () => resolve()));
    try {
      const taken = await runSipp({ scenario: SIPP_FLOWS.basic.uas, transport: 'udp', calls: 1, localPort: port, timeoutSeconds: 5 }).done;
      rmSync(taken.files.dir, { recursive: true, force: true });
      expect(taken.exitCode, sippReport(taken)).toBe(254);
      expect(taken.exitMeaning).toMatch(/could not be bound/);
      const run = await startSipp({ scenario: SIPP_FLOWS.basic.uas, transport: 'udp', calls: 1, timeoutSeconds: 5 });
      expect(run.localPort).not.toBe(port);
      expect(run.isRunning()).toBe(true);
      rmSync((await run.stop()).files.dir, { recursive: true, force: true });
    } finally {
      squatter.close();
    }
  });

  test('options that would unbound a run or leave loopback are refused before SIPp starts', () => {
    const base = { scenario: SIPP_FLOWS.basic.uac, target: '127.0.0.1:5060', transport: 'udp' as const, calls: 1, localPort: 40000 };
    expect(() => runSipp({ ...base, target: '192.0.2.1:5060' })).toThrow(/loopback/);
    expect(() => runSipp({ ...base, target: 'localhost:5060' })).toThrow(/no host names/);
    expect(() => runSipp({ ...base, localIp: '0.0.0.0' })).toThrow(/localIp/);
    expect(() => runSipp({ ...base, calls: 0 })).toThrow(/calls/);
    expect(() => runSipp({ ...base, timeoutSeconds: 1.5 })).toThrow(/timeoutSeconds/);
    expect(() => runSipp({ ...base, extraArgs: ['-bg'] })).toThrow(/-bg is set by the harness/);
    expect(() => runSipp({ ...base, extraArgs: ['-rsa', '192.0.2.1:5060'] })).toThrow(/-rsa/);
    expect(() => runSipp({ ...base, keys: { hold: '10' } })).toThrow(/no key "hold"/);
    expect(() => runSipp({ ...base, target: undefined })).toThrow(/needs a target/);
    expect(() => runSipp({ ...base, scenario: '/nonexistent/x.xml', role: 'uac' })).toThrow(/not found/);
    expect(liveSippPids()).toEqual([]);
  });

  test('readers: durations, empty counts, exit codes', () => {
    expect(parseSippDuration('00:00:01:250000')).toBe(1250);
    expect(parseSippDuration('01:02:03')).toBe(3_723_000);
    expect(parseSippDuration('garbage')).toBeNaN();
    expect(parseSippCounts('')).toEqual([]);
    expect(describeSippExit(0, null)).toBe('all calls successful');
    expect(describeSippExit(null, 'SIGKILL')).toBe('killed by SIGKILL');
  });
});
