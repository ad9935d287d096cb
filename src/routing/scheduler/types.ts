/**
 * The queue scheduler's input types. The config loader maps the YAML `queues:` and
 * `agents:` sections onto these; the scheduler validates the invariants it relies on.
 *
 * @example
 *   const support: QueueSpec = {
 *     id: 'support', strategy: 'longest-idle', agingMs: 30_000, maxSize: 50, maxWaitMs: 600_000,
 *     stages: [{ afterMs: 0, need: { en: 3 } }, { afterMs: 60_000, need: { en: 1 } }],
 *     members: ['alice', 'bob'],
 *   };
 *   const alice: AgentSpec = { id: 'alice', skills: { en: 5 }, maxCalls: 1, wrapUpMs: 15_000 };
 */
export type QueueStrategy = 'longest-idle' | 'fewest-calls' | 'round-robin' | 'ring-all' | 'linear';
/** skill name -> minimum proficiency level (1..5). `{}` means any member agent qualifies. */
export type SkillNeed = Readonly<Record<string, number>>;
/** Requirement stages; stage i applies once the caller has waited stages[i].afterMs. stages[0].afterMs === 0; later stages are weaker (relaxed). */
export interface SkillStage { readonly afterMs: number; readonly need: SkillNeed }
export interface QueueSpec {
  readonly id: string;
  readonly strategy: QueueStrategy;          // default 'longest-idle' (longest-waiting caller -> longest-idle agent)
  readonly stages: readonly SkillStage[];
  readonly agingMs: number;                  // one priority level is worth this much waiting time (priority aging)
  readonly maxSize?: number;                 // undefined = unbounded
  readonly maxWaitMs?: number;               // undefined = unbounded
  readonly members: readonly string[];       // agent ids, in 'linear' order
}
export interface AgentSpec {
  readonly id: string;
  readonly skills: Readonly<Record<string, number>>;   // skill -> level 1..5
  readonly maxCalls: number;                 // concurrent calls, default 1
  readonly wrapUpMs: number;                 // default 0
  readonly maxMissedOffers?: number;         // auto-pause after N consecutive missed offers; undefined = never
}
