/**
 * Relaxation with several skills (the example: after 60 s accept level 2 and up,
 * after 120 s any agent with the language), and aging that keeps a low-priority caller
 * from starving when the priority stream comes from another queue the agent serves.
 *
 * | agent skills (need en>=4 billing>=3; 60 s: en>=2 billing>=1; 120 s: en>=1) | first offered after |
 * |------------------------------------------------------------------------------|---------------------|
 * | en 4, billing 3                                                              | 0 s                 |
 * | en 2, billing 1                                                              | 60 s                |
 * | en 1 (no billing)                                                            | 120 s               |
 * | no en                                                                        | never               |
 */
import { describe, expect, it } from 'vitest';
import type { SkillStage } from '../../../../src/routing/scheduler/types.js';
import { agent, build, ok, pairs, queue, serveUnderPriorityStream } from './helpers.js';

const STAGES: SkillStage[] = [
  { afterMs: 0, need: { en: 4, billing: 3 } },
  { afterMs: 60_000, need: { en: 2, billing: 1 } },
  { afterMs: 120_000, need: { en: 1 } },
];
/** Dispatch instants: each side of every relaxation step, and long after. */
const PROBES = [0, 59_999, 60_000, 119_999, 120_000, 600_000];

describe('relaxation in steps over several skills', () => {
  it.each<[Record<string, number>, number | null]>([
    [{ en: 5, billing: 5 }, 0],
    [{ en: 4, billing: 3 }, 0], // the minimums themselves
    [{ en: 3, billing: 3 }, 60_000],
    [{ en: 5, billing: 2 }, 60_000],
    [{ en: 2, billing: 1 }, 60_000],
    [{ en: 1, billing: 5 }, 120_000],
    [{ en: 5 }, 120_000], // billing dropped at the last step
    [{ en: 1 }, 120_000],
    [{ de: 5, billing: 5 }, null], // never: the language is kept to the end
  ])('an agent with %j is first offered the call at %s ms', (skills, first) => {
    const { s } = build([queue('q', ['a'], { stages: STAGES })], [agent('a', { skills })]);
    ok(s.login('a', 0));
    ok(s.enqueue({ callId: 'k', queueId: 'q', now: 0 }));
    let offeredAt: number | null = null;
    for (const t of PROBES) {
      if (pairs(s.dispatch(t)).length > 0) {
        offeredAt = t;
        break;
      }
    }
    expect(offeredAt).toBe(first);
  });

  it('announces each relaxation step as the next deadline while nobody qualifies', () => {
    const { s } = build([queue('q', ['a'], { stages: STAGES })], [agent('a', { skills: { en: 1 } })]);
    ok(s.login('a', 0));
    ok(s.enqueue({ callId: 'k', queueId: 'q', now: 5_000 }));
    expect(s.dispatch(5_000).offers).toEqual([]);
    expect(s.nextDeadline()).toBe(65_000);
    expect(s.dispatch(65_000).offers).toEqual([]);
    expect(s.nextDeadline()).toBe(125_000);
    expect(pairs(s.dispatch(125_000))).toEqual(['k>a']);
  });

  it('relaxes each caller on its own clock: the caller who waited longer relaxes first', () => {
    const { s } = build([queue('q', ['a'], { stages: STAGES })], [agent('a', { skills: { en: 2, billing: 1 } })]);
    ok(s.enqueue({ callId: 'first', queueId: 'q', now: 0 }));
    ok(s.enqueue({ callId: 'second', queueId: 'q', now: 30_000 }));
    ok(s.login('a', 59_000));
    expect(s.dispatch(59_000).offers).toEqual([]);
    expect(pairs(s.dispatch(60_000))).toEqual(['first>a']);
    ok(s.offerAnswered('first', 'a', 60_000));
    ok(s.callEnded('first', 70_000));
    expect(s.dispatch(70_000).offers).toEqual([]); // 'second' has waited 40 s
    expect(pairs(s.dispatch(90_000))).toEqual(['second>a']);
  });
});

describe('priority aging across queues: no starvation', () => {
  it('a low-priority caller in one queue is served once it has aged past a priority stream in another', () => {
    // As in ordering.test.ts, but the priority callers wait in another queue of the same
    // agent: the 60 s head start of priority 2 (aging 30 s) lets high0..high11 go first.
    const agingMs = 30_000;
    const { s } = build([queue('vip', ['a'], { agingMs }), queue('general', ['a'], { agingMs })], [agent('a')]);
    const served = serveUnderPriorityStream(s, { low: 'general', high: 'vip' });
    expect(served).toEqual([...Array.from({ length: (2 * agingMs) / 5_000 }, (_, i) => `high${i}`), 'low']);
  });

  it.each([
    [0, 'low'], // equal priority: first come, first served across queues
    [1, 'low'], // one level is worth 60 s; the low caller has waited 90 s
    [2, 'high'], // two levels are worth 120 s
  ])('a priority-%i caller arriving 90 s after a priority-0 caller in another queue: %s goes first', (priority, first) => {
    const { s } = build([queue('vip', ['a'], { agingMs: 60_000 }), queue('general', ['a'], { agingMs: 60_000 })], [agent('a')]);
    ok(s.enqueue({ callId: 'low', queueId: 'general', priority: 0, now: 0 }));
    ok(s.enqueue({ callId: 'high', queueId: 'vip', priority, now: 90_000 }));
    ok(s.login('a', 90_000));
    expect(s.dispatch(90_000).offers[0]?.callId).toBe(first);
  });
});
