/**
 * Turns a routing target into the SIP legs that reach it: a user's registered and static
 * contacts ring together; a number goes to its trunk's gateways one after another
 * (failover); a URI is one leg. Registered contacts are reached through the address the
 * REGISTER came from (the flow), never through whatever host the Contact names, so a
 * registration cannot send Switchboard to a network it has not heard from.
 *
 * @example
 *   const group = dialGroup(target, { contactsOf: (u) => registrar.contactsOf(u), gatewayUsable: (g) => blackouts.isInService(g) });
 *   group.legs; // [{ uri: 'sip:alice@10.0.0.7:5062', via: 'sip:127.0.0.1:5062' }, …]
 */
import type { ResolvedTarget } from '../../routing/index.js';

export interface RegisteredContact {
  /** The Contact URI the device registered. */
  readonly uri: string;
  /** Where the REGISTER came from, as a SIP URI to send through (e.g. "sip:127.0.0.1:5062;transport=udp"). */
  readonly via?: string;
}

export interface DialLeg {
  readonly uri: string;
  /** Send the INVITE to this address instead of the Request-URI's host (outbound proxy). */
  readonly via?: string;
  /** The gateway this leg goes through (number targets). */
  readonly gateway?: string;
}

export interface DialGroup {
  /** For traces and CDRs: "user alice", "uri sip:…", "number +1… via carrier-a". */
  readonly label: string;
  /** parallel: the legs ring at once (a user's devices); failover: one after another (gateways). */
  readonly mode: 'parallel' | 'failover';
  readonly legs: readonly DialLeg[];
  /** Ring timeout; 0: none of our own (the far end or Timer C decides). */
  readonly timeoutMs: number;
  /** The trunk of a number target (its failover settings apply). */
  readonly trunk?: string;
}

export interface DialContext {
  contactsOf(user: string): readonly RegisteredContact[];
  gatewayUsable(gateway: string): boolean;
}

export function dialGroup(target: ResolvedTarget, ctx: DialContext): DialGroup {
  switch (target.kind) {
    case 'uri':
      return { label: `uri ${target.uri}`, mode: 'parallel', legs: [{ uri: target.uri }], timeoutMs: target.timeoutMs };
    case 'user': {
      const legs: DialLeg[] = ctx.contactsOf(target.user).map((c) => (c.via === undefined ? { uri: c.uri } : { uri: c.uri, via: c.via }));
      for (const uri of target.contacts) legs.push({ uri });
      return { label: `user ${target.user}`, mode: 'parallel', legs, timeoutMs: target.timeoutMs };
    }
    case 'number': {
      const usable = target.gateways.filter((g) => ctx.gatewayUsable(g));
      return {
        label: `number ${target.number} via ${target.trunk}`,
        mode: 'failover',
        legs: usable.map((gateway) => ({ uri: numberAt(target.number, gateway), gateway })),
        timeoutMs: target.timeoutMs,
        trunk: target.trunk,
      };
    }
  }
}

/** The gateway URI with the number as its user part: sip:127.0.0.1:5080;transport=tcp -> sip:+1…@127.0.0.1:5080;transport=tcp. */
export function numberAt(number: string, gateway: string): string {
  return gateway.replace(/^(sips?:)(?:[^@;]*@)?/i, `$1${number}@`);
}
