/**
 * The agent state machine. An agent's state is derived from a few independent facts
 * (logged in, pause reason, ringing offer, calls in progress, wrap-up) so that they can
 * overlap (an agent can pause during a call; an agent with maxCalls 2 can ring while on
 * a call). The displayed state is the first that applies, top to bottom:
 *
 * | state        | when                                                         |
 * | ------------ | ------------------------------------------------------------ |
 * | `logged-out` | not logged in                                                |
 * | `offered`    | a call is ringing the agent                                  |
 * | `on-call`    | at least one answered call in progress                       |
 * | `wrap-up`    | after-call work: wrapUpMs after the last call ended          |
 * | `paused`     | pause reason set (and nothing of the above)                  |
 * | `available`  | otherwise                                                    |
 *
 * Transitions (operation -> legal from -> to; anything else is an illegal transition,
 * which the admin API reports as 409):
 *
 * | operation              | legal from                         | to                                                      |
 * | ---------------------- | ---------------------------------- | ------------------------------------------------------- |
 * | `login`                | logged-out                         | available (answered count and miss streak reset)        |
 * | `logout`               | available, paused, wrap-up         | logged-out (pause reason and wrap-up dropped)           |
 * | `pause(reason)`        | any logged-in state without reason | paused once ringing, calls and wrap-up are over          |
 * | `unpause`              | any state with a pause reason      | the underlying state; miss streak reset                 |
 * | `dispatch` (offer)     | available; on-call below maxCalls  | offered                                                 |
 * | `offerAnswered`        | offered                            | on-call; miss streak reset; answered count + 1          |
 * | `offerMissed`          | offered                            | previous work state; paused 'missed-offers' at the Nth  |
 * |                        |                                    | consecutive miss (AgentSpec.maxMissedOffers)            |
 * | `offerCancelled`, an answer elsewhere (ring-all), the caller abandoning | offered | previous work state, idle time kept |
 * | `callEnded`            | on-call                            | wrap-up (wrapUpMs > 0), else available / on-call        |
 * | wrap-up elapsed        | wrap-up (seen by `dispatch(now)`)  | available, or paused if a reason was set meanwhile      |
 *
 * An agent can be offered a call ("is offerable") exactly when it is logged in, has no
 * pause reason, is not ringing, not in wrap-up, and has fewer calls than maxCalls.
 *
 * @example
 *   displayedState({ loggedIn: true, pauseReason: 'lunch', offer: null, activeCalls: 1, wrapUpUntil: undefined });
 *   // 'on-call' (the pause takes effect when the call ends)
 */
export type AgentState = 'logged-out' | 'available' | 'offered' | 'on-call' | 'wrap-up' | 'paused';

export const AGENT_STATES: readonly AgentState[] = ['logged-out', 'available', 'offered', 'on-call', 'wrap-up', 'paused'];

/** The facts the displayed state is derived from. */
export interface AgentFacts {
  readonly loggedIn: boolean;
  readonly pauseReason: string | undefined;
  readonly offer: unknown;
  readonly activeCalls: number;
  readonly wrapUpUntil: number | undefined;
}

export function displayedState(a: AgentFacts): AgentState {
  if (!a.loggedIn) return 'logged-out';
  if (a.offer !== null) return 'offered';
  if (a.activeCalls > 0) return 'on-call';
  if (a.wrapUpUntil !== undefined) return 'wrap-up';
  if (a.pauseReason !== undefined) return 'paused';
  return 'available';
}

/** The reason an agent is paused automatically after too many consecutive missed offers. */
export const MISSED_OFFERS_REASON = 'missed-offers';
