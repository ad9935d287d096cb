import { describe, expect, it } from 'vitest';
import { HOLD_AGENT, HOLD_MUSIC, HOLD_NUMBER, HOLD_QUEUE, holdQueueYaml } from '../../../bench/hold-queue/config.js';
import { installNgTiming } from '../../../bench/hold-queue/ng-timing.js';
import { parseHoldQueueOptions } from '../../../bench/hold-queue/options.js';
import { summarizeProbes, type Probe } from '../../../bench/hold-queue/probes.js';
import { rtpRate, udpSocketByPort, type SinkReading } from '../../../bench/hold-queue/rtp-sink.js';
import { parseConfig } from '../../../src/config/load.js';
import { MediaClient, type NgTransport } from '../../../src/media/index.js';
import { compileRouter } from '../../../src/routing/router.js';
import { InMemoryRoutingState } from '../../../src/routing/state.js';

describe('hold-queue options', () => {
  it('defaults to the issue figure: 1,000 waiting, 100 new calls/s for 3 + 10 s, with a reference step', () => {
    expect(parseHoldQueueOptions([])).toEqual({ holdCallers: 1000, fillRate: 100, rate: 100, warmupSeconds: 3, seconds: 10, reference: true, music: HOLD_MUSIC, pinSipp: undefined, resultsDir: undefined });
  });

  it('reads every flag, and --quick shrinks the run', () => {
    expect(parseHoldQueueOptions(['--quick'])).toMatchObject({ holdCallers: 200, warmupSeconds: 1, seconds: 3 });
    const o = parseHoldQueueOptions(['--hold-callers', '500', '--fill-rate', '50', '--rate', '200', '--seconds', '20', '--warmup', '0', '--no-reference', '--music', 'music/other.wav', '--pin-sipp', '1', '--results', '/tmp/r']);
    expect(o).toEqual({ holdCallers: 500, fillRate: 50, rate: 200, warmupSeconds: 0, seconds: 20, reference: false, music: 'music/other.wav', pinSipp: '1', resultsDir: '/tmp/r' });
    // Flags after --quick override it.
    expect(parseHoldQueueOptions(['--quick', '--hold-callers', '1000']).holdCallers).toBe(1000);
  });

  it.each([
    [['--hold-callers', '0'], '--hold-callers wants a whole number ≥ 1, got "0"'],
    [['--hold-callers', '2.5'], '--hold-callers wants a whole number ≥ 1, got "2.5"'],
    [['--rate', 'fast'], '--rate wants a number ≥ 1, got "fast"'],
    [['--seconds'], '--seconds needs a value'],
    [['--concurrency', '5'], 'unknown option --concurrency (--help lists them)'],
  ])('refuses %j in one line', (argv, message) => {
    expect(() => parseHoldQueueOptions(argv)).toThrow(message);
  });
});

describe('hold-queue config', () => {
  const config = parseConfig(holdQueueYaml({ ringPort: 5070, agentPort: 5999, music: HOLD_MUSIC }), 'bench.yaml');
  const router = compileRouter(config);
  const decide = (to: string) => router.decide({ to, from: 'bench', headers: {}, trunk: 'bench' }, Date.now(), new InMemoryRoutingState({ registered: 'everyone' }));

  it('is a valid config: the queue has the music, one member and no announcements', () => {
    expect(config.queues[HOLD_QUEUE]).toMatchObject({ members: [HOLD_AGENT], music: HOLD_MUSIC, announcements: { position: false, estimated_wait: false } });
    expect(Object.keys(config.agents)).toEqual([HOLD_AGENT]);
  });

  it('sends 1000 to the queue and every other number to the UAS', () => {
    const hold = decide(HOLD_NUMBER);
    expect(hold.rule).toBe('hold');
    expect(hold.actions[0]).toMatchObject({ kind: 'queue', queue: HOLD_QUEUE });
    const other = decide('service');
    expect(other.rule).toBe('all');
    expect(other.actions[0]).toMatchObject({ kind: 'ring', targets: [{ kind: 'uri', uri: 'sip:service@127.0.0.1:5070' }] });
  });
});

// Lines of /proc/net/udp as the kernel writes them (a SIPp media socket on 6000 with a full buffer).
const UDP_TABLE = [
  '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            ',
  ' 3619: 0100007F:7530 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 91466 2 000000007a43da02 0         ',
  '12387: 0100007F:1770 00000000:0000 07 00000000:00034000 00:00000000 00000000     0        0 93733 2 000000002de834c8 869       ',
  '15275: 00000000:22B8 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 93735 2 000000003b2b2bfb 0         ',
  '',
].join('\n');

