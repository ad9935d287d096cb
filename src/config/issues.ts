/**
 * Configuration errors: each names the file, line, column and key path, and says in a
 * plain sentence what is wrong and what is allowed. `ConfigError` carries all of them.
 *
 * @example
 *   try { parseConfig(text, 'switchboard.yaml'); }
 *   catch (err) {
 *     if (err instanceof ConfigError) for (const i of err.issues) console.error(formatIssue(i));
 *     // switchboard.yaml:14:7: queues.support.max_wait: "10 minutes" is not a duration; write ...
 *   }
 */
import type * as z from 'zod';
import { SwitchboardError } from '../util/errors.js';
import { describeValue, splitUnknownKeys } from './schema/primitives.js';
import type { PathSegment } from './source-map.js';
import { didYouMean } from './suggest.js';

/** An error located by key path; `at` says whether the key or its value is to blame. */
export interface PathIssue {
  readonly path: readonly PathSegment[];
  readonly at: 'key' | 'value';
  readonly message: string;
}

export interface ConfigIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted key path, e.g. "queues.support.max_wait" or "routes[2].then[0].ring"; "" for the document. */
  readonly path: string;
  readonly message: string;
}

/** "routes[2].match.header.X-Tier"; keys that are not plain words are quoted. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** `FILE:LINE:COLUMN: path: message`. */
export function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.path === '' ? '(document)' : issue.path}: ${issue.message}`;
}

/** Thrown for an invalid configuration; nothing of an invalid file is ever applied. */
export class ConfigError extends SwitchboardError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super('SB_CONFIG_INVALID', issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

function valueAt(root: unknown, path: readonly PathSegment[]): { found: boolean; value: unknown } {
  let node = root;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, segment)) {
      return { found: false, value: undefined };
    }
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return { found: true, value: node };
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

function expectedText(expected: string): string {
  return EXPECTED[expected] ?? expected;
}

type ZodIssue = z.core.$ZodIssue;

/** Zod's own wording starts like this; a schema's custom wording (e.g. for durations) does not. */
const ZOD_DEFAULT_TYPE_MESSAGE = /^Invalid input/;

function typeMismatch(issue: ZodIssue & { code: 'invalid_type' }, root: unknown, path: PathSegment[]): PathIssue {
  const { found, value } = valueAt(root, path);
  const key = path[path.length - 1];
  if (!found && typeof key === 'string') {
    return { path, at: 'key', message: `missing required key ${JSON.stringify(key)} (${expectedText(issue.expected)})` };
  }
  if (!ZOD_DEFAULT_TYPE_MESSAGE.test(issue.message)) return { path, at: 'value', message: issue.message };
  const quoteHint =
    issue.expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')
      ? `; put it in quotes: "${String(value)}"`
      : '';
  return { path, at: 'value', message: `expected ${expectedText(issue.expected)}, got ${describeValue(value)}${quoteHint}` };
}

function bound(issue: ZodIssue & { code: 'too_small' | 'too_big' }, value: unknown): string {
  const small = issue.code === 'too_small';
  const limit = Number(small ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum);
  switch (issue.origin) {
    case 'array':
      return small
        ? limit === 1
          ? 'must not be an empty list'
          : `needs at least ${limit} entries`
        : `has more than ${limit} entries`;
    case 'string':
      return small
        ? limit === 1
          ? 'must not be empty'
          : `must be at least ${limit} characters long`
        : `must be at most ${limit} characters long`;
    case 'number':
    case 'int': {
      // Exclusive bounds (e.g. positive()) would otherwise read "must be at least 0, got 0".
      const inclusive = (issue as { inclusive?: boolean }).inclusive !== false;
      const relation = small ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'less than';
      return `must be ${relation} ${limit}, got ${String(value)}`;
    }
    default:
      return issue.message;
  }
}

/**
 * Picks the union member the author evidently meant: the one that accepted the value's
 * kind (a mapping for a mapping, text for text). Zod reports every member's complaint;
 * the others ("expected text, got a mapping") are noise.
 */
function unionIssues(issue: ZodIssue & { code: 'invalid_union' }, root: unknown, path: PathSegment[]): PathIssue[] {
  const branches = issue.errors;
  const meant = branches.find((b) => !(b.length === 1 && b[0]!.code === 'invalid_type' && b[0]!.path.length === 0));
  if (meant) return meant.flatMap((inner) => toPathIssues(inner, root, path));
  const { found, value } = valueAt(root, path);
  const kinds = [...new Set(branches.map((b) => expectedText((b[0] as { expected?: string }).expected ?? 'value')))];
  const key = path[path.length - 1];
  if (!found && typeof key === 'string') {
    return [{ path, at: 'key', message: `missing required key ${JSON.stringify(key)} (${kinds.join(' or ')})` }];
  }
  const quoteHint = kinds.includes('text') && (typeof value === 'number' || typeof value === 'boolean') ? `; put it in quotes: "${String(value)}"` : '';
  return [{ path, at: 'value', message: `expected ${kinds.join(' or ')}, got ${describeValue(value)}${quoteHint}` }];
}

/** Turns one zod issue (paths relative to `base`) into located, worded issues. */
export function toPathIssues(issue: ZodIssue, root: unknown, base: readonly PathSegment[] = []): PathIssue[] {
  const path = [...base, ...(issue.path as PathSegment[])];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const messages = splitUnknownKeys(issue.message);
      return issue.keys.map((key, i) => ({ path: [...path, key], at: 'key', message: messages[i] ?? issue.message }));
    }
    case 'invalid_union':
      return unionIssues(issue, root, path);
    case 'invalid_key':
      return issue.issues.map((inner) => ({ path, at: 'key' as const, message: inner.message }));
    case 'invalid_element':
      return issue.issues.flatMap((inner) => toPathIssues(inner, root, path));
    case 'invalid_type':
      return [typeMismatch(issue, root, path)];
    case 'too_small':
    case 'too_big':
      return [{ path, at: 'value', message: bound(issue, valueAt(root, path).value) }];
    case 'invalid_value': {
      const value = valueAt(root, path).value;
      const allowed = issue.values.map((v) => String(v));
      const hint = typeof value === 'string' ? didYouMean(value, allowed) : '';
      const shown = typeof value === 'string' ? JSON.stringify(value) : describeValue(value);
      return [{ path, at: 'value', message: `${shown} is not allowed${hint}; use one of: ${allowed.join(', ')}` }];
    }
    case 'not_multiple_of':
      return [{ path, at: 'value', message: `must be a multiple of ${String(issue.divisor)}` }];
    default:
      return [{ path, at: 'value', message: issue.message }];
  }
}
