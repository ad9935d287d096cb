/**
 * The routing core: pure decisions over a compiled configuration.
 *
 * @example
 *   import { compileRouter, InMemoryRoutingState } from './routing/index.js';
 *   const router = compileRouter(config);
 *   const decision = router.decide({ to: '+18005550100', from: '+14155550123', headers: {} }, Date.now(), new InMemoryRoutingState());
 */
export type { Action, ChainId, ChainResolution, Condition, Decision, Outcome, ResolvedTarget, TraceEntry } from './decision.js';
export { DEFAULT_REJECT } from './decision.js';
export { formatAction, formatDecision, formatResolution } from './format.js';
export { CidrTable, formatIp, parseCidr, parseIp, type Cidr, type IpAddress } from './ip-address.js';
export { normaliseNumber } from './numbers.js';
export { compileRouter, Router, type CallFacts } from './router.js';
export { toSchedulerSpecs } from './scheduler-specs.js';
export { compileSchedule, CompiledSchedule, isOpen, type ScheduleState } from './schedule/schedule.js';
export { ZoneOffsets } from './schedule/zone.js';
export { InMemoryRoutingState, type InMemoryRoutingStateOptions, type RoutingState } from './state.js';
export { TrunkIdentifier, type SourceMatch } from './trunk-identifier.js';
