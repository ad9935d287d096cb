/**
 * Which offerable agent a queue's strategy prefers, as a strict total order on the
 * queue's memberships (smaller = offered first). Every key is constant while the agent
 * sits in the index: the scheduler only changes it while the agent is out of the index
 * (ringing, on a call, paused, logged out).
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
 *   const before = memberOrder('longest-idle');
 *   before(aliceInSupport, bobInSupport); // true if Alice has been idle longer
 */
import type { Membership } from './records.js';
import type { QueueStrategy } from './types.js';

export type MemberOrder = (a: Membership, b: Membership) => boolean;

export function memberOrder(strategy: QueueStrategy): MemberOrder {
  switch (strategy) {
    case 'longest-idle':
      return longestIdle;
    case 'fewest-calls':
      return fewestCalls;
    case 'round-robin':
      return roundRobin;
    case 'linear':
      return linear;
    case 'ring-all':
      return byMemberIndex;
  }
}

function missedFirst(a: Membership, b: Membership): number {
  return (a.agent.missedInARow > 0 ? 1 : 0) - (b.agent.missedInARow > 0 ? 1 : 0);
}

function byMemberIndex(a: Membership, b: Membership): boolean {
  return a.memberIndex < b.memberIndex;
}

function idleLonger(a: Membership, b: Membership): boolean {
  if (a.agent.idleSince !== b.agent.idleSince) return a.agent.idleSince < b.agent.idleSince;
  return a.memberIndex < b.memberIndex;
}

function longestIdle(a: Membership, b: Membership): boolean {
  const m = missedFirst(a, b);
  return m !== 0 ? m < 0 : idleLonger(a, b);
}

function fewestCalls(a: Membership, b: Membership): boolean {
  const m = missedFirst(a, b);
  if (m !== 0) return m < 0;
  if (a.agent.answered !== b.agent.answered) return a.agent.answered < b.agent.answered;
  return idleLonger(a, b);
}

function roundRobin(a: Membership, b: Membership): boolean {
  const m = missedFirst(a, b);
  if (m !== 0) return m < 0;
  if (a.lastOfferSeq !== b.lastOfferSeq) return a.lastOfferSeq < b.lastOfferSeq;
  return a.memberIndex < b.memberIndex;
}

function linear(a: Membership, b: Membership): boolean {
  const m = missedFirst(a, b);
  if (m !== 0) return m < 0;
  return a.memberIndex < b.memberIndex;
}
