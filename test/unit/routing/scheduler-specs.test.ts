import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.js';
import { parseConfig } from '../../../src/config/load.js';
import { toSchedulerSpecs } from '../../../src/routing/scheduler-specs.js';
import { yaml } from '../config/helpers.js';

describe('mapping queues and agents onto the scheduler inputs', () => {
  const config = parseConfig(
    yaml`
      users: { a: { password: a-secret-1 }, b: { password: b-secret-1 }, c: { password: c-secret-1 } }
      agents:
        a: { skills: { en: 5, de: 2 }, max_calls: 2, wrap_up: 15s }
        b: { skills: { en: 3 }, auto_pause_after: 7 }
        c: { skills: { en: 1 } }
      queues:
        support:
          strategy: linear
          members: [b, a, c]
          skills: { need: { en: 3, de: 1 }, relax: [{ after: 60s, need: { en: 2 } }, { after: 2m, need: {} }] }
          aging: 30s
          max_size: 50
          max_wait: 10m
          offer: { auto_pause_after: 3 }
        sales:
          members: [a, c]
          offer: { auto_pause_after: 5 }
        plain:
          members: [c]
    `,
    'specs.yaml',
  );
  const { queues, agents } = toSchedulerSpecs(config);

  it('maps queues: strategy, stages from need and relax, aging, limits and member order', () => {
    expect(queues).toEqual([
      {
        id: 'support',
        strategy: 'linear',
        stages: [
          { afterMs: 0, need: { en: 3, de: 1 } },
          { afterMs: 60_000, need: { en: 2 } },
          { afterMs: 120_000, need: {} },
        ],
        agingMs: 30_000,
        maxSize: 50,
        maxWaitMs: 600_000,
        members: ['b', 'a', 'c'],
      },
      { id: 'sales', strategy: 'longest-idle', stages: [{ afterMs: 0, need: {} }], agingMs: 60_000, members: ['a', 'c'] },
      { id: 'plain', strategy: 'longest-idle', stages: [{ afterMs: 0, need: {} }], agingMs: 60_000, members: ['c'] },
    ]);
    expect('maxSize' in queues[1]!).toBe(false); // unbounded is absent, not undefined-valued
  });

  it('maps agents; auto-pause comes from the agent, else the strictest of its queues, else never', () => {
    expect(agents).toEqual([
      { id: 'a', skills: { en: 5, de: 2 }, maxCalls: 2, wrapUpMs: 15_000, maxMissedOffers: 3 },
      { id: 'b', skills: { en: 3 }, maxCalls: 1, wrapUpMs: 0, maxMissedOffers: 7 },
      { id: 'c', skills: { en: 1 }, maxCalls: 1, wrapUpMs: 0, maxMissedOffers: 3 },
    ]);
    const lone = toSchedulerSpecs(parseConfig('users: { x: { password: x-secret-1 } }\nagents: { x: {} }\n', 'x.yaml'));
    expect(lone.agents).toEqual([{ id: 'x', skills: {}, maxCalls: 1, wrapUpMs: 0 }]);
  });

  it('maps the example configuration with stages that only ever relax', async () => {
    const example = toSchedulerSpecs(await loadConfigFile('config/switchboard.example.yaml'));
    expect(example.queues.map((q) => q.id)).toEqual(['support', 'support-overflow', 'billing', 'german', 'lobby']);
    for (const q of example.queues) {
      expect(q.stages[0]!.afterMs).toBe(0);
      for (let i = 1; i < q.stages.length; i++) {
        expect(q.stages[i]!.afterMs).toBeGreaterThan(q.stages[i - 1]!.afterMs);
        for (const [skill, level] of Object.entries(q.stages[i]!.need)) {
          expect(level).toBeLessThanOrEqual(q.stages[i - 1]!.need[skill]!);
        }
      }
    }
  });
});
