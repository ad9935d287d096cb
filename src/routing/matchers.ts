/**
 * Rule conditions compiled once from the configuration: number matchers over
 * normalised numbers and header matchers, each with the words a trace uses for it.
 *
 * @example
 *   const m = compileNumberMatcher('to', { kind: 'prefix', values: ['+1800'] }, plan);
 *   m.test('+18005550100'); // true
 *   m.describe;             // 'to starts with "+1800"'
 */
import type { NumberingDefinition } from '../config/schema/config.js';
import type { HeaderMatchConfig, NumberMatchConfig } from '../config/schema/routes.js';
import { normaliseNumber } from './numbers.js';

export interface Matcher {
  test(value: string | undefined): boolean;
  /** What a value must be like to pass, e.g. 'to is "+18005550100"'. */
  readonly describe: string;
  /** The same condition failed, e.g. 'to is not "+18005550100"'. */
  readonly describeMiss: string;
}

function quoted(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

export function compileNumberMatcher(
  field: 'to' | 'from',
  match: NumberMatchConfig,
  plan: NumberingDefinition | undefined,
): Matcher {
  switch (match.kind) {
    case 'exact': {
      const values = [...new Set(match.values.map((v) => normaliseNumber(v, plan)))];
      if (values.length === 1) {
        const only = values[0]!;
        return {
          test: (n) => n === only,
          describe: `${field} is ${JSON.stringify(only)}`,
          describeMiss: `${field} is not ${JSON.stringify(only)}`,
        };
      }
      const set = new Set(values);
      return {
        test: (n) => n !== undefined && set.has(n),
        describe: `${field} is one of ${quoted(values)}`,
        describeMiss: `${field} is none of ${quoted(values)}`,
      };
    }
    case 'prefix': {
      const prefixes = match.values;
      const which = prefixes.length === 1 ? quoted(prefixes) : `one of ${quoted(prefixes)}`;
      return {
        test: (n) => n !== undefined && prefixes.some((p) => n.startsWith(p)),
        describe: `${field} starts with ${which}`,
        describeMiss: `${field} does not start with ${which}`,
      };
    }
    case 'pattern': {
      const re = new RegExp(`^(?:${match.pattern})$`, 'u');
      return {
        test: (n) => n !== undefined && re.test(n),
        describe: `${field} matches /${match.pattern}/`,
        describeMiss: `${field} does not match /${match.pattern}/`,
      };
    }
  }
}

export function compileHeaderMatcher(name: string, match: HeaderMatchConfig): Matcher {
  switch (match.kind) {
    case 'exact':
      return {
        test: (v) => v === match.value,
        describe: `header ${name} is ${JSON.stringify(match.value)}`,
        describeMiss: `header ${name} is not ${JSON.stringify(match.value)}`,
      };
    case 'pattern': {
      const re = new RegExp(`^(?:${match.pattern})$`, 'u');
      return {
        test: (v) => v !== undefined && re.test(v),
        describe: `header ${name} matches /${match.pattern}/`,
        describeMiss: `header ${name} is absent or does not match /${match.pattern}/`,
      };
    }
    case 'present': {
      const present = `header ${name} is present`;
      const absent = `header ${name} is absent`;
      return match.present
        ? { test: (v) => v !== undefined, describe: present, describeMiss: absent }
        : { test: (v) => v === undefined, describe: absent, describeMiss: present };
    }
  }
}
