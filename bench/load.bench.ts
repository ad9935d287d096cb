/**
 * The load-bench runner (issue 8): stepped ramp SIPp → Switchboard → SIPp against the
 * SIPp → SIPp baseline, latency percentiles, CPU/RSS per process, event-loop delay,
 * kernel UDP drops, concurrency (1k/10k/50k held calls), overload at 1.5 × the max,
 * optional soak and registration storm. Results: bench/results/load-*.json and .md.
 * How to read them: docs/benchmarks.md. A run that cannot start says why in one line
 * and exits 2.
 *
 * Run: npx tsc -p tsconfig.json && scripts/netns-run.sh node --expose-gc dist/bench/load.bench.js [--quick] [flags]
 * @example
 *   scripts/netns-run.sh node --expose-gc dist/bench/load.bench.js --quick --no-concurrency
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLoadOptions, USAGE } from './ramp/options.js';
import { assertSippInstalled } from './ramp/sipp-process.js';

const here = dirname(fileURLToPath(import.meta.url));

try {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    process.exit(0);
  }
  const options = parseLoadOptions(process.argv.slice(2));
  assertSippInstalled();
  let runLoad: typeof import('./ramp/load-run.js').runLoad;
  try {
    ({ runLoad } = await import('./ramp/load-run.js'));
  } catch (err) {
    throw new Error(`Switchboard is not built or is broken (${(err as Error).message.split('\n')[0]}): run npx tsc -p tsconfig.json`);
  }
  // dist/bench → bench/results of the checkout.
  await runLoad(options, options.resultsDir ?? resolve(here, '../../bench/results'));
} catch (err) {
  console.error(`load bench: ${(err as Error).message}`);
  process.exitCode = 2;
}
