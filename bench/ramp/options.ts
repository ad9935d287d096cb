/**
 * Command-line options of the load runner (bench/load.bench.ts). Defaults are the full
 * `make bench` run (about 10–20 minutes); `--quick` shrinks every part for a check while
 * developing. Unknown flags and bad numbers are refused with a one-line message.
 *
 * @example
 *   const o = parseLoadOptions(['--quick', '--no-overload']);
 */

import { FlagReader } from '../flag-reader.js';

export interface LoadOptions {
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly start: number;
  readonly increment: number;
  readonly maxRate: number;
  readonly baseline: boolean;
  readonly baselineStart: number;
  readonly baselineIncrement: number;
  readonly baselineMax: number;
  readonly ramp: boolean;
  readonly scenario: 'basic' | 'hold';
  /** Anchor every call's media through a managed rtpengine (offer/answer/delete per call). */
  readonly media: boolean;
  /** The caller's pause after each ACK (hold_ms) in ramp steps, ms. */
  readonly holdMs: number;
  /** Hold this many calls at once (concurrency mode); empty: skip. */
  readonly concurrency: readonly number[];
  readonly concurrencyRate: number;
  readonly overload: boolean;
  readonly overloadSeconds: number;
  /** Max passing rate to use when the ramp is skipped (overload, soak). */
  readonly knownMaxRate: number | undefined;
  /** Times a failing ramp step is run again before the ramp stops there (0: stop at the first failure). */
  readonly retries: number;
  readonly soakMinutes: number;
  /** Registration storm at this rate (needs the registrar); 0: skip. */
  readonly registerRate: number;
  readonly pinSipp: string | undefined;
  readonly pinNode: string | undefined;
  readonly resultsDir: string | undefined;
}

const FULL: LoadOptions = {
  warmupSeconds: 3,
  seconds: 10,
  start: 250,
  increment: 250,
  maxRate: 6000,
  baseline: true,
  baselineStart: 1000,
  baselineIncrement: 1000,
  baselineMax: 12000,
  ramp: true,
  scenario: 'basic',
  media: false,
  holdMs: 0,
  concurrency: [1000, 10000, 50000],
  concurrencyRate: 1000,
  overload: true,
  overloadSeconds: 15,
  knownMaxRate: undefined,
  retries: 1,
  soakMinutes: 0,
  registerRate: 0,
  pinSipp: undefined,
  pinNode: undefined,
  resultsDir: undefined,
};

const QUICK: Partial<LoadOptions> = {
  warmupSeconds: 1,
  seconds: 3,
  start: 100,
  increment: 200,
  maxRate: 700,
  baselineStart: 500,
  baselineIncrement: 1000,
  baselineMax: 2500,
  concurrency: [200, 1000],
  overloadSeconds: 4,
};

export const USAGE = `usage: node dist/bench/load.bench.js [--quick] [--seconds N] [--warmup N] [--start CPS] [--increment CPS] [--max-rate CPS]
  [--no-baseline] [--baseline-start CPS] [--baseline-increment CPS] [--baseline-max CPS] [--no-ramp --known-max CPS]
  [--scenario basic|hold] [--media] [--hold-ms MS] [--concurrency N,N,… | --no-concurrency] [--concurrency-rate CPS]
  [--retries N] [--no-overload] [--overload-seconds N] [--soak-minutes N] [--register-rate CPS]
  [--pin-sipp CPUS] [--pin-node CPUS] [--results DIR]`;

export function parseLoadOptions(argv: readonly string[]): LoadOptions {
  const o: { -readonly [K in keyof LoadOptions]: LoadOptions[K] } = { ...FULL, ...(argv.includes('--quick') ? QUICK : {}) };
  const r = new FlagReader(argv);
  for (let flag = r.next(); flag !== undefined; flag = r.next()) {
    switch (flag) {
      case '--quick': break;
      case '--seconds': o.seconds = r.number(1); break;
      case '--warmup': o.warmupSeconds = r.number(0); break;
      case '--start': o.start = r.number(1); break;
      case '--increment': o.increment = r.number(1); break;
      case '--max-rate': o.maxRate = r.number(1); break;
      case '--no-baseline': o.baseline = false; break;
      case '--baseline-start': o.baselineStart = r.number(1); break;
      case '--baseline-increment': o.baselineIncrement = r.number(1); break;
      case '--baseline-max': o.baselineMax = r.number(1); break;
      case '--no-ramp': o.ramp = false; break;
      case '--known-max': o.knownMaxRate = r.number(1); break;
      case '--retries': o.retries = r.number(0); break;
      case '--scenario': {
        const s = r.value();
        if (s !== 'basic' && s !== 'hold') throw new Error(`--scenario is basic or hold, got "${s}"`);
        o.scenario = s;
        break;
      }
      case '--hold-ms': o.holdMs = r.number(0); break;
      case '--media': o.media = true; break;
      case '--concurrency': {
        const list = r.value().split(',').map(Number);
        if (list.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--concurrency wants a comma-separated list of call counts');
        o.concurrency = list;
        break;
      }
      case '--no-concurrency': o.concurrency = []; break;
      case '--concurrency-rate': o.concurrencyRate = r.number(1); break;
      case '--no-overload': o.overload = false; break;
      case '--overload-seconds': o.overloadSeconds = r.number(1); break;
      case '--soak-minutes': o.soakMinutes = r.number(0); break;
      case '--register-rate': o.registerRate = r.number(0); break;
      case '--pin-sipp': o.pinSipp = r.value(); break;
      case '--pin-node': o.pinNode = r.value(); break;
      case '--results': o.resultsDir = r.value(); break;
      default: throw new Error(`unknown option ${flag} (--help lists them)`);
    }
  }
  return o;
}
