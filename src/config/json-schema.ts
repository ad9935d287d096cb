/**
 * The configuration's JSON Schema, generated from the same zod schema the loader uses,
 * for editors (YAML language servers complete keys and show descriptions). The committed
 * copy is docs/schema/switchboard.schema.json; a test keeps it current.
 *
 * @example
 *   // In a YAML file:  # yaml-language-server: $schema=../docs/schema/switchboard.schema.json
 *   const text = JSON.stringify(configJsonSchema(), null, 2);
 */
import * as z from 'zod';
import { configSchema } from './schema/config.js';

export function configJsonSchema(): Record<string, unknown> {
  // Input side: what people write (durations as strings, shorthands), not the parsed Config.
  const schema = z.toJSONSchema(configSchema(), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'Switchboard configuration' };
}

/** The schema as committed: two-space JSON with a trailing newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
