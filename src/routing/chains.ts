/**
 * Action chains compiled from the configuration, and their resolution at decision
 * time: user targets checked for registration, gateways for service, queues for room,
 * follow-the-sun sites for opening hours. Everything static is resolved once at compile
 * time; resolution only consults the state and the schedules.
 *
 * Resolution rules:
 * - a user target with no registration and no static contact, or a number target whose
 *   trunk has no gateway in service, is left out (traced);
 * - a ring/forward step left with no target is skipped when it continues on
 *   `unavailable`, and otherwise becomes `reject 480` and ends the chain;
 * - a queue at `max_size` is replaced by its `on_full` chain;
 * - follow-the-sun is replaced by the chain of the first open site, or the fallback;
 * - a chain that resolves to nothing left to try ends with `reject 480`.
 *
 * @example
 *   const chains = new ChainCompiler(config, schedules);
 *   const steps = chains.compile(config.routes[0].then);
 *   resolveSteps(steps, context); // { actions, ended }
 */
import type { Outcome, StepConfig, TargetConfig } from '../config/schema/actions.js';
import type { Config } from '../config/schema/config.js';
import type { Action, ChainId, ResolvedTarget, TraceEntry } from './decision.js';
import type { CompiledSchedule, ScheduleState } from './schedule/schedule.js';
import type { RoutingState } from './state.js';

type CompiledTarget =
  | { readonly kind: 'user'; readonly user: string; readonly contacts: readonly string[]; readonly timeoutMs: number }
  | { readonly kind: 'fixed'; readonly target: ResolvedTarget & { kind: 'uri' } }
  | {
      readonly kind: 'number';
      readonly number: string;
      readonly trunk: string;
      readonly gateways: readonly string[];
      readonly timeoutMs: number;
    };

export type CompiledStep =
  | {
      readonly kind: 'ring';
      readonly mode: 'simultaneous' | 'sequential';
      readonly targets: readonly CompiledTarget[];
      readonly continueOn: readonly Outcome[];
    }
  | { readonly kind: 'forward'; readonly target: CompiledTarget; readonly redirect: boolean; readonly continueOn: readonly Outcome[] }
  /** voicemail, ivr and reject: nothing left to resolve. */
  | { readonly kind: 'fixed'; readonly action: Action; readonly ends: boolean }
  | { readonly kind: 'queue'; readonly action: Action & { kind: 'queue' }; readonly maxSize: number | undefined }
  | {
      readonly kind: 'follow_the_sun';
      readonly sites: readonly { readonly name: string; readonly schedule: CompiledSchedule; readonly steps: readonly CompiledStep[] }[];
      readonly fallback: readonly CompiledStep[];
    };

/** Chain ids name the configuration key the chain is written under. */
export const chainId = {
  queueFull: (queue: string): ChainId => `queues.${queue}.on_full`,
  queueTimeout: (queue: string): ChainId => `queues.${queue}.on_timeout`,
  ivrOption: (menu: string, key: string): ChainId => `ivr.${menu}.options.${key}`,
  ivrFailure: (menu: string): ChainId => `ivr.${menu}.on_failure`,
};

export class ChainCompiler {
  constructor(
    private readonly config: Config,
    private readonly schedules: ReadonlyMap<string, CompiledSchedule>,
  ) {}

  compile(steps: readonly StepConfig[]): CompiledStep[] {
    return steps.map((step) => this.step(step));
  }

  private target(target: TargetConfig, stepTimeout: number): CompiledTarget {
    const timeoutMs = target.timeout ?? stepTimeout;
    switch (target.kind) {
      case 'user':
        return { kind: 'user', user: target.user, contacts: this.config.users[target.user]?.contacts ?? [], timeoutMs };
      case 'uri':
        return { kind: 'fixed', target: Object.freeze({ kind: 'uri', uri: target.uri, timeoutMs }) };
      case 'number':
        return {
          kind: 'number',
          number: target.number,
          trunk: target.trunk,
          gateways: Object.freeze([...(this.config.trunks[target.trunk]?.outbound?.gateways ?? [])]),
          timeoutMs,
        };
    }
  }

