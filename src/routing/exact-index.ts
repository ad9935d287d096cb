/**
 * Which rules list a number in an exact match, answered for every rule at once.
 *
 * Most rules in a large table are exact called-number rules. Testing each against the
 * call costs a comparison and an indirect call per rule; instead one hash lookup per
 * decision stamps the few rules that list the number, and each rule then checks its
 * stamp. Stamps carry a generation so nothing is cleared between decisions.
 *
 * @example
 *   const index = new ExactNumberIndex(3);
 *   index.add('+18005550100', 0);
 *   index.add('+18005550100', 2);
 *   index.mark('+18005550100');
 *   index.has(0); // true
 *   index.has(1); // false
 */
export class ExactNumberIndex {
  private readonly byNumber = new Map<string, number[]>();
  private readonly stamps: Uint32Array;
  private generation = 0;

  constructor(ruleCount: number) {
    this.stamps = new Uint32Array(ruleCount);
  }

  add(number: string, rule: number): void {
    const rules = this.byNumber.get(number);
    if (rules) rules.push(rule);
    else this.byNumber.set(number, [rule]);
  }

  /** Marks the rules that list `number`; `has` answers for this number until the next `mark`. */
  mark(number: string): void {
    if (this.generation === 0xffffffff) {
      this.stamps.fill(0);
      this.generation = 0;
    }
    const generation = ++this.generation;
    const rules = this.byNumber.get(number);
    if (rules) for (const rule of rules) this.stamps[rule] = generation;
  }

  has(rule: number): boolean {
    return this.stamps[rule] === this.generation;
  }
}
