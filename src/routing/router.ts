/**
 * The routing decision: compile the configuration once into a routing table, then
 * decide each call with `decide(call, instant, state)`. Pure: no clock, no I/O, no
 * logging; the same inputs give the same decision.
 *
 * Rules are tried in order and the first whose every condition holds wins. Conditions
 * are checked cheapest first (trunk, called number, caller number, headers, schedule)
 * and a rule stops at its first failing condition, which the trace names. The trace
 * entries for failures are built at compile time, so trying a rule allocates nothing.
 * Exact-number conditions are answered through an index with per-decision scratch
 * space, so a router serves one thread (as everything in a Node.js isolate does).
 *
 * @example
 *   const router = compileRouter(config);
 *   const decision = router.decide(
 *     { to: '18005550100', from: '+14155550123', trunk: 'carrier-a', headers: { 'X-Tier': 'gold' } },
 *     Date.parse('2026-11-26T15:00:00Z'),
 *     new InMemoryRoutingState({ registered: ['alice'] }),
 *   );
 *   decision.rule;     // "vip"
 *   decision.actions;  // [{ kind: 'queue', queue: 'support', priority: 10, ... }]
 */
import type { Config, RouteDefinition } from '../config/schema/config.js';
import { ChainCompiler, chainId, describeSchedule, resolveChain, type CompiledStep, type ResolveContext } from './chains.js';
import { ExactNumberIndex } from './exact-index.js';
import { DEFAULT_REJECT, type ChainId, type ChainResolution, type Condition, type Decision, type TraceEntry } from './decision.js';
import { compileHeaderMatcher, compileNumberMatcher, type Matcher } from './matchers.js';
import { normaliseNumber } from './numbers.js';
import { compileSchedule, type CompiledSchedule, type ScheduleState } from './schedule/schedule.js';
import type { RoutingState } from './state.js';
import { TrunkIdentifier } from './trunk-identifier.js';

/** The facts of a call, as the SIP layer sees them. Numbers are raw; `decide` normalises them. */
export interface CallFacts {
  /** Called number: Request-URI user part, or the whole URI. */
  readonly to: string;
  /** Caller number: From (or P-Asserted-Identity) user part, or the whole URI. */
  readonly from: string;
  /** The trunk the call came from, when the SIP layer already identified it. */
  readonly trunk?: string;
  /** INVITE headers; names are matched case-insensitively. */
  readonly headers: Readonly<Record<string, string>>;
  /** Source IP address; identifies the trunk when `trunk` is not given. */
  readonly sourceAddress?: string;
}

type RuleEntry = TraceEntry & { kind: 'rule' };

interface CompiledRule {
  readonly index: number;
  readonly name: string;
  readonly trunks: ReadonlySet<string> | undefined;
  readonly trunkDescribe: string;
  readonly to: Matcher | undefined;
  /** The `to` condition is an exact list, answered by the router's index. */
  readonly toExact: boolean;
  readonly from: Matcher | undefined;
  readonly fromExact: boolean;
  readonly headers: readonly { readonly name: string; readonly matcher: Matcher; readonly failed: RuleEntry }[];
  readonly schedule: { readonly compiled: CompiledSchedule; readonly open: boolean } | undefined;
  readonly steps: readonly CompiledStep[];
  readonly failed: Readonly<Partial<Record<Condition, RuleEntry>>>;
}

function failure(index: number, rule: string, condition: Condition, detail: string): RuleEntry {
  return Object.freeze({ kind: 'rule', index, rule, matched: false, condition, detail });
}

interface RuleContext {
  readonly config: Config;
  readonly schedules: ReadonlyMap<string, CompiledSchedule>;
  readonly compiler: ChainCompiler;
  readonly exactTo: ExactNumberIndex;
  readonly exactFrom: ExactNumberIndex;
}

