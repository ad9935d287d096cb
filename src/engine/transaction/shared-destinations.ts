import type { Destination } from '../transport/index.js';

/**
 * One shared Destination object per UDP peer, for the transactions that keep theirs while
 * they linger (Timer J/K/L/M): at a thousand calls a second that is tens of thousands of
 * equal little objects the garbage collector would otherwise mark. Stream destinations
 * carry a connection id and are left alone. Destinations are never changed in place
 * (a transaction that learns a connection id makes a new one), so sharing is safe.
 *
 * @example
 *   const dest = shared.get({ transport: 'udp', address: '127.0.0.1', port: 5090 });
 */
export class SharedDestinations {
  private readonly known = new Map<string, Destination>();

  constructor(private readonly limit = 4096) {}

  get(dest: Destination): Destination {
    if (dest.transport !== 'udp' || dest.connectionId !== undefined) return dest;
    const key = `${dest.address} ${dest.port} ${dest.localAddress ?? ''} ${dest.localPort ?? ''}`;
    const known = this.known.get(key);
    if (known !== undefined) return known;
    // Many peers (a scan, a flood) must not grow the table without bound: start over.
    if (this.known.size >= this.limit) this.known.clear();
    this.known.set(key, dest);
    return dest;
  }
}
