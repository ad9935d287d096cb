/**
 * Loading a configuration: YAML with source positions, schema validation with
 * references checked in the same pass, cross-entry checks, then one deep-frozen
 * `Config`. Any error anywhere means no `Config` at all: an invalid file is never
 * half-applied.
 *
 * @example
 *   const config = await loadConfigFile('config/switchboard.example.yaml');
 *   config.queues.support.max_wait; // 600000 (ms)
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { SwitchboardError } from '../util/errors.js';
import { crossCheck } from './cross-checks.js';
import { deepFreeze } from './deep-freeze.js';
import { ConfigError, formatPath, toPathIssues, type ConfigIssue, type PathIssue } from './issues.js';
import { collectNames } from './known-names.js';
import { configSchema, SECTIONS, type Config } from './schema/config.js';
import { SourceMap } from './source-map.js';

/** Aliases may be expanded at most this often, which stops "billion laughs" documents. */
const MAX_ALIAS_EXPANSIONS = 1000;

function yamlMessage(code: string, message: string): string {
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'DUPLICATE_KEY') return 'this key appears twice in the same mapping; keep one';
  if (code === 'TAB_AS_INDENT') return 'tabs cannot indent YAML; use spaces';
  return `YAML syntax error: ${first}`;
}

/**
 * Validates configuration text. Throws `ConfigError` (code SB_CONFIG_INVALID) listing
 * every problem, each with file, line and column.
 */
export function parseConfig(text: string, fileName: string): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const sourceMap = new SourceMap(doc, lineCounter);
  const at = (position: { line: number; column: number }, path: string, message: string): ConfigIssue => ({
    file: fileName,
    ...position,
    path,
    message,
  });

  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => at(sourceMap.position(e.pos[0]), '', yamlMessage(e.code, e.message))));
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
  } catch (err) {
    throw new ConfigError([at({ line: 1, column: 1 }, '', `the document cannot be read: ${err instanceof Error ? err.message : String(err)}`)]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    const what = raw === null || raw === undefined ? 'the file is empty' : 'the top level is not a mapping';
    throw new ConfigError([at({ line: 1, column: 1 }, '', `${what}; a configuration is a mapping of sections (${SECTIONS.join(', ')})`)]);
  }

  const { names, issues } = collectNames(raw);
  const pathIssues: PathIssue[] = [...issues];
  const result = configSchema({ names }).safeParse(raw);
  if (result.success) {
    pathIssues.push(...crossCheck(result.data));
  } else {
    for (const issue of result.error.issues) pathIssues.push(...toPathIssues(issue, raw));
  }
  if (pathIssues.length > 0) {
    const located = pathIssues
      .map((i) => at(sourceMap.locate(i.path, i.at), formatPath(i.path), i.message))
      .sort((a, b) => a.line - b.line || a.column - b.column);
    throw new ConfigError(located.filter((i, n) => n === 0 || formatIssueKey(located[n - 1]!) !== formatIssueKey(i)));
  }
  return deepFreeze(result.data as Config);
}

function formatIssueKey(i: ConfigIssue): string {
  return `${i.line}:${i.column}:${i.path}:${i.message}`;
}

/** Reads and validates a configuration file; SB_CONFIG_READ when it cannot be read. */
export async function loadConfigFile(path: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new SwitchboardError('SB_CONFIG_READ', `${path}: cannot read the configuration: ${reason}`, { cause: err });
  }
  return parseConfig(text, path);
}