function compileRule(route: RouteDefinition, index: number, ctx: RuleContext): CompiledRule {
  const m = route.match;
  const plan = ctx.config.numbering;
  for (const [match, exactIndex] of [
    [m.to, ctx.exactTo],
    [m.from, ctx.exactFrom],
  ] as const) {
    if (match?.kind !== 'exact') continue;
    for (const value of new Set(match.values.map((v) => normaliseNumber(v, plan)))) exactIndex.add(value, index);
  }
  const to = m.to && compileNumberMatcher('to', m.to, plan);
  const from = m.from && compileNumberMatcher('from', m.from, plan);
  const trunkList = m.trunk?.length === 1 ? m.trunk[0]! : `one of ${m.trunk?.join(', ')}`;
  const headers = Object.entries(m.header ?? {}).map(([name, match]) => {
    const matcher = compileHeaderMatcher(name, match);
    return { name: name.toLowerCase(), matcher, failed: failure(index, route.name, 'header', `not matched: ${matcher.describeMiss}`) };
  });
  const failed: Partial<Record<Condition, RuleEntry>> = {};
  if (m.trunk) failed.trunk = failure(index, route.name, 'trunk', `not matched: trunk is not ${trunkList}`);
  if (to) failed.to = failure(index, route.name, 'to', `not matched: ${to.describeMiss}`);
  if (from) failed.from = failure(index, route.name, 'from', `not matched: ${from.describeMiss}`);
  return {
    index,
    name: route.name,
    trunks: m.trunk ? new Set(m.trunk) : undefined,
    trunkDescribe: `trunk is ${trunkList}`,
    to,
    toExact: m.to?.kind === 'exact',
    from,
    fromExact: m.from?.kind === 'exact',
    headers,
    schedule: m.schedule && { compiled: ctx.schedules.get(m.schedule.schedule)!, open: m.schedule.open },
    steps: ctx.compiler.compile(route.then),
    failed,
  };
}

export class Router {
  /** Trunk identification for the SIP layer. */
  readonly trunks: TrunkIdentifier;
  private readonly rules: readonly CompiledRule[];
  private readonly chains: ReadonlyMap<ChainId, readonly CompiledStep[]>;
  private readonly lowerCaseHeaders: boolean;
  private readonly numbering: Config['numbering'];
  private readonly exactTo: ExactNumberIndex;
  private readonly exactFrom: ExactNumberIndex;

  constructor(config: Config) {
    this.numbering = config.numbering;
    this.trunks = new TrunkIdentifier(config);
    const schedules = new Map(Object.entries(config.schedules).map(([name, s]) => [name, compileSchedule(name, s)]));
    const compiler = new ChainCompiler(config, schedules);

    const chains = new Map<ChainId, readonly CompiledStep[]>();
    for (const [name, queue] of Object.entries(config.queues)) {
      chains.set(chainId.queueFull(name), compiler.compile(queue.on_full));
      chains.set(chainId.queueTimeout(name), compiler.compile(queue.on_timeout));
    }
    for (const [name, menu] of Object.entries(config.ivr)) {
      for (const [key, steps] of Object.entries(menu.options)) chains.set(chainId.ivrOption(name, key), compiler.compile(steps));
      chains.set(chainId.ivrFailure(name), compiler.compile(menu.on_failure));
    }
    this.chains = chains;

    this.exactTo = new ExactNumberIndex(config.routes.length);
    this.exactFrom = new ExactNumberIndex(config.routes.length);
    const context: RuleContext = { config, schedules, compiler, exactTo: this.exactTo, exactFrom: this.exactFrom };
    this.rules = config.routes.map((route, index) => compileRule(route, index, context));
    this.lowerCaseHeaders = this.rules.some((r) => r.headers.length > 0);
  }

  /** The decision for a call at an instant. Never throws for any call; no match gives reject 404. */
  decide(call: CallFacts, instant: number, state: RoutingState): Decision {
    const trace: TraceEntry[] = [];
    const to = normaliseNumber(call.to, this.numbering);
    const from = normaliseNumber(call.from, this.numbering);
    let trunk = call.trunk;
    let trunkNote = trunk === undefined ? 'no trunk' : `trunk ${trunk}`;
    if (trunk === undefined && call.sourceAddress !== undefined) {
      const hit = this.trunks.bySource(call.sourceAddress);
      trunk = hit?.trunk;
      trunkNote = hit ? `trunk ${hit.trunk} (source ${call.sourceAddress} in ${hit.cidr})` : `no trunk (source ${call.sourceAddress} matches none)`;
    }
    trace.push({
      kind: 'call',
      detail: `to ${JSON.stringify(to)}${to === call.to ? '' : ` (received ${JSON.stringify(call.to)})`}, from ${JSON.stringify(from)}${
        from === call.from ? '' : ` (received ${JSON.stringify(call.from)})`
      }, ${trunkNote}`,
    });
    const headers = this.lowerCaseHeaders ? lowerCaseKeys(call.headers) : undefined;
    this.exactTo.mark(to);
    this.exactFrom.mark(from);
    const ctx = this.context(instant, state, trace);
    const facts = { to, from, ...(trunk === undefined ? {} : { trunk }) };

    for (const rule of this.rules) {
      const failed = this.firstFailure(rule, trunk, to, from, headers, ctx);
      if (failed) {
        trace.push(failed);
        continue;
      }
      trace.push({ kind: 'rule', index: rule.index, rule: rule.name, matched: true, detail: this.matchedDetail(rule, ctx) });
      return { rule: rule.name, call: facts, actions: resolveChain(rule.steps, ctx), trace };
    }
    trace.push({ kind: 'default', detail: `no rule matched: reject ${DEFAULT_REJECT.status} ${DEFAULT_REJECT.reason}` });
    return { rule: null, call: facts, actions: [DEFAULT_REJECT], trace };
  }

