/**
 * `switchboard check`, `route` and `schema` as an admin's shell or CI job runs them: the
 * compiled command (dist/, built by `make test`), its stdout, stderr and exit status
 * (0 ok, 1 invalid configuration, 2 usage). The unit tests in test/unit/config and
 * test/unit/routing call the same commands in-process; this file checks the wiring
 * through src/cli/main.ts and the exit status a script sees.
 *
 * | command                                   | exit | output                               |
 * |-------------------------------------------|------|--------------------------------------|
 * | check --config example                    | 0    | OK: … on stdout                      |
 * | check --config invalid                    | 1    | FILE:LINE:COLUMN lines on stderr     |
 * | route … --at ISO                          | 0    | decision and trace                   |
 * | route for a number no rule matches        | 0    | reject 404 and the trace             |
 * | route without --at                        | 2    | one usage line                       |
 * | schema                                    | 0    | the committed JSON Schema            |
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = resolve(import.meta.dirname, '../../dist/src/cli/main.js');
const EXAMPLE = 'config/switchboard.example.yaml';
const FIXTURE = 'test/fixtures/config/routing.yaml';

/** Runs the command to completion; the commands here neither listen nor wait. */
function switchboard(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('switchboard check (compiled)', () => {
  it('prints OK and exits 0 for the example configuration', async () => {
    const r = await switchboard(['check', '--config', EXAMPLE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK: config\/switchboard\.example\.yaml \(\d+ rules, /);
    expect(r.stderr).toBe('');
  });

  it('prints every error as FILE:LINE:COLUMN and exits 1', async () => {
    const r = await switchboard(['check', '--config', 'test/fixtures/config/invalid.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^FAILED: test\/fixtures\/config\/invalid\.yaml \(2 errors\)$/);
    expect(lines.slice(0, -1)).toEqual([
      expect.stringMatching(/^test\/fixtures\/config\/invalid\.yaml:5:5: queues\.support\.max_wiat: unknown key "max_wiat" \(did you mean "max_wait"\?\)/),
      expect.stringMatching(/^test\/fixtures\/config\/invalid\.yaml:7:21: agents\.alice\.wrap_up: "soon" is not a duration/),
    ]);
  });

  it('exits 2 on a usage error, and for an unknown command', async () => {
    expect((await switchboard(['check'])).code).toBe(2);
    const r = await switchboard(['chekc', '--config', EXAMPLE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^switchboard: unknown command 'chekc'/);
  });
});

describe('switchboard route (compiled)', () => {
  it('prints the decision and the trace for a matching rule', async () => {
    const r = await switchboard(['route', '--config', FIXTURE, '--to', '1-800-555-0100', '--header', 'X-Tier=gold', '--at', '2026-11-26T10:00:00-05:00']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rule {5}vip \(#2\)$/m);
    expect(r.stdout).toMatch(/^ {2}#2 vip: matched: to is "\+18005550100"; header X-Tier matches \/gold\|platinum\/$/m);
  });

  it('gives the default decision, reject 404, with the trace for a call no rule matches', async () => {
    const r = await switchboard(['route', '--config', FIXTURE, '--to', '+19995550000', '--at', '2026-11-26T15:00:00Z', '--json']);
    expect(r.code).toBe(0);
    const decision = JSON.parse(r.stdout) as { rule: string | null; actions: unknown[]; trace: { kind: string; detail?: string }[] };
    expect(decision.rule).toBeNull();
    expect(decision.actions).toEqual([{ kind: 'reject', status: 404, reason: 'Not Found' }]);
    expect(decision.trace.filter((t) => t.kind === 'rule').length).toBeGreaterThan(0);
    expect(decision.trace.at(-1)).toEqual({ kind: 'default', detail: 'no rule matched: reject 404 Not Found' });
  });

  it('decides on the local time of the instant given: a holiday in New York', async () => {
    const r = await switchboard(['route', '--config', FIXTURE, '--to', '+18005550100', '--at', '2026-11-26T15:00:00Z', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rule: 'closed', actions: [{ kind: 'voicemail', box: 'general' }] });
  });

  it('exits 1 for an invalid configuration and 2 for a missing --at', async () => {
    const invalid = await switchboard(['route', '--config', 'test/fixtures/config/invalid.yaml', '--to', '1', '--at', '2026-11-26T15:00:00Z']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^test\/fixtures\/config\/invalid\.yaml:5:5: /);
    const usage = await switchboard(['route', '--config', FIXTURE, '--to', '1']);
    expect(usage.code).toBe(2);
    expect(usage.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/--at ISO-8601 is required/)]);
  });
});

describe('switchboard schema (compiled)', () => {
  it('prints the committed JSON Schema', async () => {
    const r = await switchboard(['schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync('docs/schema/switchboard.schema.json', 'utf8'));
  });
});
