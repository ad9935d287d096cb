/**
 * Entry point of the engine's worker thread (see engine-thread.ts): the SIP engine runs
 * here, on its own core, while the application runs on the main thread and talks to it
 * over the drachtio control port, exactly as it would to a separate drachtio-server.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../../util/logger.js';
import { Engine, type EngineConfig } from '../engine.js';

export interface WorkerConfig extends Omit<EngineConfig, 'logger'> {
  readonly logLevel: string;
}

export type ToWorker = { type: 'stop' } | { type: 'stats'; id: number } | { type: 'block'; address: string; forMs: number };
export type FromWorker =
  | { type: 'ready'; control: { address: string; port: number } | undefined; listeners: string[] }
  | { type: 'failed'; message: string; code: string | undefined }
  | { type: 'stats'; id: number; stats: unknown }
  | { type: 'stopped' };

const port = parentPort!;
const config = workerData as WorkerConfig;
const logger = createLogger({ level: config.logLevel, pretty: false });

Engine.start({ ...config, logger }).then(
  (engine) => {
    port.on('message', (msg: ToWorker) => {
      if (msg.type === 'stats') port.postMessage({ type: 'stats', id: msg.id, stats: engine.stats() } satisfies FromWorker);
      else if (msg.type === 'block') engine.blockSource(msg.address, msg.forMs);
      else if (msg.type === 'stop') {
        void engine.stop().then(() => {
          port.postMessage({ type: 'stopped' } satisfies FromWorker);
          port.close();
        });
      }
    });
    port.postMessage({ type: 'ready', control: engine.control, listeners: engine.listeners.map((l) => l.spec) } satisfies FromWorker);
  },
  (err: unknown) => {
    const e = err as { message?: string; code?: string };
    port.postMessage({ type: 'failed', message: e.message ?? String(err), code: e.code } satisfies FromWorker);
    port.close();
  },
);
