/**
 * Call detail records: the record of one call attempt (call-record) and the JSON-lines
 * file writer (cdr-writer). docs/registrar-and-cdr.md describes the line format.
 *
 * @example
 *   import { CallRecordBuilder, CdrWriter } from './cdr/index.js';
 *   const writer = new CdrWriter({ path: '/var/log/switchboard/cdr.jsonl', logger });
 *   const cdr = new CallRecordBuilder({ callId, caller, callee, at: clock.now() });
 *   writer.write(cdr.finish({ at: clock.now(), status: 486, hungUpBy: 'system' }));
 */
export {
  CallRecordBuilder,
  isoTime,
  type CallEnd,
  type CallRecord,
  type CallStart,
  type HungUpBy,
  type TargetAttempt,
  type TargetOutcome,
} from './call-record.js';
export { CdrWriter, type CdrWriterOptions, type CdrWriterStats } from './cdr-writer.js';
