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
const { assertSippInstalled, errorReasons, readSippFiles, startSipp } = await import('../../../bench/ramp/sipp-process.js');
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

  it('condenses SIPp error-log events into distinct reasons without Call-IDs', () => {
    const log =
      'The following events occurred:\n' +
      "2026-12-06\t01:23:23.437040\t1796520203.437040: Failed regexp match: looking in 'v=0\r\no=- 4 1 IN IP4 127.0.0.1\r\na=sendrecv\r\n', with regexp 'a=recvonly'" +
      '2026-12-06\t01:23:26.358869\t1796520206.358869: Aborting call on an unexpected BYE for call: e577c58f\n' +
      '2026-12-06\t01:23:26.360482\t1796520206.360482: Aborting call on an unexpected BYE for call: 4f39c793\n';
    expect(errorReasons(log)).toEqual([
      "Failed regexp match: looking in 'v=0 … ', with regexp 'a=recvonly",
      'Aborting call on an unexpected BYE for call: …',
    ]);
  });

  it('finds the executable named by SWITCHBOARD_SIPP', () => {
    expect(() => assertSippInstalled()).not.toThrow();
  });
});
