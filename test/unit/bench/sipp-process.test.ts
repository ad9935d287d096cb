import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// A stand-in SIPp that never ends, so the wall-clock bound is what stops it.
const dir = mkdtempSync(join(tmpdir(), 'sb-fake-sipp-'));
const fake = join(dir, 'sipp');
writeFileSync(fake, '#!/bin/sh\necho "starting" >&2\nexec sleep 300\n');
chmodSync(fake, 0o755);
process.env['SWITCHBOARD_SIPP'] = fake;
const { assertSippInstalled, readSippFiles, startSipp } = await import('../../../bench/ramp/sipp-process.js');
const { processCpuMs } = await import('../../../bench/ramp/proc-stats.js');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench SIPp process', () => {
  it('kills a SIPp that outlives its wall-clock bound, by PID, and says so', async () => {
    const p = startSipp({ args: [], dir, wallMs: 300 });
    expect(p.pid).toBeGreaterThan(0);
    const exit = await p.done;
    expect(exit.killedByBound).toBe(true);
    expect(exit.stderr).toBe('starting');
    expect(processCpuMs(p.pid)).toBeUndefined();
  });

  it('reads nothing from a directory where SIPp wrote no traces', () => {
    const files = readSippFiles(dir);
    expect(files.stat).toEqual([]);
    expect(files.rtt).toEqual([]);
    expect(files.counts.messages).toBe(0);
  });

  it('finds the executable named by SWITCHBOARD_SIPP', () => {
    expect(() => assertSippInstalled()).not.toThrow();
  });
});
