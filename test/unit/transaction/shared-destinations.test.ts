import { describe, expect, it } from 'vitest';
import { SharedDestinations } from '../../../src/engine/transaction/shared-destinations.js';

describe('SharedDestinations', () => {
  it('gives one object for equal UDP destinations, and keeps different ones apart', () => {
    const shared = new SharedDestinations();
    const first = shared.get({ transport: 'udp', address: '127.0.0.1', port: 5090 });
    expect(shared.get({ transport: 'udp', address: '127.0.0.1', port: 5090 })).toBe(first);
    expect(shared.get({ transport: 'udp', address: '127.0.0.1', port: 5091 })).not.toBe(first);
    expect(shared.get({ transport: 'udp', address: '127.0.0.1', port: 5090, localPort: 5060 })).not.toBe(first);
  });

  it('leaves stream destinations (with a connection id) alone', () => {
    const shared = new SharedDestinations();
    const tcp = { transport: 'tcp' as const, address: '127.0.0.1', port: 5090, connectionId: 3 };
    expect(shared.get(tcp)).toBe(tcp);
    expect(shared.get({ ...tcp })).not.toBe(tcp);
  });

  it('starts over past its limit instead of growing', () => {
    const shared = new SharedDestinations(2);
    const a = shared.get({ transport: 'udp', address: '127.0.0.1', port: 1 });
    shared.get({ transport: 'udp', address: '127.0.0.1', port: 2 });
    shared.get({ transport: 'udp', address: '127.0.0.1', port: 3 });
    expect(shared.get({ transport: 'udp', address: '127.0.0.1', port: 1 })).not.toBe(a);
  });
});
