import { Worker } from 'node:worker_threads';
import { SwitchboardError, type ErrorCode } from '../../util/errors.js';
import type { EngineStats } from '../engine.js';
import type { FromWorker, ToWorker, WorkerConfig } from './engine-worker.js';

/**
 * The SIP engine in a worker thread, so that the engine and the application each get a
 * core. Only the control port joins them, which keeps the embedded engine
 * interchangeable with an external drachtio-server.
 *
 * @example
 *   const engine = await EngineThread.start({ sip: ['udp:127.0.0.1:5060'], control, logLevel: 'info' });
 *   await engine.stop();
 */
export class EngineThread {
  private nextId = 1;
  private readonly pending = new Map<number, (stats: EngineStats) => void>();
  private exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    readonly control: { address: string; port: number } | undefined,
    readonly listeners: string[],
  ) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (msg: FromWorker) => {
      if (msg.type !== 'stats') return;
      this.pending.get(msg.id)?.(msg.stats as EngineStats);
      this.pending.delete(msg.id);
    });
  }

  static start(config: WorkerConfig): Promise<EngineThread> {
    const worker = new Worker(new URL('./engine-worker.js', import.meta.url), { workerData: config });
    return new Promise((resolve, reject) => {
      const onMessage = (msg: FromWorker): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        if (msg.type === 'ready') resolve(new EngineThread(worker, msg.control, msg.listeners));
        else if (msg.type === 'failed') reject(new SwitchboardError((msg.code as ErrorCode | undefined) ?? 'SB_INTERNAL', msg.message));
      };
      const onError = (err: Error): void => reject(new SwitchboardError('SB_INTERNAL', `engine thread failed: ${err.message}`, { cause: err }));
      worker.on('message', onMessage);
      worker.once('error', onError);
    });
  }

  stats(): Promise<EngineStats> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ type: 'stats', id } satisfies ToWorker);
    });
  }

  /** Drops every request from `address` for `forMs` (see Engine.blockSource). */
  blockSource(address: string, forMs: number): void {
    this.worker.postMessage({ type: 'block', address, forMs } satisfies ToWorker);
  }

  /** Stops the engine cleanly and waits for the thread to end (killed after `graceMs`). */
  async stop(graceMs = 5000): Promise<void> {
    this.worker.postMessage({ type: 'stop' } satisfies ToWorker);
    const timer = setTimeout(() => void this.worker.terminate(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
