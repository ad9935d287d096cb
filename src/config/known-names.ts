/**
 * Collects the names each section defines from the raw document, before schema
 * validation, so that references can be checked in the same pass as everything else
 * (an operator sees every error at once, not in rounds). Also reports duplicate route names.
 *
 * @example
 *   const { names, issues } = collectNames({ queues: { support: {} }, routes: [{ name: 'a' }, { name: 'a' }] });
 *   names.queues.has('support'); // true
 *   issues[0].path;              // ['routes', 1, 'name']
 */
import type { KnownNames, RefKind } from './schema/primitives.js';
import type { PathIssue } from './issues.js';

const REF_SECTIONS: readonly RefKind[] = ['users', 'agents', 'queues', 'schedules', 'ivr', 'voicemail', 'trunks'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function collectNames(raw: unknown): { names: KnownNames; issues: PathIssue[] } {
  const root = isRecord(raw) ? raw : {};
  const sets = Object.fromEntries(
    REF_SECTIONS.map((section) => [section, new Set(isRecord(root[section]) ? Object.keys(root[section]) : [])]),
  ) as Record<RefKind, Set<string>>;
  const trunks = isRecord(root.trunks) ? root.trunks : {};
  const outboundTrunks = new Set(Object.keys(trunks).filter((t) => isRecord(trunks[t]) && trunks[t].outbound !== undefined));

  const issues: PathIssue[] = [];
  if (Array.isArray(root.routes)) {
    const firstIndex = new Map<string, number>();
    root.routes.forEach((route: unknown, i) => {
      const routeName = isRecord(route) ? route.name : undefined;
      if (typeof routeName !== 'string') return;
      const first = firstIndex.get(routeName);
      if (first === undefined) {
        firstIndex.set(routeName, i);
      } else {
        issues.push({
          path: ['routes', i, 'name'],
          at: 'value',
          message: `route name ${JSON.stringify(routeName)} is already used by routes[${first}]; route names must be unique`,
        });
      }
    });
  }
  return { names: { ...sets, outboundTrunks }, issues };
}
