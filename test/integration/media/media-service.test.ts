/**
 * MediaService per mode: managed (its own rtpengine, DTMF wired), external (an rtpengine
 * someone else runs, including one that is down), off.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MediaService } from '../../../src/media/media-service.js';
import { isSwitchboardError } from '../../../src/util/errors.js';
import { freeLoopbackPort } from '../../helpers/sipp-ports.js';
import { pidAlive, startManagedRtpengine, type ManagedRtpengine } from '../../helpers/rtp/managed-rtpengine.js';

const services: MediaService[] = [];
const others: ManagedRtpengine[] = [];
const pids: number[] = [];

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await Promise.all(others.map((r) => r.stop()));
  for (const pid of pids) expect(pidAlive(pid)).toBe(false);
});

describe('MediaService', () => {
  it('managed: starts rtpengine with DTMF events wired, and stop() leaves no process', async () => {
    const port = await freeLoopbackPort();
    const service = await MediaService.start({
      mode: 'managed',
      ng: `127.0.0.1:${port}`,
      interfaces: ['127.0.0.1'],
      portMin: 28_000,
      portMax: 28_199,
      mediaDir: '/srv/media',
    });
    services.push(service);
    const pid = service.process!.pid!;
    pids.push(pid);
    expect(service.available).toBe(true);
    expect(service.process!.argv).toContain(`--dtmf-log-dest=127.0.0.1:${service.dtmf!.address.port}`);
    expect(service.sessions!.resolveFile('music/hold.wav')).toBe('/srv/media/music/hold.wav');
    await service.stop();
    expect(pidAlive(pid)).toBe(false);
    expect(service.available).toBe(false);
  });

  it('managed: rejects when rtpengine cannot start', async () => {
    const err = await MediaService.start({
      mode: 'managed',
      ng: '127.0.0.1:22299',
      interfaces: ['127.0.0.1'],
      mediaDir: '/srv/media',
      binary: '/nonexistent/rtpengine',
    }).catch((e: unknown) => e);
    expect(isSwitchboardError(err, 'SB_MEDIA_UNAVAILABLE')).toBe(true);
  });

  it('external: uses a running rtpengine, and starts "down" (not failing) when there is none', async () => {
    const other = await startManagedRtpengine();
    others.push(other);
    pids.push(other.process.pid!);
    const up = await MediaService.start({ mode: 'external', ng: other.ng, mediaDir: '/srv/media', commandTimeoutMs: 500 });
    services.push(up);
    expect(up.available).toBe(true);
    expect(up.process).toBeUndefined();
    expect(up.dtmf).toBeUndefined();
    expect(await up.client!.list()).toEqual([]);

    const down = await MediaService.start({ mode: 'external', ng: `127.0.0.1:${await freeLoopbackPort()}`, mediaDir: '/srv/media' });
    services.push(down);
    expect(down.available).toBe(false);
    expect(down.client!.health).toBe('down');
  });

  it('off: no media at all', async () => {
    const off = await MediaService.start({ mode: 'off', ng: '127.0.0.1:22222', mediaDir: '/srv/media' });
    expect(off.available).toBe(false);
    expect(off.client).toBeUndefined();
    expect(off.sessions).toBeUndefined();
    await off.stop();
  });
});
