/**
 * Routing decision throughput with a configuration of about 1,000 entry rules: exact,
 * prefix and pattern numbers, trunk and header conditions, schedules in several time
 * zones, and follow-the-sun. Also reports how long the file takes to validate and compile.
 * Prints numbers only; there is no pass/fail threshold.
 * Run: npx tsc -p tsconfig.json && node dist/bench/routing-decide.bench.js
 */
import { parseConfig } from '../src/config/load.js';
import { compileRouter, InMemoryRoutingState, type CallFacts } from '../src/routing/index.js';

const RULES = 1000;
const ZONES = ['America/New_York', 'Europe/Berlin', 'Asia/Tokyo', 'Australia/Sydney', 'America/Los_Angeles'];

/** A configuration of `rules` entry rules; rule i routes +1800555iiii (zero-padded). */
export function benchConfigYaml(rules = RULES): string {
  const lines: string[] = [
    'numbering: { country_code: "1", international_prefix: "011", national_prefix: "1", national_number_lengths: [10] }',
    'trunks:',
    '  carrier-a: { inbound: { sources: [127.0.0.2/32] }, outbound: { gateways: ["sip:127.0.0.1:5080", "sip:127.0.0.1:5081"] } }',
    '  carrier-b: { inbound: { sources: ["::1/128"] }, outbound: { gateways: ["sip:127.0.0.1:5082"] } }',
    'users:',
  ];
  for (let u = 0; u < 50; u++) lines.push(`  user${u}: { password: secret-${u}-xx }`);
  lines.push('agents:');
  for (let u = 0; u < 50; u++) lines.push(`  user${u}: { skills: { en: ${1 + (u % 5)} } }`);
  lines.push('queues:');
  for (let q = 0; q < 10; q++) lines.push(`  q${q}: { members: [user${q}, user${q + 10}, user${q + 20}], max_size: 100, on_full: { voicemail: vm } }`);
  lines.push('voicemail: { vm: {} }', 'schedules:');
  ZONES.forEach((tz, i) => lines.push(`  s${i}: { tz: ${tz}, weekly: { mon-fri: "09:00-17:00", sat: "22:00-06:00" }, holidays: [{ rrule: "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25" }] }`));
  lines.push('routes:');
  for (let i = 0; i < rules; i++) {
    const number = `+1800555${String(i).padStart(4, '0')}`;
    const user = `user${i % 50}`;
    switch (i % 10) {
      case 0:
        lines.push(`  - { name: r${i}, match: { to: { prefix: "+1888${String(i).padStart(4, '0')}" }, trunk: carrier-a }, then: { forward: { to: { number: "+1415555${String(i).padStart(4, '0')}", trunk: carrier-a } } } }`);
        break;
      case 1:
        lines.push(`  - { name: r${i}, match: { to: { pattern: "\\\\+1877${String(i).padStart(4, '0')}[0-9]{3}" } }, then: { ring: ${user} } }`);
        break;
      case 2:
        lines.push(`  - { name: r${i}, match: { to: "${number}", header: { X-Tier: gold } }, then: { queue: { name: q${i % 10}, priority: 5 } } }`);
        break;
      case 3:
        lines.push(`  - { name: r${i}, match: { to: "${number}", schedule: { not: s${i % ZONES.length} } }, then: { voicemail: vm } }`);
        break;
      case 4:
        lines.push(
          `  - { name: r${i}, match: { to: "${number}" }, then: { follow_the_sun: { sites: [{ name: a, schedule: s0, then: { queue: q1 } }, { name: b, schedule: s1, then: { ring: ${user} } }, { name: c, schedule: s2, then: { ring: user1 } }], fallback: { voicemail: vm } } } }`,
        );
        break;
      default:
        lines.push(`  - { name: r${i}, match: { to: "${number}" }, then: [{ ring: { targets: [${user}, user${(i + 1) % 50}], timeout: 15s }, continue_on: [busy, no_answer] }, { voicemail: vm }] }`);
    }
  }
  return `${lines.join('\n')}\n`;
}

interface Result {
  name: string;
  nsPerOp: number;
}

function measure(name: string, iterations: number, fn: (i: number) => void): Result {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) fn(i); // warm up the JIT
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(i);
  return { name, nsPerOp: Number(process.hrtime.bigint() - start) / iterations };
}

export function runRoutingDecideBench(iterations = 100_000) {
  const text = benchConfigYaml();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const config = parseConfig(text, 'bench.yaml');
  const t1 = performance.now();
  const router = compileRouter(config);
  const t2 = performance.now();
  const heapAfter = process.memoryUsage().heapUsed;

  const state = new InMemoryRoutingState({ registered: 'everyone', queueLengths: { q1: 3 } });
  // Instants spread over a week so schedules are evaluated at many local times.
  const instant = (i: number) => Date.parse('2026-06-01T00:00:00Z') + (i % 2016) * 300_000;
  const call = (to: string, extra: Partial<CallFacts> = {}): CallFacts => ({ to, from: '+14155550100', headers: { 'X-Tier': 'gold' }, ...extra });
  const first = call('+18880000123', { trunk: 'carrier-a' });
  const middle = call('18005550505'); // rule 505, national format
  const last = call('+18005550999');
  const schedule = call('+18005550503');
  const sun = call('+18005550504');
  const none = call('+19995550000');

  let sink = 0;
  const results = [
    measure('match rule #1 (prefix + trunk)', iterations, (i) => {
      sink += router.decide(first, instant(i), state).actions.length;
    }),
    measure('match rule #506 (exact, national format)', iterations, (i) => {
      sink += router.decide(middle, instant(i), state).actions.length;
    }),
    measure('match rule #1000 (exact)', iterations, (i) => {
      sink += router.decide(last, instant(i), state).actions.length;
    }),
    measure('schedule condition (rule #504)', iterations, (i) => {
      sink += router.decide(schedule, instant(i), state).trace.length;
    }),
    measure('follow-the-sun, 3 sites (rule #505)', iterations, (i) => {
      sink += router.decide(sun, instant(i), state).actions.length;
    }),
    measure('no match: all 1,000 rules tried, default 404', iterations, (i) => {
      sink += router.decide(none, instant(i), state).trace.length;
    }),
  ];
  if (sink === 0) throw new Error('unreachable: keeps the work observable');
  return {
    rules: config.routes.length,
    yamlBytes: text.length,
    validateMs: t1 - t0,
    compileMs: t2 - t1,
    heapMiB: (heapAfter - heapBefore) / 1024 / 1024,
    results,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = runRoutingDecideBench();
  console.log(`routing decisions, ${r.rules} rules (${(r.yamlBytes / 1024).toFixed(0)} KiB of YAML)`);
  console.log(`  validate ${r.validateMs.toFixed(0)} ms, compile ${r.compileMs.toFixed(1)} ms, heap +${r.heapMiB.toFixed(1)} MiB (config + router)`);
  for (const x of r.results) {
    console.log(`  ${x.name.padEnd(48)} ${(x.nsPerOp / 1000).toFixed(2).padStart(8)} µs/decision  ${Math.round(1e9 / x.nsPerOp).toLocaleString('en-US').padStart(10)} decisions/s`);
  }
}
