import { vi } from 'vitest';
import { ConfigError, type ConfigIssue } from '../../../src/config/issues.js';
import { parseConfig } from '../../../src/config/load.js';

/** Strips the common indentation of a template literal, so YAML can be written inline. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce((out, s, i) => out + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = text.replace(/^\n/, '').replace(/\n\s*$/, '\n').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** The issues a text produces; fails the test if it validates. */
export function issuesOf(text: string, file = 'test.yaml'): readonly ConfigIssue[] {
  try {
    parseConfig(text, file);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected the configuration to be invalid');
}

/** Runs a command with stdout and stderr captured. */
export async function captured(command: (argv: string[]) => Promise<number>, argv: string[]) {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await command(argv);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

/**
 * Enough of a configuration for references in the cases below to resolve, one section
 * per line. A case's own sections come first (so its line numbers count from 1) and
 * replace the base section of the same name.
 */
export const BASE_SECTIONS: Record<string, string> = {
  users: 'users: { alice: { password: alice-secret }, bob: { password: bob-secret } }',
  agents: 'agents: { alice: { skills: { en: 5 } }, bob: { skills: { en: 2 } } }',
  queues: 'queues: { support: { members: [alice, bob] } }',
  schedules: 'schedules: { hours: { tz: Europe/Berlin, weekly: { mon-fri: "08:00-18:00" } } }',
  voicemail: 'voicemail: { general: {} }',
  trunks: 'trunks: { carrier-in: { inbound: { sources: [127.0.0.2] } }, carrier-out: { outbound: { gateways: ["sip:127.0.0.1:5080"] } } }',
};
export const BASE = `${Object.values(BASE_SECTIONS).join('\n')}\n`;

export interface Case {
  name: string;
  text: string;
  line: number;
  column: number;
  path: string;
  message: RegExp;
}

/** Marks, in a case's YAML, the exact place the error must point at; removed before parsing. */
export const HERE = '⟨';

export function located(name: string, marked: string, path: string, message: RegExp): Omit<Case, 'text'> & { text: string } {
  const offset = marked.indexOf(HERE);
  if (offset < 0) throw new Error(`case "${name}" has no ${HERE} marker`);
  const before = marked.slice(0, offset).split('\n');
  return { name, text: marked.replace(HERE, ''), line: before.length, column: before[before.length - 1]!.length + 1, path, message };
}

/** A case whose own sections come first and replace the base sections of the same name. */
export function withBase(name: string, marked: string, path: string, message: RegExp): Case {
  const own = new Set([...marked.matchAll(/^([a-z_]+):/gm)].map((m) => m[1]!));
  const rest = Object.entries(BASE_SECTIONS)
    .filter(([section]) => !own.has(section))
    .map(([, text]) => `${text}\n`)
    .join('');
  const c = located(name, marked, path, message);
  return { ...c, text: `${c.text}${c.text.endsWith('\n') ? '' : '\n'}${rest}` };
}
