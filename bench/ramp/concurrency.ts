/**
 * Concurrency mode: N long calls held at once through Switchboard (the SIPp caller
 * pauses between ACK and BYE long enough for all N to be up), built at a modest rate.
 * Reports RSS and application heap per concurrent call, idle baseline subtracted.
 *
 * @example
 *   const r = await runConcurrency({ calls: 10_000, rate: 1000, target: sb, pin: {} });
 *   r.rssBytesPerCall;
 */
import { memorySnapshot, type MemorySnapshot } from './memory.js';
import { SCENARIOS } from './scenarios.js';
import { runStep, type Pinning } from './step.js';
import type { SwitchboardUnderTest } from './switchboard-under-test.js';

export interface ConcurrencyResult {
  readonly calls: number;
  readonly rate: number;
  /** Calls the application held at the moment of measuring. */
  readonly held: number;
  /** Dialogs in the engine at that moment (two per call: one per leg). */
  readonly engineDialogs: number;
  readonly idle: MemorySnapshot;
  readonly loaded: MemorySnapshot | undefined;
  readonly rssBytesPerCall: number | undefined;
  readonly heapBytesPerCall: number | undefined;
  readonly failed: number;
  readonly error: string | undefined;
}

/** Time all calls stay up together after the last one is set up, for the measurement. */
const PLATEAU_MS = 8000;

export async function runConcurrency(o: { calls: number; rate: number; target: SwitchboardUnderTest; pin: Pinning }): Promise<ConcurrencyResult> {
  const idle = memorySnapshot();
  const buildSeconds = o.calls / o.rate;
  const holdMs = Math.ceil(buildSeconds * 1000) + PLATEAU_MS;
  let loaded: MemorySnapshot | undefined;
  let held = 0;
  let engineDialogs = 0;
  let measuring = false;
  const measure = async (): Promise<void> => {
    measuring = true;
    held = o.target.activeCalls;
    loaded = memorySnapshot();
    engineDialogs = (await o.target.engineStats()).dialogs;
  };
  const step = await runStep({
    label: 'concurrency',
    scenario: SCENARIOS.basic,
    rate: o.rate,
    warmupSeconds: 0,
    seconds: buildSeconds,
    holdMs,
    target: o.target,
    pin: o.pin,
    onTick: (elapsed) => {
      if (measuring) return;
      // All up, or (some failed) as many as there will be: half-way through the plateau.
      if (o.target.activeCalls >= o.calls || elapsed >= buildSeconds + PLATEAU_MS / 2000) void measure();
    },
  });
  const perCall = (bytes: number | undefined): number | undefined => (bytes === undefined || held === 0 ? undefined : bytes / held);
  return {
    calls: o.calls,
    rate: o.rate,
    held,
    engineDialogs,
    idle,
    loaded,
    rssBytesPerCall: perCall(loaded === undefined ? undefined : loaded.rssBytes - idle.rssBytes),
    heapBytesPerCall: perCall(loaded === undefined ? undefined : loaded.heapUsedBytes - idle.heapUsedBytes),
    failed: step.failed,
    error: step.error,
  };
}
