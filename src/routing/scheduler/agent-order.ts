/**
 * Which offerable agent a queue's strategy prefers, as a strict total order on the
 * queue's memberships (smaller = offered first). Every key is constant while the agent
 * sits in the index: the scheduler only changes it while the agent is out of the index
 * (ringing, on a call, paused, logged out). So the keys are copied into the membership
 * as it enters the index (keyMembership), and one comparison serves every strategy: the
 * heaps compare numbers on the membership itself, without reading the agent.
 *
 * | strategy       | key (ascending)                                                         |
 * | -------------- | ----------------------------------------------------------------------- |
 * | `longest-idle` | missed-last-offer, idle since, member index                             |
 * | `fewest-calls` | missed-last-offer, calls answered since login, idle since, member index |
 * | `round-robin`  | missed-last-offer, last offer from this queue (never = first), member index |
 * | `linear`       | missed-last-offer, member index                                         |
 * | `ring-all`     | member index (every qualified agent rings anyway)                       |
 *
 * "missed-last-offer" (the agent's consecutive-miss streak is non-zero) sends an agent
 * who just let a call ring out behind every agent who did not, whatever the strategy, so
 * the call goes to the next agent instead of ringing the same phone again.
 *
 * @example
 *   keyMembership(aliceInSupport);              // as Alice becomes offerable
 *   keyMembership(bobInSupport);
 *   memberBefore(aliceInSupport, bobInSupport); // true if Alice has been idle longer (longest-idle)
 */
import type { Membership } from './records.js';

/** Copies the strategy's keys from the agent's facts into the membership (key0, key1, key2). */
export function keyMembership(m: Membership): void {
  const agent = m.agent;
  const missed = agent.missedInARow > 0 ? 1 : 0;
  switch (m.queue.strategy) {
    case 'longest-idle':
      m.setKeys(missed, agent.idleSince, 0);
      return;
    case 'fewest-calls':
      m.setKeys(missed, agent.answered, agent.idleSince);
      return;
    case 'round-robin':
      m.setKeys(missed, m.lastOfferSeq, 0);
      return;
    case 'linear':
      m.setKeys(missed, 0, 0);
      return;
    case 'ring-all':
      m.setKeys(0, 0, 0);
      return;
  }
}

/** The strategy's order on keyed memberships: keys in turn, then member index. */
export function memberBefore(a: Membership, b: Membership): boolean {
  if (a.key0 !== b.key0) return a.key0 < b.key0;
  if (a.key1 !== b.key1) return a.key1 < b.key1;
  if (a.key2 !== b.key2) return a.key2 < b.key2;
  return a.memberIndex < b.memberIndex;
}
