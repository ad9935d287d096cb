/**
 * A registration binding (RFC 3261 §10): one contact of one user (address of record),
 * with what the registrar needs to refresh, order and expire it. Bindings are plain
 * immutable values so a store can copy them to a replica (e.g. Redis) as they are.
 *
 * @example
 *   const b: Binding = {
 *     user: 'alice', key: 'sip:alice@192.0.2.10:5060', uri: 'sip:alice@192.0.2.10:5060',
 *     expiresAt: now + 3_600_000, updatedAt: now, callId: 'a84b4c76e66710', cseq: 314159,
 *     source: { address: '192.0.2.10', port: 5060, transport: 'udp' },
 *   };
 *   compareBindings(b, other); // < 0: b is tried first
 */
import type { TransportName } from '../engine/transport/types.js';

/** Where the REGISTER came from (the "received" address, for NAT traversal). */
export interface BindingSource {
  readonly address: string;
  readonly port: number;
  readonly transport: TransportName;
}

export interface Binding {
  /** The user (AOR) the contact is bound to. */
  readonly user: string;
  /** Identity of the binding within the user: see `contactKey` in register-request.ts. */
  readonly key: string;
  /** The contact URI, as the UA wrote it. */
  readonly uri: string;
  /** Epoch ms when the binding lapses. */
  readonly expiresAt: number;
  /** Epoch ms of the REGISTER that last created or refreshed it ("most recent" order). */
  readonly updatedAt: number;
  readonly callId: string;
  readonly cseq: number;
  /** Preference 0..1 from the Contact's q parameter; undefined when absent (ranks as 1). */
  readonly q?: number | undefined;
  readonly source: BindingSource;
  /** +sip.instance (RFC 5626), without the surrounding quotes, e.g. "<urn:uuid:…>". */
  readonly instance?: string | undefined;
  /** reg-id (RFC 5626). */
  readonly regId?: number | undefined;
}

/** q used for ordering: an absent q ranks with the highest preference. */
export function effectiveQ(b: Binding): number {
  return b.q ?? 1;
}

/** Order in which contacts are tried: higher q first, then the most recently refreshed, then key. */
export function compareBindings(a: Binding, b: Binding): number {
  return effectiveQ(b) - effectiveQ(a) || b.updatedAt - a.updatedAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
