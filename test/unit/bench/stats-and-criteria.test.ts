import { describe, expect, it } from 'vitest';
import { judge } from '../../../bench/ramp/criteria.js';
import { runRamp } from '../../../bench/ramp/ramp.js';
import type { Scenario } from '../../../bench/ramp/scenarios.js';
import { parseLoadOptions } from '../../../bench/ramp/options.js';
import { processCpuMs, processRssBytes, rcvbufErrors, socketDrops, socketTableDrops } from '../../../bench/ramp/proc-stats.js';
import type { StepResult } from '../../../bench/ramp/step.js';
import { slope, summarize } from '../../../bench/ramp/stats-math.js';
import { growthPerMinute, SETTLE_MINUTES } from '../../../bench/ramp/soak.js';

const lat = { count: 100, p50: 3, p95: 8, p99: 20, max: 30 };
const good: StepResult = {
  label: 'switchboard', scenario: 'basic', rate: 500, warmupSeconds: 2, seconds: 5, calls: 3500, successful: 3500, failed: 0, shed: 0, error: undefined,
  answeredCps: 499, messages: 49_000, retransmissions: 0, retransmissionRatio: 0, currentCalls: [4, 5, 3, 4, 6, 5], latencySippMs: lat,
  latencySwitchboardMs: lat, cpuPercent: { switchboard: 50, sippUac: 10, sippUas: 10 }, cpuMsPerCall: 1, rssMiB: { switchboard: 150, sippUac: 8, sippUas: 8 },
  loopDelayP99Ms: { app: 1, engine: 1 }, udpDrops: { rcvbufErrors: 0, socketDrops: 0 }, failureReasons: [],
};

describe('percentiles and slope', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(summarize(values)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(summarize([]).p99).toBe(0);
  });

  it('soak growth leaves out the fill-up of the first minutes', () => {
    // The shape of a 10 min soak: 175 → 553 MiB in the first minute, then a plateau.
    const plateau: Array<[number, number, number]> = [[0, 175, 16.9], [0.5, 399, 16.1], [1, 553, 16.2], [1.5, 544, 16.1], [2, 557, 16.3], [2.5, 547, 16.2], [3, 556, 16.4], [3.5, 562, 16.3]];
    expect(slope(plateau.map(([t, rss]) => [t, rss] as const))).toBeGreaterThan(50);
    expect(Math.abs(growthPerMinute(plateau).rss)).toBeLessThan(10);
    // A leak after the fill-up still shows.
    const leak = plateau.map(([t, rss, heap]) => [t, t >= SETTLE_MINUTES ? rss + 20 * t : rss, heap + 2 * t] as [number, number, number]);
    expect(growthPerMinute(leak).rss).toBeGreaterThan(15);
    expect(growthPerMinute(leak).heap).toBeCloseTo(2, 0);
    // A soak too short to settle uses every sample.
    expect(growthPerMinute([[0, 100, 10], [1, 160, 10]]).rss).toBeCloseTo(60);
  });

  it('fits a least-squares slope', () => {
    expect(slope([[0, 10], [1, 12], [2, 14]])).toBeCloseTo(2);
    expect(slope([[1, 5]])).toBe(0);
  });
});

describe('step pass criteria', () => {
  it('passes a clean step', () => {
    expect(judge(good)).toEqual({ pass: true, reasons: [] });
  });

  it('fails on failed calls, retransmissions above 0.01 %, p99 at 50 ms, growing concurrent calls and a rate not carried', () => {
    const v = judge({ ...good, failed: 1, retransmissions: 10, retransmissionRatio: 10 / 49_000, latencySippMs: { ...lat, p99: 50 }, currentCalls: [5, 5, 5, 200, 300, 400, 500, 600], answeredCps: 300 });
    expect(v.pass).toBe(false);
    expect(v.reasons).toEqual([
      '1 failed calls',
      'retransmissions 0.020 % of messages',
      'concurrent calls grew from 5 to 550',
      'INVITE→200 p99 50 ms',
      'carried 300 of 500 calls/s',
    ]);
  });

  it('fails a step that was killed at its bound', () => {
    expect(judge({ ...good, error: 'killed at the wall-clock bound of 27 s' }).reasons).toContain('killed at the wall-clock bound of 27 s');
  });
});

