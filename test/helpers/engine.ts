import { randomUUID } from 'node:crypto';
import type { IngressFilterOptions } from '../../src/engine/core/ingress-filter.js';
import { Engine, type EngineStats } from '../../src/engine/engine.js';
import { UdpPeer, waitFor } from './sip-peer.js';

/** Short timers so that transactions end within seconds in tests (T1 = 50 ms → Timer J/H ≈ 3.2 s). */
export const TEST_TIMERS = { t1: 50, t2: 400, t4: 500 } as const;

export interface TestEngine {
  readonly engine: Engine;
  readonly udpPort: number;
  readonly tcpPort: number;
  /** The drachtio control port, when started with `control: true`. */
  readonly controlPort: number;
  readonly secret: string;
  stats(): EngineStats;
  /** True when the engine still answers an OPTIONS over UDP. */
  ping(): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * An engine on loopback with OS-chosen ports, short SIP timers and a 1 s TCP message
 * deadline (a trickling test peer on a busy machine must still make it), optionally with a drachtio control port for drachtio-srf applications.
 *
 * @example
 *   const e = await startTestEngine({ control: true });
 *   await srf.connect({ host: '127.0.0.1', port: e.controlPort, secret: e.secret });
 */
export async function startTestEngine(
  opts: { control?: boolean; udpPort?: number; tcpPort?: number; appAnswerTimeoutMs?: number; maxPendingCalls?: number; ingress?: IngressFilterOptions } = {},
): Promise<TestEngine> {
  const secret = `test-${randomUUID()}`;
  const engine = await Engine.start({
    sip: [`udp:127.0.0.1:${opts.udpPort ?? 0}`, `tcp:127.0.0.1:${opts.tcpPort ?? 0}`],
    control: opts.control ? { host: '127.0.0.1', port: 0, secret } : undefined,
    timers: TEST_TIMERS,
    appAnswerTimeoutMs: opts.appAnswerTimeoutMs,
    ingress: opts.ingress,
    // A test machine busy with other test files must not shed calls on loop delay.
    overload: { maxLoopDelayMs: 10_000, maxPending: opts.maxPendingCalls ?? 10_000 },
    transport: { messageTimeoutMs: 1000, lingerMs: 100, idleTimeoutMs: 5_000 },
  });
  const udpPort = engine.listeners.find((l) => l.transport === 'udp')!.port;
  const tcpPort = engine.listeners.find((l) => l.transport === 'tcp')!.port;
  return {
    engine,
    udpPort,
    tcpPort,
    controlPort: engine.control?.port ?? 0,
    secret,
    stats: () => engine.stats(),
    async ping() {
      const peer = await UdpPeer.bind(0);
      try {
        const callId = `ping-${randomUUID()}`;
        await peer.send(
          `OPTIONS sip:ping@127.0.0.1:${udpPort} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-${callId}\r\n` +
            `Max-Forwards: 70\r\nFrom: <sip:test@127.0.0.1>;tag=p1\r\nTo: <sip:ping@127.0.0.1>\r\nCall-ID: ${callId}\r\n` +
            `CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
          udpPort,
        );
        return await waitFor(() => peer.responsesFor(callId).length > 0, 2000);
      } finally {
        await peer.close();
      }
    },
    stop: () => engine.stop(),
  };
}
