/** Spec builders and a small harness for the scheduler's scenario tests. */
import { expect } from 'vitest';
import { QueueScheduler } from '../../../../src/routing/scheduler/scheduler.js';
import type { SchedulerEvent } from '../../../../src/routing/scheduler/events.js';
import type { DispatchResult, Offer } from '../../../../src/routing/scheduler/results.js';
import type { AgentSpec, QueueSpec } from '../../../../src/routing/scheduler/types.js';

export function queue(id: string, members: readonly string[], over: Partial<QueueSpec> = {}): QueueSpec {
  return { id, strategy: 'longest-idle', stages: [{ afterMs: 0, need: {} }], agingMs: 60_000, members, ...over };
}

export function agent(id: string, over: Partial<AgentSpec> = {}): AgentSpec {
  return { id, skills: {}, maxCalls: 1, wrapUpMs: 0, ...over };
}

export function build(queues: readonly QueueSpec[], agents: readonly AgentSpec[]): { s: QueueScheduler; events: SchedulerEvent[] } {
  const events: SchedulerEvent[] = [];
  const s = new QueueScheduler({ queues, agents }, { onEvent: (e) => events.push(e) });
  return { s, events };
}

/** Offers as "call>agent[,agent]" strings, in order. */
export function pairs(result: DispatchResult): string[] {
  return result.offers.map((o: Offer) => `${o.callId}>${o.agentIds.join(',')}`);
}

export function ok(result: { ok: boolean; message?: string }): void {
  expect(result, result.ok ? '' : (result as { message: string }).message).toMatchObject({ ok: true });
}

export function loginAll(s: QueueScheduler, ids: readonly string[], now: number): void {
  for (const id of ids) ok(s.login(id, now));
}

/** Answers then ends every offered call at the given times (one agent per offer). */
export function serve(s: QueueScheduler, result: DispatchResult, answerAt: number, endAt?: number): void {
  for (const o of result.offers) {
    ok(s.offerAnswered(o.callId, o.agentIds[0] as string, answerAt));
    if (endAt !== undefined) ok(s.callEnded(o.callId, endAt));
  }
}

/** Deterministic PRNG (mulberry32) for randomized tests: uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Agent `a` (logged in at 0) takes a call every 10 s while priority-2 callers arrive in
 * `high` every 5 s, twice what it can take; one priority-0 caller `low` waits in `low`
 * from 0. Returns the calls served, up to and including `low` (or until 300 s).
 */
export function serveUnderPriorityStream(s: QueueScheduler, queues: { readonly low: string; readonly high: string }): string[] {
  ok(s.login('a', 0));
  ok(s.enqueue({ callId: 'low', queueId: queues.low, priority: 0, now: 0 }));
  const served: string[] = [];
  let talking: { callId: string; endAt: number } | undefined;
  for (let t = 0, n = 0; t <= 300_000 && !served.includes('low'); t += 5_000) {
    if (talking !== undefined && talking.endAt <= t) {
      ok(s.callEnded(talking.callId, t));
      talking = undefined;
    }
    ok(s.enqueue({ callId: `high${n++}`, queueId: queues.high, priority: 2, now: t }));
    const offer = s.dispatch(t).offers[0];
    if (offer === undefined) continue;
    served.push(offer.callId);
    ok(s.offerAnswered(offer.callId, 'a', t));
    talking = { callId: offer.callId, endAt: t + 10_000 };
  }
  return served;
}