describe('load runner options', () => {
  it('has the full make-bench plan by default and a short one with --quick', () => {
    expect(parseLoadOptions([]).concurrency).toEqual([1000, 10000, 50000]);
    expect(parseLoadOptions(['--quick', '--seconds', '2']).seconds).toBe(2);
  });

  it('refuses unknown flags and bad numbers in one message', () => {
    expect(() => parseLoadOptions(['--fast'])).toThrow('unknown option --fast (--help lists them)');
    expect(() => parseLoadOptions(['--start', 'many'])).toThrow('--start wants a number ≥ 1, got "many"');
    expect(() => parseLoadOptions(['--concurrency', '10,x'])).toThrow(/comma-separated/);
  });
});

describe('/proc readings', () => {
  it('reads CPU time and RSS of a live process and nothing for a missing one', () => {
    let spin = 0;
    for (let i = 0; i < 5e6; i++) spin += i;
    expect(spin).toBeGreaterThan(0);
    expect(processCpuMs(process.pid)).toBeGreaterThan(0);
    expect(processRssBytes(process.pid)).toBeGreaterThan(1024 * 1024);
    expect(processCpuMs(2 ** 30)).toBeUndefined();
  });

  it('reads UDP drop counters as numbers', async () => {
    const errors = rcvbufErrors();
    expect(Number.isInteger(errors) && errors >= 0).toBe(true);
    const drops = await socketDrops();
    expect(Number.isInteger(drops) && drops >= 0).toBe(true);
  });

  it('sums the last column of a /proc/net/udp table, whatever the header says', () => {
    const table = [
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
      '  123: 0100007F:1770 00000000:0000 07 00000000:00034000 00:00000000 00000000     0        0 1 2 ffff 869',
      '  124: 0100007F:22B8 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3 2 ffff 0',
      '  125: 0100007F:22B9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4 2 ffff 31',
      '',
    ].join('\n');
    expect(socketTableDrops(table)).toBe(900);
    expect(socketTableDrops('')).toBe(0);
  });
});

describe('the ramp', () => {
  /** A ramp over scripted steps: p99 per attempt, in order. */
  async function ramp(p99s: number[], retries: number): Promise<Awaited<ReturnType<typeof runRamp>> & { attempts: string[] }> {
    const attempts: string[] = [];
    const result = await runRamp({
      label: 'switchboard', scenario: { name: 'basic' } as Scenario, target: undefined, start: 500, increment: 500, maxRate: 2000,
      warmupSeconds: 1, seconds: 1, holdMs: 0, retries, pin: {},
      runStep: async (plan) => {
        attempts.push(`${plan.label}@${plan.rate}`);
        const p99 = p99s.shift() ?? 500;
        return { ...good, label: plan.label, rate: plan.rate, answeredCps: plan.rate, latencySippMs: { ...lat, p99 } };
      },
    });
    return { ...result, attempts };
  }

  it('runs a failed step again and goes on when the attempt passes; every attempt is reported', async () => {
    const r = await ramp([20, 80, 30, 20, 90, 95], 1);
    expect(r.attempts).toEqual(['switchboard@500', 'switchboard@1000', 'switchboard (attempt 2)@1000', 'switchboard@1500', 'switchboard@2000', 'switchboard (attempt 2)@2000']);
    expect(r.maxPassingRate).toBe(1500);
    expect(r.steps.map((s) => [s.rate, s.attempt, s.pass])).toEqual([[500, 1, true], [1000, 1, false], [1000, 2, true], [1500, 1, true], [2000, 1, false], [2000, 2, false]]);
    expect(r.stoppedBecause).toMatch(/^2000 calls\/s failed all 2 attempts/);
  });

  it('stops at the first failure with no retries', async () => {
    const r = await ramp([20, 80, 20], 0);
    expect(r.maxPassingRate).toBe(500);
    expect(r.attempts).toEqual(['switchboard@500', 'switchboard@1000']);
    expect(r.stoppedBecause).toMatch(/^1000 calls\/s failed \(/);
  });

  it('reads --retries', () => {
    expect(parseLoadOptions([]).retries).toBe(1);
    expect(parseLoadOptions(['--retries', '0']).retries).toBe(0);
  });
});
