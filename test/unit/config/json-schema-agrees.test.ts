/**
 * The generated JSON Schema agrees with the loader on real files: an editor that checks
 * config/switchboard.example.yaml against docs/schema/switchboard.schema.json (as its
 * first line asks) marks nothing, and mistakes the loader refuses are marked too.
 *
 * The checker below handles exactly the keywords the generated schema uses; it fails the
 * test on any other keyword, so a schema that grows a new one cannot pass unchecked.
 *
 * @example
 *   schemaErrors(configJsonSchema(), { log: { level: 'loud' } }); // ['log.level: not one of fatal, error, ...']
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { configJsonSchema } from '../../../src/config/json-schema.js';
import { parseConfig } from '../../../src/config/load.js';

type Schema = Record<string, unknown>;

const KNOWN = new Set([
  '$schema', '$defs', '$ref', 'title', 'description', 'default',
  'type', 'enum', 'anyOf', 'pattern', 'minLength', 'minimum', 'maximum', 'exclusiveMinimum',
  'items', 'minItems', 'properties', 'required', 'additionalProperties', 'propertyNames',
]);

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number';
    case 'integer': return Number.isInteger(v);
    case 'boolean': return typeof v === 'boolean';
    case 'array': return Array.isArray(v);
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
    default: throw new Error(`unexpected type ${type}`);
  }
}

/** Where `value` breaks `schema`, as "path: problem" lines; [] when it conforms. */
function schemaErrors(root: Schema, value: unknown, schema: Schema = root, path = '(top)'): string[] {
  for (const key of Object.keys(schema)) if (!KNOWN.has(key)) throw new Error(`the checker does not know "${key}" (at ${path})`);
  if (typeof schema.$ref === 'string') {
    const def = (root.$defs as Record<string, Schema>)[schema.$ref.replace('#/$defs/', '')];
    if (!def) throw new Error(`unresolved ${schema.$ref}`);
    return schemaErrors(root, value, def, path);
  }
  if (Array.isArray(schema.anyOf)) {
    const branches = (schema.anyOf as Schema[]).map((b) => schemaErrors(root, value, b, path));
    if (branches.some((b) => b.length === 0)) return [];
    // Report the branch meant: one whose type fits the value, with the fewest problems.
    const misfit = (b: string[]) => (b.some((e) => e.startsWith(`${path}: not of type`)) ? Infinity : b.length);
    return branches.sort((a, b) => misfit(a) - misfit(b))[0]!;
  }
  const errors: string[] = [];
  if (typeof schema.type === 'string' && !typeOk(schema.type, value)) return [`${path}: not of type ${schema.type}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return [`${path}: not one of ${schema.enum.join(', ')}`];
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value)) errors.push(`${path}: does not match ${schema.pattern}`);
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${path}: below ${schema.minimum}`);
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) errors.push(`${path}: not above ${schema.exclusiveMinimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${path}: above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) errors.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.items) value.forEach((v, i) => errors.push(...schemaErrors(root, v, schema.items as Schema, `${path}[${i}]`)));
  }
  if (typeOk('object', value)) {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in object)) errors.push(`${path}: missing ${key}`);
    for (const [key, v] of Object.entries(object)) {
      const at = `${path}.${key}`;
      if (schema.propertyNames) errors.push(...schemaErrors(root, key, schema.propertyNames as Schema, `${at} (key)`));
      if (key in properties) errors.push(...schemaErrors(root, v, properties[key]!, at));
      else if (schema.additionalProperties === false) errors.push(`${at}: unknown key`);
      else if (typeof schema.additionalProperties === 'object') errors.push(...schemaErrors(root, v, schema.additionalProperties as Schema, at));
    }
  }
  return errors;
}

const schema = configJsonSchema();

describe('the JSON Schema agrees with the loader', () => {
  it.each(['config/switchboard.example.yaml', 'test/fixtures/config/routing.yaml'])('%s: valid for the loader and for the schema', (file) => {
    const text = readFileSync(file, 'utf8');
    expect(() => parseConfig(text, file)).not.toThrow();
    expect(schemaErrors(schema, parseYaml(text))).toEqual([]);
  });

  it.each<[string, string, RegExp]>([
    ['an unknown key', 'queues: { support: { members: [a], max_wiat: 5m } }', /^\(top\)\.queues\.support\.max_wiat: unknown key$/],
    ['an unknown top-level section', 'qeues: {}', /^\(top\)\.qeues: unknown key$/],
    ['a strategy that does not exist', 'queues: { support: { members: [a], strategy: longest-idel } }', /^\(top\)\.queues\.support\.strategy: not one of longest-idle, /],
    ['a skill level above 5', 'agents: { a: { skills: { en: 7 } } }', /^\(top\)\.agents\.a\.skills\.en: above 5$/],
    ['text where a number belongs', 'sip: { max_message_size: big }', /^\(top\)\.sip\.max_message_size: not of type (integer|number)$/],
    ['an empty member list', 'queues: { support: { members: [] } }', /^\(top\)\.queues\.support\.members: fewer than 1 items$/],
    ['a route name with a space', 'routes: [{ name: "my route", then: { reject: 404 } }]', /^\(top\)\.routes\[0\]\.name: does not match /],
    ['an unknown key in a step (through anyOf and $ref)', 'routes: [{ name: r, then: [{ ring: alice, continue_on: [busy] }, { voicemail: general, colour: red }] }]', /^\(top\)\.routes\[0\]\.then\[1\]\.colour: unknown key$/],
    ['a log level that does not exist', 'log: { level: loud }', /^\(top\)\.log\.level: not one of fatal, /],
  ])('both refuse %s', (_what, text, mark) => {
    expect(() => parseConfig(`${text}\n`, 'bad.yaml')).toThrow();
    const errors = schemaErrors(schema, parseYaml(text));
    expect(errors.some((e) => mark.test(e)), errors.join('\n')).toBe(true);
  });
});
