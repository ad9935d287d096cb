/**
 * Command-line options of the hold-queue bench (bench/hold-queue.bench.ts). Defaults are
 * the figure: 1,000 waiting callers, new calls at 100 calls/s for 10 s measured
 * after 3 s of warm-up. `--quick` shrinks it for a check while developing. Unknown flags
 * and bad numbers are refused with a one-line message.
 *
 * @example
 *   const o = parseHoldQueueOptions(['--hold-callers', '500', '--rate', '200']);
 */
import { FlagReader } from '../flag-reader.js';
import { HOLD_MUSIC } from './config.js';

export interface HoldQueueOptions {
  /** Callers kept waiting in the queue with music. */
  readonly holdCallers: number;
  /** Rate at which the waiting callers are placed, calls/s. */
  readonly fillRate: number;
  /** New basic calls during the measured step, calls/s. */
  readonly rate: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  /** Also run the same step before the callers join (same Switchboard, nobody waiting). */
  readonly reference: boolean;
  /** The queue's music, relative to config/media. */
  readonly music: string;
  readonly pinSipp: string | undefined;
  readonly resultsDir: string | undefined;
}

const FULL: HoldQueueOptions = { holdCallers: 1000, fillRate: 100, rate: 100, warmupSeconds: 3, seconds: 10, reference: true, music: HOLD_MUSIC, pinSipp: undefined, resultsDir: undefined };
const QUICK: Partial<HoldQueueOptions> = { holdCallers: 200, fillRate: 100, warmupSeconds: 1, seconds: 3 };

export const USAGE = `usage: node dist/bench/hold-queue.bench.js [--quick] [--hold-callers N] [--fill-rate CPS] [--rate CPS]
  [--seconds N] [--warmup N] [--no-reference] [--music FILE] [--pin-sipp CPUS] [--results DIR]`;

export function parseHoldQueueOptions(argv: readonly string[]): HoldQueueOptions {
  const o: { -readonly [K in keyof HoldQueueOptions]: HoldQueueOptions[K] } = { ...FULL, ...(argv.includes('--quick') ? QUICK : {}) };
  const r = new FlagReader(argv);
  for (let flag = r.next(); flag !== undefined; flag = r.next()) {
    switch (flag) {
      case '--quick': break;
      case '--hold-callers': o.holdCallers = r.number(1, true); break;
      case '--fill-rate': o.fillRate = r.number(1); break;
      case '--rate': o.rate = r.number(1); break;
      case '--seconds': o.seconds = r.number(1); break;
      case '--warmup': o.warmupSeconds = r.number(0); break;
      case '--no-reference': o.reference = false; break;
      case '--music': o.music = r.value(); break;
      case '--pin-sipp': o.pinSipp = r.value(); break;
      case '--results': o.resultsDir = r.value(); break;
      default: throw new Error(`unknown option ${flag} (--help lists them)`);
    }
  }
  return o;
}