  /** Resolves a chain that runs later in a call (an IVR option, a queue overflow) at its own instant. */
  resolveChain(id: ChainId, instant: number, state: RoutingState): ChainResolution {
    const steps = this.chains.get(id);
    if (!steps) throw new RangeError(`unknown chain ${id}; known chains: ${[...this.chains.keys()].join(', ')}`);
    const trace: TraceEntry[] = [{ kind: 'call', detail: `chain ${id}` }];
    return { actions: resolveChain(steps, this.context(instant, state, trace)), trace };
  }

  /** Every chain id that `resolveChain` accepts. */
  chainIds(): ChainId[] {
    return [...this.chains.keys()];
  }

  private context(instant: number, state: RoutingState, trace: TraceEntry[]): ResolveContext {
    let memo: Map<CompiledSchedule, ScheduleState> | undefined;
    return {
      instant,
      state,
      trace,
      chains: this.chains,
      scheduleState(schedule) {
        memo ??= new Map();
        let s = memo.get(schedule);
        if (!s) {
          s = schedule.isOpen(instant);
          memo.set(schedule, s);
        }
        return s;
      },
    };
  }

  private firstFailure(
    rule: CompiledRule,
    trunk: string | undefined,
    to: string,
    from: string,
    headers: ReadonlyMap<string, string> | undefined,
    ctx: ResolveContext,
  ): RuleEntry | undefined {
    if (rule.trunks && (trunk === undefined || !rule.trunks.has(trunk))) return rule.failed.trunk;
    if (rule.to && !(rule.toExact ? this.exactTo.has(rule.index) : rule.to.test(to))) return rule.failed.to;
    if (rule.from && !(rule.fromExact ? this.exactFrom.has(rule.index) : rule.from.test(from))) return rule.failed.from;
    for (const h of rule.headers) {
      if (!h.matcher.test(headers!.get(h.name))) return h.failed;
    }
    if (rule.schedule) {
      const s = ctx.scheduleState(rule.schedule.compiled);
      if (s.open !== rule.schedule.open) {
        return {
          kind: 'rule',
          index: rule.index,
          rule: rule.name,
          matched: false,
          condition: 'schedule',
          detail: `not matched: needs schedule ${rule.schedule.compiled.name} ${rule.schedule.open ? 'open' : 'not open'}; ${describeSchedule(rule.schedule.compiled.name, s)}`,
        };
      }
    }
    return undefined;
  }

  private matchedDetail(rule: CompiledRule, ctx: ResolveContext): string {
    const parts: string[] = [];
    if (rule.trunks) parts.push(rule.trunkDescribe);
    if (rule.to) parts.push(rule.to.describe);
    if (rule.from) parts.push(rule.from.describe);
    for (const h of rule.headers) parts.push(h.matcher.describe);
    if (rule.schedule) parts.push(describeSchedule(rule.schedule.compiled.name, ctx.scheduleState(rule.schedule.compiled)));
    return parts.length === 0 ? 'matched: the rule has no conditions' : `matched: ${parts.join('; ')}`;
  }
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const name in headers) out.set(name.toLowerCase(), headers[name]!);
  return out;
}

/** Compiles a validated configuration into a router. */
export function compileRouter(config: Config): Router {
  return new Router(config);
}