  private step(step: StepConfig): CompiledStep {
    switch (step.kind) {
      case 'ring':
        return {
          kind: 'ring',
          mode: step.mode,
          targets: step.targets.map((t) => this.target(t, step.timeout)),
          continueOn: step.continue_on,
        };
      case 'forward':
        // A forward has no ring timeout of its own; the far end decides when to give up.
        return { kind: 'forward', target: this.target(step.to, 0), redirect: step.redirect, continueOn: step.continue_on };
      case 'voicemail':
        return {
          kind: 'fixed',
          action: Object.freeze({ kind: 'voicemail', box: step.box, settings: this.config.voicemail[step.box]!, continueOn: step.continue_on }),
          ends: step.continue_on.length === 0,
        };
      case 'ivr': {
        const menu = this.config.ivr[step.menu]!;
        const options = Object.fromEntries(Object.keys(menu.options).map((key) => [key, chainId.ivrOption(step.menu, key)]));
        return {
          kind: 'fixed',
          action: Object.freeze({ kind: 'ivr', menu: step.menu, settings: menu, options: Object.freeze(options), onFailure: chainId.ivrFailure(step.menu) }),
          ends: true,
        };
      }
      case 'play':
        return { kind: 'fixed', action: Object.freeze({ kind: 'play', files: Object.freeze([...step.files]) }), ends: false };
      case 'reject':
        return { kind: 'fixed', action: Object.freeze({ kind: 'reject', status: step.status, reason: step.reason }), ends: true };
      case 'queue': {
        const queue = this.config.queues[step.queue]!;
        return {
          kind: 'queue',
          action: Object.freeze({
            kind: 'queue',
            queue: step.queue,
            priority: step.priority,
            settings: queue,
            onFull: chainId.queueFull(step.queue),
            onTimeout: chainId.queueTimeout(step.queue),
          }),
          maxSize: queue.max_size,
        };
      }
      case 'follow_the_sun':
        return {
          kind: 'follow_the_sun',
          sites: step.sites.map((site) => ({ name: site.name, schedule: this.schedules.get(site.schedule)!, steps: this.compile(site.then) })),
          fallback: this.compile(step.fallback),
        };
    }
  }
}

/** Per-resolution inputs and the trace being written. */
export interface ResolveContext {
  readonly instant: number;
  readonly state: RoutingState;
  readonly trace: TraceEntry[];
  readonly chains: ReadonlyMap<ChainId, readonly CompiledStep[]>;
  /** Schedule states already computed for this instant. */
  scheduleState(schedule: CompiledSchedule): ScheduleState;
}

export function describeSchedule(name: string, s: ScheduleState): string {
  return `schedule ${name} is ${s.open ? 'open' : 'closed'}: ${s.reason} (local ${s.localTime} ${s.zone})`;
}

function resolveTarget(target: CompiledTarget, ctx: ResolveContext): ResolvedTarget | undefined {
  switch (target.kind) {
    case 'fixed':
      return target.target;
    case 'user': {
      const registered = ctx.state.isRegistered(target.user);
      if (!registered && target.contacts.length === 0) {
        ctx.trace.push({ kind: 'step', detail: `user ${target.user} left out: not registered and no static contact` });
        return undefined;
      }
      return { kind: 'user', user: target.user, registered, contacts: target.contacts, timeoutMs: target.timeoutMs };
    }
    case 'number': {
      const all = target.gateways;
      const inService = all.every((g) => ctx.state.isGatewayInService(g)) ? all : all.filter((g) => ctx.state.isGatewayInService(g));
      if (inService !== all) {
        const down = all.filter((g) => !inService.includes(g));
        ctx.trace.push({ kind: 'step', detail: `trunk ${target.trunk}: gateway${down.length > 1 ? 's' : ''} ${down.join(', ')} out of service` });
      }
      if (inService.length === 0) {
        ctx.trace.push({ kind: 'step', detail: `number ${target.number} left out: trunk ${target.trunk} has no gateway in service` });
        return undefined;
      }
      return { kind: 'number', number: target.number, trunk: target.trunk, gateways: inService, timeoutMs: target.timeoutMs };
    }
  }
}

