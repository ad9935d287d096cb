/**
 * `make bench`: every benchmark in turn, each in its own Node process so one cannot
 * warm up or slow down another. Output is printed and saved to bench/results/.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/run-all.js [load-bench flags, e.g. --quick; --quick also shrinks the hold-queue bench]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** [file, arguments, minutes before it is killed, stderr shown live (progress) instead of saved]. */
const BENCHES: ReadonlyArray<readonly [string, readonly string[], number, boolean]> = [
  ['codec.bench.js', [], 15, false],
  ['transaction.bench.js', [], 15, false],
  ['routing-decide.bench.js', [], 15, false],
  ['scheduler.bench.js', [], 15, false],
  // Ramp + SIPp baseline + concurrency 1k/10k/50k + overload; its own JSON/Markdown in bench/results/ (about 10–20 min).
  ['load.bench.js', process.argv.slice(2), 30, true],
  // The same ramp with every call anchored through a managed rtpengine (offer, answer, delete per call).
  ['load.bench.js', ['--media', '--no-baseline', '--no-concurrency', '--no-overload', '--start', '200', '--increment', '200', '--max-rate', '1200', ...(process.argv.includes('--quick') ? ['--quick'] : [])], 15, true],
  // 1,000 callers waiting with hold music while new calls are measured (about 1 min; needs `make media`).
  ['hold-queue.bench.js', process.argv.includes('--quick') ? ['--quick'] : [], 10, true],
];

const lines: string[] = [
  `Switchboard benchmarks, ${new Date().toISOString()}`,
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  '',
];
console.log(lines.join('\n'));
let failed = 0;
for (const [file, args, minutes, live] of BENCHES) {
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, file), ...args], { encoding: 'utf8', timeout: minutes * 60_000, stdio: ['ignore', 'pipe', live ? 'inherit' : 'pipe'] });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trimEnd();
  console.log(out + '\n');
  lines.push(`## ${file}`, out, '');
  if (r.status !== 0) failed++;
}
const dir = resolve(here, '../../bench/results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.txt`);
writeFileSync(file, lines.join('\n') + '\n');
console.log(`results: ${file}`);
process.exitCode = failed > 0 ? 1 : 0;
