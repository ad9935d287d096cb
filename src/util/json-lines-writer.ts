/**
 * Appends records to a file, one JSON object per line, without ever blocking or throwing
 * into the caller. CDRs (cdr/cdr-writer.ts) and the queue log (acd/queue-events.ts) use it.
 *
 * - `write(record)` serializes the record and returns at once. Lines are batched: one
 *   append is in flight at a time, and whatever accumulated meanwhile goes in the next,
 *   so a slow disk makes batches larger instead of queueing writes (backpressure).
 * - The buffer is bounded (`maxBufferedRecords`). When the disk cannot keep up beyond it,
 *   new records are dropped and counted (`stats.dropped`): one warning when dropping
 *   starts, one when the buffer has room again with the number dropped meanwhile.
 * - The file's directory is created if missing; the file is opened for append once.
 * - A failed open or append is logged once (until a write succeeds again) and retried
 *   after `retryDelayMs`; records wait in the buffer meanwhile. The lines of a failed
 *   append are dropped and counted, since part of them may have reached the file.
 * - `close()` writes everything buffered and resolves when it is on disk (or, if the
 *   file cannot be written, when the remainder has been counted as dropped). Records
 *   written after `close()` are dropped and counted.
 *
 * @example
 *   const log = new JsonLinesWriter<QueueLogLine>({ path: config.queue_log.path, label: 'queue event', logger });
 *   log.write({ seq: 1, at: '2026-11-22T09:00:00.000Z', type: 'call-entered', callId: 'c1', queueId: 'support', priority: 0 });
 *   await log.close(); // on shutdown: nothing buffered is lost
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { silentLogger, type Logger } from './logger.js';

export interface JsonLinesWriterOptions {
  /** The file appended to. */
  readonly path: string;
  /** What the records are, for log messages (e.g. "CDR", "queue event"). Default "record". */
  readonly label?: string;
  readonly logger?: Logger;
  /** Records held in memory while the disk catches up; beyond this, new records are dropped. Default 10,000. */
  readonly maxBufferedRecords?: number;
  /** Wait after a failed open or append before trying again. Default 1,000 ms. */
  readonly retryDelayMs?: number;
}

export interface JsonLinesWriterStats {
  /** Records appended to the file. */
  readonly written: number;
  /** Records lost: buffer full, failed append, unserializable, or written after close. */
  readonly dropped: number;
  /** Records waiting to be written. */
  readonly buffered: number;
}

/** Lines per append: bounds one write's size while a backlog drains. */
const MAX_BATCH_LINES = 2048;

/** A JSON-lines appender; `T` is the record type. */
export class JsonLinesWriter<T extends object> {
  readonly path: string;
  private readonly label: string;
  private readonly logger: Logger;
  private readonly maxBuffered: number;
  private readonly retryDelayMs: number;
  private lines: string[] = [];
  private handle: FileHandle | undefined;
  private pumping: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private written = 0;
  private dropped = 0;
  /** Drops since the buffer last overflowed; undefined while it has room. */
  private overflowDrops: number | undefined;
  /** Whether the last open or append failed (its error was logged; the next is not). */
  private failing = false;
  private warnedUnserializable = false;
  private warnedAfterClose = false;

  constructor(options: JsonLinesWriterOptions) {
    this.path = options.path;
    this.label = options.label ?? 'record';
    this.logger = options.logger ?? silentLogger;
    this.maxBuffered = Math.max(1, options.maxBufferedRecords ?? 10_000);
    this.retryDelayMs = options.retryDelayMs ?? 1000;
  }

  get stats(): JsonLinesWriterStats {
    return { written: this.written, dropped: this.dropped, buffered: this.lines.length };
  }

  /** Queues one record as a line. Never throws, never waits. */
  write(record: T): void {
    if (this.closing !== undefined) {
      this.dropped++;
      if (!this.warnedAfterClose) this.logger.warn({ path: this.path }, `${this.label} written after close; dropped`);
      this.warnedAfterClose = true;
      return;
    }
    let line: string;
    try {
      line = JSON.stringify(record) + '\n';
    } catch (err) {
      this.dropped++;
      if (!this.warnedUnserializable) this.logger.error({ err, path: this.path }, `${this.label} could not be serialized; dropped`);
      this.warnedUnserializable = true;
      return;
    }
    if (this.lines.length >= this.maxBuffered) {
      this.dropped++;
      if (this.overflowDrops === undefined) {
        this.overflowDrops = 0;
        this.logger.warn({ path: this.path, buffered: this.lines.length }, `${this.label} file cannot keep up; dropping records until the buffer has room`);
      }
      this.overflowDrops++;
      return;
    }
    this.lines.push(line);
    this.kick();
  }

  /** Writes everything buffered, closes the file, and resolves when done. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.drainAndClose();
    return this.closing;
  }

  private async drainAndClose(): Promise<void> {
    if (this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    // Once closing, a failure drops what is left instead of retrying, so this ends.
    while (this.pumping !== undefined || this.lines.length > 0) {
      if (this.pumping === undefined) this.kick();
      await this.pumping;
    }
    const handle = this.handle;
    this.handle = undefined;
    if (handle !== undefined) {
      try {
        await handle.close();
      } catch (err) {
        this.logger.error({ err, path: this.path }, `${this.label} file could not be closed`);
      }
    }
    if (this.dropped > 0) this.logger.warn({ path: this.path, written: this.written, dropped: this.dropped }, `${this.label} writer closed with records dropped`);
  }

  private kick(): void {
    if (this.pumping !== undefined || this.retryTimer !== undefined) return;
    this.pumping = this.pump().then(() => {
      this.pumping = undefined;
      // Lines written between the pump's last check and now.
      if (this.lines.length > 0) this.kick();
    });
  }

  private async pump(): Promise<void> {
    while (this.lines.length > 0) {
      try {
        this.handle ??= await this.openFile();
      } catch (err) {
        this.failed(err, 0);
        return;
      }
      const batch = this.lines.length <= MAX_BATCH_LINES ? this.lines : this.lines.slice(0, MAX_BATCH_LINES);
      this.lines = batch === this.lines ? [] : this.lines.slice(MAX_BATCH_LINES);
      try {
        await this.handle.appendFile(batch.join(''));
      } catch (err) {
        this.failed(err, batch.length);
        return;
      }
      this.written += batch.length;
      this.succeeded();
    }
  }

  private async openFile(): Promise<FileHandle> {
    await mkdir(dirname(this.path), { recursive: true });
    return open(this.path, 'a');
  }

  private succeeded(): void {
    if (this.failing) this.logger.info({ path: this.path }, `${this.label} file writable again`);
    this.failing = false;
    if (this.overflowDrops !== undefined && this.lines.length < this.maxBuffered) {
      this.logger.warn({ path: this.path, dropped: this.overflowDrops }, `${this.label} buffer has room again`);
      this.overflowDrops = undefined;
    }
  }

  private failed(err: unknown, lostLines: number): void {
    this.dropped += lostLines;
    if (!this.failing) this.logger.error({ err, path: this.path }, `${this.label} file cannot be written; records wait in memory, then are dropped`);
    this.failing = true;
    const handle = this.handle;
    this.handle = undefined;
    handle?.close().catch(() => undefined);
    if (this.closing !== undefined) {
      this.dropped += this.lines.length;
      this.lines = [];
      return;
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, this.retryDelayMs).unref();
  }
}
