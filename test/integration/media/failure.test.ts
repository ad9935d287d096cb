/**
 * rtpengine going away and coming back: bounded failures with SB_MEDIA_UNAVAILABLE,
 * fast failures while down, recovery, supervision restarts, and no process left behind.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, describe, expect, it } from 'vitest';
import { MediaClient, type MediaHealth } from '../../../src/media/media-client.js';
import { RtpengineProcess } from '../../../src/media/rtpengine-process.js';
import { isSwitchboardError } from '../../../src/util/errors.js';
import { freeLoopbackPort } from '../../helpers/sipp-ports.js';
import { pidAlive, startManagedRtpengine, type ManagedRtpengine } from '../../helpers/rtp/managed-rtpengine.js';
import { RtpEndpoint } from '../../helpers/rtp/rtp-endpoint.js';

const started: ManagedRtpengine[] = [];
const clients: MediaClient[] = [];
const pids = new Set<number>();
const sockets: Socket[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of sockets) s.close();
  await Promise.all(started.map((r) => r.stop()));
  for (const pid of pids) expect(pidAlive(pid), `rtpengine ${pid} left running`).toBe(false);
});

async function managed(extra: Parameters<typeof startManagedRtpengine>[0] = {}): Promise<ManagedRtpengine> {
  const r = await startManagedRtpengine(extra);
  started.push(r);
  pids.add(r.process.pid!);
  return r;
}

function client(r: ManagedRtpengine): MediaClient {
  const c = new MediaClient({ ng: r.ng, commandTimeoutMs: 800, probeInitialDelayMs: 50, probeMaxDelayMs: 400 });
  clients.push(c);
  return c;
}

function nextHealth(c: MediaClient, wanted: MediaHealth, timeoutMs: number): Promise<void> {
  if (c.health === wanted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`health not ${wanted} within ${timeoutMs} ms (is ${c.health})`)), timeoutMs);
    const off = c.onHealth((h) => {
      if (h !== wanted) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

async function offerOnce(c: MediaClient, callId: string): Promise<string> {
  const ep = await RtpEndpoint.open();
  try {
    return (await c.offer({ callId, fromTag: 'a', sdp: ep.sdp() })).sdp;
  } finally {
    ep.close();
  }
}

describe('rtpengine down and back', () => {
  it('fails within the bound while rtpengine is stopped, fails at once while down, recovers when it returns', async () => {
    const r = await managed();
    const media = client(r);
    expect(await media.start()).toBe('up');
    await offerOnce(media, 'before@test');
    await media.delete({ callId: 'before@test' });

    await r.process.stop();
    expect(pidAlive([...pids].at(-1)!)).toBe(false);

    const t0 = performance.now();
    const err = await offerOnce(media, 'during@test').catch((e: unknown) => e);
    const waited = performance.now() - t0;
    expect(isSwitchboardError(err, 'SB_MEDIA_UNAVAILABLE')).toBe(true);
    expect(waited).toBeGreaterThanOrEqual(700);
    expect(waited).toBeLessThan(2000);
    expect(media.health).toBe('down');

    // Known down: refused without waiting for a reply.
    const t1 = performance.now();
    const fast = await media.list().catch((e: unknown) => e);
    expect(isSwitchboardError(fast, 'SB_MEDIA_UNAVAILABLE')).toBe(true);
    expect(performance.now() - t1).toBeLessThan(50);

    await r.process.start();
    pids.add(r.process.pid!);
    await nextHealth(media, 'up', 3000);
    expect(await offerOnce(media, 'after@test')).toMatch(/^m=audio \d+ /m);
    expect(await media.delete({ callId: 'after@test' })).toBe(true);
    expect(await media.list()).toEqual([]);
  });

  it('restarts rtpengine with a new PID after it dies, and the client recovers', async () => {
    const r = await managed({ restartDelayMs: 50 });
    const media = client(r);
    await media.start();
    const first = r.process.pid!;
    const states: string[] = [];
    r.process.onState((s) => states.push(s));
    process.kill(first, 'SIGKILL');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not running again: ${states.join(',')}`)), 5000);
      r.process.onState((s) => {
        if (s === 'running') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const second = r.process.pid!;
    pids.add(second);
    expect(second).not.toBe(first);
    expect(pidAlive(first)).toBe(false);
    expect(states).toEqual(['restarting', 'starting', 'running']);
    // Whether or not a keepalive fell into the gap, the client is up once rtpengine runs.
    await nextHealth(media, 'up', 3000);
    await offerOnce(media, 'restarted@test');
    expect(await media.delete({ callId: 'restarted@test' })).toBe(true);
  });

  it('gives up after maxRestarts deaths within the window', async () => {
    const r = await managed({ restartDelayMs: 20, maxRestarts: 1, restartWindowMs: 60_000 });
    const running = (): Promise<void> =>
      new Promise((resolve) => {
        const off = r.process.onState((s) => {
          if (s === 'running' || s === 'failed') {
            off();
            resolve();
          }
        });
      });
    let wait = running();
    process.kill(r.process.pid!, 'SIGKILL');
    await wait;
    expect(r.process.state).toBe('running');
    pids.add(r.process.pid!);
    wait = running();
    process.kill(r.process.pid!, 'SIGKILL');
    await wait;
    expect(r.process.state).toBe('failed');
    expect(r.process.pid).toBeUndefined();
  });

  it('rejects start() when rtpengine cannot bind its ng port, and leaves no process', async () => {
    const port = await freeLoopbackPort();
    const holder = createSocket('udp4');
    sockets.push(holder);
    await new Promise<void>((resolve) => holder.bind(port, '127.0.0.1', resolve));
    const p = new RtpengineProcess({
      ng: { host: '127.0.0.1', port },
      interfaces: ['127.0.0.1'],
      portMin: 29_000,
      portMax: 29_099,
      readyTimeoutMs: 3000,
    });
    const seen: number[] = [];
    p.onState((s) => {
      if (s === 'starting' && p.pid !== undefined) seen.push(p.pid);
    });
    const err = await p.start().catch((e: unknown) => e);
    expect(isSwitchboardError(err, 'SB_MEDIA_UNAVAILABLE')).toBe(true);
    expect(p.state).toBe('failed');
    expect(p.pid).toBeUndefined();
    await p.stop();
    for (const pid of seen) expect(pidAlive(pid)).toBe(false);
  });
});
