import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallRecordBuilder, type CallRecord } from '../../../src/cdr/call-record.js';
import { CdrWriter } from '../../../src/cdr/cdr-writer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchboard-cdr-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function record(n: number): CallRecord {
  const cdr = new CallRecordBuilder({ callId: `call-${n}`, caller: `+1415555${String(n).padStart(4, '0')}`, callee: '18005550100', at: 1_700_000_000_000 + n });
  cdr.routed({ rule: 'sales', callee: 'sales' }).action('ring:simultaneous');
  return cdr.finish({ at: 1_700_000_001_000 + n, status: 487, hungUpBy: 'caller' });
}

/** A logger whose entries land in `entries`. */
function capturingLogger() {
  const entries: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void entries.push(JSON.parse(line) as { level: number; msg: string }) });
  return { logger, entries, errors: () => entries.filter((e) => e.level >= 50) };
}

async function lines(path: string): Promise<unknown[]> {
  const text = await readFile(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((l) => JSON.parse(l) as unknown);
}

describe('CdrWriter', () => {
  it('N records, then close(): N valid JSON lines in order, directory created', async () => {
    const path = join(dir, 'nested', 'deeper', 'cdr.jsonl');
    const writer = new CdrWriter({ path });
    const records = Array.from({ length: 500 }, (_, i) => record(i));
    for (const r of records) writer.write(r);
    await writer.close();
    expect(await lines(path)).toEqual(records);
    expect(writer.stats).toEqual({ written: 500, dropped: 0, buffered: 0 });
  });

  it('appends to an existing file', async () => {
    const path = join(dir, 'cdr.jsonl');
    await writeFile(path, '{"earlier":true}\n');
    const writer = new CdrWriter({ path });
    writer.write(record(1));
    await writer.close();
    expect(await lines(path)).toEqual([{ earlier: true }, record(1)]);
  });

  it('write() returns before anything reaches the disk', async () => {
    const path = join(dir, 'cdr.jsonl');
    const writer = new CdrWriter({ path });
    writer.write(record(1));
    expect(writer.stats).toEqual({ written: 0, dropped: 0, buffered: 1 });
    await writer.close();
    expect(writer.stats.written).toBe(1);
  });

  it('close() during a burst loses nothing: every record written before close() is on disk, in order', async () => {
    const path = join(dir, 'cdr.jsonl');
    const writer = new CdrWriter({ path, maxBufferedRecords: 100_000 });
    let n = 0;
    // Bursts across several turns of the event loop, so appends are in flight when close() comes.
    for (let turn = 0; turn < 20; turn++) {
      for (let i = 0; i < 1000; i++) writer.write(record(n++));
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (let i = 0; i < 3000; i++) writer.write(record(n++));
    const closed = writer.close();
    writer.write(record(n)); // after close: refused, counted
    await closed;
    const written = await lines(path);
    expect(written).toHaveLength(23_000);
    expect((written as CallRecord[]).map((r) => r.callId)).toEqual(Array.from({ length: 23_000 }, (_, i) => `call-${i}`));
    expect(writer.stats).toEqual({ written: 23_000, dropped: 1, buffered: 0 });
  });

  it('beyond the buffer bound, new records are dropped, counted and logged once', async () => {
    const path = join(dir, 'cdr.jsonl');
    const { logger, entries } = capturingLogger();
    const writer = new CdrWriter({ path, logger, maxBufferedRecords: 10 });
    for (let i = 0; i < 100; i++) writer.write(record(i)); // all in one turn: the first append has not started
    await writer.close();
    expect((await lines(path)).map((r) => (r as CallRecord).callId)).toEqual(Array.from({ length: 10 }, (_, i) => `call-${i}`));
    expect(writer.stats).toEqual({ written: 10, dropped: 90, buffered: 0 });
    expect(entries.filter((e) => e.msg.startsWith('CDR file cannot keep up'))).toHaveLength(1);
    expect(entries.find((e) => e.msg === 'CDR buffer has room again')).toMatchObject({ dropped: 90 });
  });

  it('an unwritable path: write() does not throw, the error is logged once, close() resolves', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'not a directory');
    const { logger, errors } = capturingLogger();
    const writer = new CdrWriter({ path: join(blocker, 'cdr.jsonl'), logger, retryDelayMs: 1 });
    for (let i = 0; i < 5; i++) expect(() => writer.write(record(i))).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 5; i < 10; i++) expect(() => writer.write(record(i))).not.toThrow();
    await expect(writer.close()).resolves.toBeUndefined();
    expect(writer.stats).toEqual({ written: 0, dropped: 10, buffered: 0 });
    expect(errors()).toHaveLength(1);
    expect(errors()[0]?.msg).toMatch(/cannot be written/);
  });

  it('a record that cannot be serialized is dropped without throwing', async () => {
    const path = join(dir, 'cdr.jsonl');
    const writer = new CdrWriter<{ n: bigint } | CallRecord>({ path });
    expect(() => writer.write({ n: 1n })).not.toThrow();
    writer.write(record(1));
    await writer.close();
    expect(await lines(path)).toEqual([record(1)]);
    expect(writer.stats.dropped).toBe(1);
  });

  it('close() is idempotent', async () => {
    const writer = new CdrWriter({ path: join(dir, 'cdr.jsonl') });
    writer.write(record(1));
    const first = writer.close();
    expect(writer.close()).toBe(first);
    await first;
    expect(writer.stats.written).toBe(1);
  });
});
