/**
 * Reads a bench's command-line flags one at a time, with one-line errors for a missing
 * value or a number out of range, so every bench parses its options the same way.
 *
 * @example
 *   const r = new FlagReader(argv);
 *   for (let flag = r.next(); flag !== undefined; flag = r.next()) {
 *     if (flag === '--seconds') o.seconds = r.number(1);
 *   }
 */
export class FlagReader {
  private i = -1;
  private flag = '';

  constructor(private readonly argv: readonly string[]) {}

  /** The next flag, or undefined at the end. */
  next(): string | undefined {
    this.flag = this.argv[++this.i] ?? '';
    return this.i < this.argv.length ? this.flag : undefined;
  }

  /** The current flag's value (the next argument). */
  value(): string {
    const v = this.argv[++this.i];
    if (v === undefined) throw new Error(`${this.flag} needs a value`);
    return v;
  }

  /** The current flag's value as a number ≥ min (a whole one with `integer`). */
  number(min: number, integer = false): number {
    const v = this.value();
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) throw new Error(`${this.flag} wants ${integer ? 'a whole number' : 'a number'} ≥ ${min}, got "${v}"`);
    return n;
  }
}
