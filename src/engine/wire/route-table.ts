/**
 * Which application connections take new requests of each method (and `cdr:*`
 * events), chosen round-robin (docs/drachtio-wire-protocol.md §5.1). A connection
 * routes a verb at most once, so drachtio-srf's repeated `route` frames do not skew
 * the rotation.
 */
export class RouteTable<C> {
  private readonly byVerb = new Map<string, { members: C[]; next: number }>();

  add(verb: string, conn: C): void {
    let entry = this.byVerb.get(verb);
    if (entry === undefined) {
      entry = { members: [], next: 0 };
      this.byVerb.set(verb, entry);
    }
    if (!entry.members.includes(conn)) entry.members.push(conn);
  }

  remove(verb: string, conn: C): void {
    const entry = this.byVerb.get(verb);
    if (entry === undefined) return;
    const i = entry.members.indexOf(conn);
    if (i < 0) return;
    entry.members.splice(i, 1);
    if (entry.next > i) entry.next--;
    if (entry.members.length === 0) this.byVerb.delete(verb);
  }

  /** Removes a connection from every verb (it closed). */
  removeAll(conn: C, verbs: Iterable<string>): void {
    for (const v of verbs) this.remove(v, conn);
  }

  /** The next connection for `verb`, or undefined when none routed it. */
  pick(verb: string): C | undefined {
    const entry = this.byVerb.get(verb);
    if (entry === undefined) return undefined;
    if (entry.next >= entry.members.length) entry.next = 0;
    return entry.members[entry.next++];
  }

  has(verb: string): boolean {
    return this.byVerb.has(verb);
  }
}
