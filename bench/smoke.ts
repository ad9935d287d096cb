/**
 * `make bench-smoke` (also run by `make test`): a modest load through the full path —
 * SIPp → engine thread + drachtio-srf B2BUA → SIPp, 100 calls/s for 20 s — after the same
 * load SIPp → SIPp as the baseline. Prints both and the ratio; fails only when a call
 * fails, never on speed (the machine may be busy).
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/smoke.js [rate] [seconds]
 */
import { formatStep, runB2buaLoadBench, runBaselineStep } from './b2bua-load.bench.js';

const rate = Number(process.argv[2] ?? 100);
const seconds = Number(process.argv[3] ?? 20);
console.log(`smoke bench: ${rate} calls/s for ${seconds} s, basic call over UDP`);
const baseline = await runBaselineStep(rate, seconds);
console.log(`SIPp → SIPp (baseline)\n${formatStep(baseline)}`);
console.log('SIPp → Switchboard → SIPp');
const [sb] = await runB2buaLoadBench([rate], seconds, false);
if (sb === undefined) throw new Error('unreachable: one step was asked for');
const ratio = baseline.achievedCps > 0 ? sb.achievedCps / baseline.achievedCps : 0;
console.log(`ratio to the baseline: ${ratio.toFixed(2)} (completed calls/s); failed calls: ${sb.failed + baseline.failed}`);
process.exitCode = sb.failed > 0 || sb.successful !== sb.calls ? 1 : 0;
