import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { DtmfEvents, parseDtmfEvent, type DtmfDigit } from '../../../src/media/dtmf-events.js';

const event = (over: Record<string, unknown> = {}): Buffer =>
  Buffer.from(
    JSON.stringify({ callid: 'c1', source_tag: 'a', tags: ['b', 'a'], type: 'DTMF', timestamp: 1, source_ip: '127.0.0.1', event: 5, duration: 80, volume: 10, ...over }),
  );

describe('parseDtmfEvent', () => {
  it('reads rtpengine --dtmf-log-dest datagrams', () => {
    expect(parseDtmfEvent(event())).toEqual({ callId: 'c1', fromTag: 'a', digit: '5', durationMs: 80, volume: 10 });
    expect(parseDtmfEvent(event({ event: 10 }))?.digit).toBe('*');
    expect(parseDtmfEvent(event({ event: 11 }))?.digit).toBe('#');
    expect(parseDtmfEvent(event({ event: 15 }))?.digit).toBe('D');
  });

  it('refuses anything else', () => {
    for (const bad of [Buffer.from('not json'), Buffer.from('null'), event({ type: 'other' }), event({ event: 16 }), event({ event: -1 }), event({ callid: 7 })]) {
      expect(parseDtmfEvent(bad)).toBeUndefined();
    }
  });
});

describe('DtmfEvents over loopback UDP', () => {
  let dtmf: DtmfEvents | undefined;
  afterEach(() => dtmf?.close());

  it('delivers digits to the call\'s subscribers only, counts garbage, and unsubscribes', async () => {
    dtmf = await DtmfEvents.listen({ host: '127.0.0.1', port: 0 });
    expect(dtmf.address.port).toBeGreaterThan(0);
    const got: DtmfDigit[] = [];
    const off = dtmf.subscribe('c1', (d) => got.push(d));
    const other: DtmfDigit[] = [];
    dtmf.subscribe('c2', (d) => other.push(d));
    const sender = createSocket('udp4');
    const send = (msg: Buffer): Promise<void> =>
      new Promise((resolve) => sender.send(msg, dtmf!.address.port, '127.0.0.1', () => resolve()));
    await send(event());
    await send(Buffer.from('garbage'));
    await send(event({ event: 11 }));
    await new Promise((r) => setTimeout(r, 50));
    expect(got.map((d) => d.digit)).toEqual(['5', '#']);
    expect(other).toEqual([]);
    expect(dtmf.malformedCount).toBe(1);
    expect(dtmf.subscribedCalls).toBe(2);
    off();
    await send(event({ event: 1 }));
    await new Promise((r) => setTimeout(r, 50));
    expect(got.length).toBe(2);
    expect(dtmf.subscribedCalls).toBe(1);
    sender.close();
  });
});
