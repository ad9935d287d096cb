/**
 * Strings that a finished transaction keeps for tens of seconds, made independent of the
 * message text they were cut from. V8 cuts substrings of 13 characters or more as slices
 * that keep the whole parent alive (a tag kept a 400-byte response text), and short ones
 * as fresh copies per message (a method name per transaction): shared constants for the
 * common values, and a copy for the rest.
 */
const METHODS = new Map(['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'UPDATE', 'INFO', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'MESSAGE', 'PUBLISH'].map((m) => [m, m]));

/** The shared constant for a standard method name, else the name itself. */
export function internMethod(method: string): string {
  return METHODS.get(method) ?? method;
}

/**
 * A flat copy of `s` that keeps nothing else alive: one string object. A slice would keep
 * its parent (the message text, or a concatenation made to copy it); joining the
 * characters writes a new sequential string (single characters are V8's cached ones).
 */
export function detachedCopy(s: string): string {
  return s.split('').join('');
}

/** A few peer addresses, each as one shared string instead of one per datagram. */
export class AddressInterner {
  private readonly known = new Map<string, string>();

  constructor(private readonly limit = 4096) {}

  intern(address: string): string {
    const known = this.known.get(address);
    if (known !== undefined) return known;
    // A scan or spoofed flood must not grow the table without bound: start over.
    if (this.known.size >= this.limit) this.known.clear();
    this.known.set(address, address);
    return address;
  }
}