describe('RTP sink counter', () => {
  it('finds a socket by its local port: drops and queued bytes', () => {
    expect(udpSocketByPort(UDP_TABLE, 6000)).toEqual({ drops: 869, queuedBytes: 0x34000 });
    expect(udpSocketByPort(UDP_TABLE, 8888)).toEqual({ drops: 0, queuedBytes: 0 });
    expect(udpSocketByPort(UDP_TABLE, 6002)).toBeUndefined();
    expect(udpSocketByPort('', 6000)).toBeUndefined();
  });

  it('turns the growth of drops into packets per second, skipping readings without the socket', () => {
    const r = (atMs: number, drops: number | undefined): SinkReading => ({ atMs, drops, queuedBytes: drops === undefined ? undefined : 212_992 });
    expect(rtpRate([r(0, undefined), r(1000, 100), r(2000, 50_100), r(3000, 100_100)])).toBe(50_000);
    expect(rtpRate([r(0, 10)])).toBe(0);
    expect(rtpRate([r(0, undefined), r(1000, undefined)])).toBe(0);
    expect(rtpRate([])).toBe(0);
  });
});

describe('probe windows', () => {
  const probe = (elapsed: number, waiting: number, cpuMs: number | undefined, drops: number): Probe => ({ elapsed, waiting, rtpengineCpuMs: cpuMs, sink: { atMs: elapsed * 1000, drops, queuedBytes: 0 } });

  it('summarises the samples inside the window only', () => {
    const samples = [probe(1, 10, 0, 0), probe(2, 900, 100, 40_000), probe(3.01, 1000, 500, 90_000), probe(4.02, 1000, 1000, 140_000), probe(5.4, 999, 1500, 190_000), probe(7, 0, 9000, 0)];
    const w = summarizeProbes(samples, 3, 5);
    expect(w.samples).toBe(3);
    expect(w.seconds).toBeCloseTo(2.39);
    expect(w.rtpPps).toBeCloseTo(100_000 / 2.39);
    expect(w.rtpengineCpuPercent).toBeCloseTo((1000 / 2390) * 100);
    expect([w.minWaiting, w.maxWaiting]).toEqual([999, 1000]);
  });

  it('has no CPU figure when rtpengine was not readable, and zeros for an empty window', () => {
    expect(summarizeProbes([probe(3, 5, undefined, 0), probe(4, 5, 10, 50)], 3, 4).rtpengineCpuPercent).toBeUndefined();
    expect(summarizeProbes([probe(1, 5, 0, 0)], 3, 4)).toEqual({ samples: 0, seconds: 0, rtpPps: 0, rtpengineCpuPercent: undefined, minWaiting: 0, maxWaiting: 0 });
  });
});

describe('ng timing hook', () => {
  it('times offer, answer and delete as Switchboard sees them, failures included', async () => {
    const replies: Record<string, Record<string, unknown>> = { ping: { result: 'pong' }, offer: { result: 'ok', sdp: 'v=0\r\n' }, answer: { result: 'error', 'error-reason': 'no such call' }, delete: { result: 'ok' } };
    const transport: NgTransport = { send: async (command) => replies[command] ?? { result: 'ok' }, close: () => {} };
    const timing = installNgTiming();
    expect(installNgTiming()).toBe(timing);
    const client = new MediaClient({ ng: '127.0.0.1:22222', transport, keepaliveMs: 60_000 });
    await client.start();
    timing.reset();
    await client.offer({ callId: 'c', fromTag: 'a', sdp: 'v=0\r\n' });
    await client.offer({ callId: 'c', fromTag: 'a', sdp: 'v=0\r\n' });
    await expect(client.answer({ callId: 'c', fromTag: 'a', toTag: 'b', sdp: 'v=0\r\n' })).rejects.toThrow();
    await client.delete({ callId: 'c' });
    const p = timing.percentiles();
    expect([p.offer.count, p.answer.count, p.delete.count]).toEqual([2, 1, 1]);
    expect(p.offer.p99).toBeGreaterThan(0);
    timing.reset();
    expect(timing.percentiles().offer.count).toBe(0);
    client.close();
  });
});
