import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The RFC 4475 corpus, byte for byte: a copy of ../shared/sip-torture/rfc4475 kept in the
 * repository so that a clean clone anywhere runs the torture tests (.gitattributes keeps
 * git from touching line ends). SWITCHBOARD_TORTURE_DIR points elsewhere.
 */
export const TORTURE_DIR = process.env.SWITCHBOARD_TORTURE_DIR ?? resolve(here, '../fixtures/rfc4475');

export interface TortureCase {
  name: string;
  section: string;
  kind: 'request' | 'response' | 'garbage';
  verdict: 'accept' | 'reject';
  handling: string;
  bytes: Buffer;
}

export function loadTortureCorpus(): TortureCase[] {
  const rows = readFileSync(join(TORTURE_DIR, 'EXPECTED.tsv'), 'utf8').trim().split('\n').slice(1);
  const cases = rows.map((row) => {
    const [name, section, kind, verdict, handling] = row.split('\t') as [string, string, TortureCase['kind'], TortureCase['verdict'], string];
    return { name, section, kind, verdict, handling, bytes: readFileSync(join(TORTURE_DIR, `${name}.dat`)) };
  });
  const files = readdirSync(TORTURE_DIR).filter((f) => f.endsWith('.dat'));
  if (files.length !== cases.length) throw new Error(`EXPECTED.tsv lists ${cases.length} cases but there are ${files.length} .dat files`);
  return cases;
}