const UNAVAILABLE = Object.freeze({ kind: 'reject', status: 480, reason: 'Temporarily Unavailable' } as const);

export interface Resolved {
  readonly actions: Action[];
  /** True when the chain ended with a step that never hands the call on. */
  readonly ended: boolean;
}

export function resolveSteps(steps: readonly CompiledStep[], ctx: ResolveContext, into: Action[] = []): Resolved {
  for (const step of steps) {
    switch (step.kind) {
      case 'fixed':
        into.push(step.action);
        if (step.ends) return { actions: into, ended: true };
        break;
      case 'ring':
      case 'forward': {
        const compiled = step.kind === 'ring' ? step.targets : [step.target];
        const targets: ResolvedTarget[] = [];
        for (const t of compiled) {
          const resolved = resolveTarget(t, ctx);
          if (resolved) targets.push(resolved);
        }
        if (targets.length === 0) {
          if (step.continueOn.includes('unavailable')) {
            ctx.trace.push({ kind: 'step', detail: `${step.kind} skipped: no target available (continues on unavailable)` });
            break;
          }
          ctx.trace.push({ kind: 'step', detail: `${step.kind} has no target available and does not continue on unavailable: reject 480` });
          into.push(UNAVAILABLE);
          return { actions: into, ended: true };
        }
        into.push(
          step.kind === 'ring'
            ? { kind: 'ring', mode: step.mode, targets, continueOn: step.continueOn }
            : { kind: 'forward', target: targets[0]!, redirect: step.redirect, continueOn: step.continueOn },
        );
        if (step.continueOn.length === 0) return { actions: into, ended: true };
        break;
      }
      case 'queue': {
        const { queue } = step.action;
        if (step.maxSize !== undefined) {
          const waiting = ctx.state.queueLength(queue);
          if (waiting >= step.maxSize) {
            ctx.trace.push({ kind: 'step', detail: `queue ${queue} is full (${waiting} waiting, max_size ${step.maxSize}): on_full` });
            // The overflow replaces the queue step, which never hands the call back to its own chain.
            into.push(...resolveChain(ctx.chains.get(step.action.onFull)!, ctx));
            return { actions: into, ended: true };
          }
        }
        into.push(step.action);
        return { actions: into, ended: true };
      }
      case 'follow_the_sun': {
        let chosen: readonly CompiledStep[] | undefined;
        for (const site of step.sites) {
          const s = ctx.scheduleState(site.schedule);
          ctx.trace.push({ kind: 'step', detail: `follow-the-sun site ${site.name}: ${describeSchedule(site.schedule.name, s)}` });
          if (s.open) {
            chosen = site.steps;
            break;
          }
        }
        if (chosen === undefined) ctx.trace.push({ kind: 'step', detail: 'follow-the-sun: no site is open, using the fallback' });
        const result = resolveSteps(chosen ?? step.fallback, ctx, into);
        if (result.ended) return result;
        break;
      }
    }
  }
  return { actions: into, ended: false };
}

/** Resolves a whole chain; one that leaves nothing to try ends with reject 480. */
export function resolveChain(steps: readonly CompiledStep[], ctx: ResolveContext): Action[] {
  const { actions } = resolveSteps(steps, ctx);
  if (actions.length === 0) {
    ctx.trace.push({ kind: 'step', detail: 'nothing left to try: reject 480' });
    actions.push(UNAVAILABLE);
  }
  return actions;
}

