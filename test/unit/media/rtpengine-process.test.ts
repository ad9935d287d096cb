import { describe, expect, it } from 'vitest';
import { RtpengineProcess } from '../../../src/media/rtpengine-process.js';

describe('RtpengineProcess command line', () => {
  it('runs rtpengine in the foreground, userspace, without config file, with its ports and DTMF destination', () => {
    const p = new RtpengineProcess({
      ng: { host: '127.0.0.1', port: 22222 },
      interfaces: ['127.0.0.1', 'pub/192.0.2.10'],
      portMin: 30000,
      portMax: 30999,
      mediaTimeoutSec: 60,
      dtmfLogDest: { host: '127.0.0.1', port: 22223 },
    });
    expect(p.argv).toEqual([
      '/usr/bin/rtpengine',
      '--config-file=none',
      '--foreground',
      '--table=-1',
      '--log-stderr',
      '--no-log-timestamps',
      '--log-level=4',
      '--interface=127.0.0.1',
      '--interface=pub/192.0.2.10',
      '--listen-ng=127.0.0.1:22222',
      '--port-min=30000',
      '--port-max=30999',
      '--delete-delay=0',
      '--timeout=60',
      '--dtmf-log-dest=127.0.0.1:22223',
    ]);
    expect(p.state).toBe('stopped');
    expect(p.pid).toBeUndefined();
  });

  it('refuses an empty interface list and an upside-down port range', () => {
    const base = { ng: { host: '127.0.0.1', port: 22222 }, interfaces: ['127.0.0.1'], portMin: 30000, portMax: 30999 };
    expect(() => new RtpengineProcess({ ...base, interfaces: [] })).toThrow(/at least one RTP interface/);
    expect(() => new RtpengineProcess({ ...base, portMin: 31000, portMax: 30000 })).toThrow(/port range/);
  });
});
