/**
 * Skill matching. An agent qualifies for a requirement when every needed skill is at
 * least the minimum level. Because later stages only relax (checked when the scheduler
 * is built), an agent who qualifies at stage i qualifies at every later stage, so one
 * number per (agent, queue), the entry stage, says where the agent starts to qualify.
 *
 * @example
 *   qualifies({ en: 4, billing: 2 }, { en: 3 });                  // true
 *   entryStage({ en: 2 }, [{ afterMs: 0, need: { en: 3 } },
 *                          { afterMs: 60_000, need: { en: 1 } }]); // 1
 *   relaxes({ en: 3, billing: 2 }, { en: 1 });                     // true
 */
import type { SkillNeed, SkillStage } from './types.js';

export function qualifies(skills: Readonly<Record<string, number>>, need: SkillNeed): boolean {
  for (const skill in need) {
    const level = skills[skill];
    if (level === undefined || level < (need[skill] as number)) return false;
  }
  return true;
}

/** The first stage at which the agent qualifies, or -1 if never. */
export function entryStage(skills: Readonly<Record<string, number>>, stages: readonly SkillStage[]): number {
  for (let i = 0; i < stages.length; i++) if (qualifies(skills, (stages[i] as SkillStage).need)) return i;
  return -1;
}

/** True when every agent meeting `earlier` also meets `later` (later is the same or weaker). */
export function relaxes(earlier: SkillNeed, later: SkillNeed): boolean {
  for (const skill in later) {
    const before = earlier[skill];
    if (before === undefined || before < (later[skill] as number)) return false;
  }
  return true;
}
