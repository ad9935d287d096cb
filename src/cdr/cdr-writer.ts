/**
 * Appends call detail records to a file, one JSON object per line, without ever blocking
 * or throwing into the call path. It is the shared JSON-lines writer
 * (util/json-lines-writer.ts: batching, the buffer bound, failures, close) with "CDR" in
 * its log messages.
 *
 * @example
 *   const cdrs = new CdrWriter({ path: config.cdr.path, logger: logger.child({ module: 'cdr' }) });
 *   cdrs.write(builder.finish({ at: clock.now(), status: 200, hungUpBy: 'caller' }));
 *   await cdrs.close(); // on shutdown: nothing buffered is lost
 */
import { JsonLinesWriter, type JsonLinesWriterOptions, type JsonLinesWriterStats } from '../util/json-lines-writer.js';
import type { CallRecord } from './call-record.js';

export type CdrWriterOptions = Omit<JsonLinesWriterOptions, 'label'>;
export type CdrWriterStats = JsonLinesWriterStats;

/** A JSON-lines appender; `T` is the record type (CDRs by default). */
export class CdrWriter<T extends object = CallRecord> extends JsonLinesWriter<T> {
  constructor(options: CdrWriterOptions) {
    super({ ...options, label: 'CDR' });
  }
}
