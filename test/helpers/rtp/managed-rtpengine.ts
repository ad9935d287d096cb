/**
 * A managed rtpengine for one test file: its own ng port and RTP port range on
 * 127.0.0.1, started by RtpengineProcess and stopped by PID in afterAll.
 *
 * @example
 *   const rtp = await startManagedRtpengine();
 *   afterAll(() => rtp.stop());
 *   const media = new MediaClient({ ng: rtp.ng });
 */
import { RtpengineProcess, type RtpengineProcessOptions } from '../../../src/media/rtpengine-process.js';
import type { NgAddress } from '../../../src/media/ng-transport.js';
import { freeLoopbackPort } from '../sipp-ports.js';

export interface ManagedRtpengine {
  process: RtpengineProcess;
  ng: NgAddress;
  portMin: number;
  portMax: number;
  /** Stops rtpengine and waits for the PID to be gone. */
  stop(): Promise<void>;
}

/** Whether a process with this PID exists (signal 0 probes without sending). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * An RTP port range of 100 for one test's rtpengine, below the kernel's ephemeral range
 * (32768-60999): ports the tests pick with bind(0) for SIPp and friends come from there,
 * and rtpengine must not take one of them before its owner binds it.
 */
export function rtpPortRange(): { portMin: number; portMax: number } {
  const portMin = 20_000 + 100 * Math.floor(Math.random() * 120);
  return { portMin, portMax: portMin + 99 };
}

export async function startManagedRtpengine(
  extra: Partial<Omit<RtpengineProcessOptions, 'ng' | 'interfaces' | 'portMin' | 'portMax'>> = {},
): Promise<ManagedRtpengine> {
  const ng = { host: '127.0.0.1', port: await freeLoopbackPort() };
  // A range of its own per test file; rtpengine skips ports something else holds.
  const { portMin, portMax } = rtpPortRange();
  const process = new RtpengineProcess({ ng, interfaces: ['127.0.0.1'], portMin, portMax, ...extra });
  await process.start();
  return { process, ng, portMin, portMax, stop: () => process.stop() };
}
