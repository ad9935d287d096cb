import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, configJsonSchemaText } from '../../../src/config/json-schema.js';

type JsonSchema = {
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  $defs?: Record<string, JsonSchema>;
  $ref?: string;
};

/** Every property key in the schema, with its dotted path. */
function properties(node: JsonSchema, path: string, out: { path: string; key: string; schema: JsonSchema }[] = []) {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    out.push({ path: path ? `${path}.${key}` : key, key, schema: child });
    properties(child, path ? `${path}.${key}` : key, out);
  }
  if (node.items) properties(node.items, `${path}[]`, out);
  if (typeof node.additionalProperties === 'object') properties(node.additionalProperties, `${path}.*`, out);
  node.anyOf?.forEach((branch) => properties(branch, path, out));
  return out;
}

describe('JSON Schema', () => {
  it('the committed docs/schema/switchboard.schema.json is up to date (run `switchboard schema` to refresh)', () => {
    expect(readFileSync('docs/schema/switchboard.schema.json', 'utf8')).toBe(configJsonSchemaText());
  });

  it('gives every field a description', () => {
    const schema = configJsonSchema() as JsonSchema;
    const all = [
      ...properties(schema, ''),
      ...Object.entries(schema.$defs ?? {}).flatMap(([name, def]) => properties(def, `$defs.${name}`)),
    ];
    expect(all.length).toBeGreaterThan(150);
    const undocumented = all.filter((p) => typeof p.schema.description !== 'string' || p.schema.description.length < 5);
    expect(undocumented.map((p) => p.path)).toEqual([]);
  });

  it('refuses unknown keys, like the loader', () => {
    const schema = configJsonSchema() as JsonSchema;
    expect(schema.additionalProperties).toBe(false);
  });

  it('docs/configuration.md documents every key', () => {
    const doc = readFileSync('docs/configuration.md', 'utf8');
    const schema = configJsonSchema() as JsonSchema;
    const keys = new Set([
      ...properties(schema, '').map((p) => p.key),
      ...Object.values(schema.$defs ?? {}).flatMap((def) => properties(def, '').map((p) => p.key)),
    ]);
    // A key counts as documented when it appears in code style alone or as the end of a dotted path (`timers.t1`).
    const missing = [...keys].filter((key) => !new RegExp(`\`(?:[\\w.\\[\\]-]*\\.)?${key}\``).test(doc));
    expect(missing).toEqual([]);
  });
});
