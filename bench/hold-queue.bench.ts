/**
 * The hold-queue bench (issues 6 and 7): N callers (default 1,000) wait in a queue with
 * hold music played by rtpengine while new calls arrive; reports the new calls'
 * INVITE→200 p50/p95/p99 (SIPp and Switchboard's own timing), failed calls, CPU of
 * Switchboard and rtpengine, and the RTP reaching the waiting callers. Passes when the
 * step passes the load runner's criteria (p99 < 50 ms, 0 failed, …), all N waited
 * through it and their RTP arrived. Results: bench/results/hold-queue-*.json and .md;
 * how to read them: docs/benchmarks.md. A run that cannot start (or whose callers do not
 * all get into the queue) says why in one line and exits 2.
 *
 * Run: npx tsc -p tsconfig.json && scripts/netns-run.sh node dist/bench/hold-queue.bench.js [--quick] [flags]
 * @example
 *   scripts/netns-run.sh node dist/bench/hold-queue.bench.js --hold-callers 1000 --rate 100
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHoldQueueOptions, USAGE } from './hold-queue/options.js';
import { assertSippInstalled } from './ramp/sipp-process.js';

const here = dirname(fileURLToPath(import.meta.url));

try {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    process.exit(0);
  }
  const options = parseHoldQueueOptions(process.argv.slice(2));
  assertSippInstalled();
  let run: typeof import('./hold-queue/run.js');
  let report: typeof import('./hold-queue/report.js');
  try {
    [run, report] = await Promise.all([import('./hold-queue/run.js'), import('./hold-queue/report.js')]);
  } catch (err) {
    throw new Error(`Switchboard is not built or is broken (${(err as Error).message.split('\n')[0]}): run npx tsc -p tsconfig.json`);
  }
  const r = await run.runHoldQueue(options);
  // dist/bench → bench/results of the checkout.
  const files = report.writeHoldQueueReport(r, options.resultsDir ?? resolve(here, '../../bench/results'));
  console.log(`\n${report.holdQueueMarkdown(r).trim()}\n\nresults: ${files.markdown} and .json`);
  // A run that completes exits 0 whatever its verdict, as the load runner does; the verdict is in the output.
} catch (err) {
  console.error(`hold-queue bench: ${(err as Error).message}`);
  process.exitCode = 2;
}
// drachtio-srf may leave a reconnect timer behind after the engine stops: do not wait for it.
setTimeout(() => process.exit(), 2000).unref();
