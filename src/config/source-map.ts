/**
 * Maps a path in the configuration (["queues", "support", "max_wait"]) back to a line
 * and column in the YAML text, so every error can point at the place to change.
 *
 * @example
 *   const lines = new LineCounter();
 *   const doc = parseDocument(text, { lineCounter: lines });
 *   new SourceMap(doc, lines).locate(['queues', 'support', 'max_wait'], 'value'); // { line: 12, column: 15 }
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type ParsedNode } from 'yaml';

export interface Position {
  readonly line: number;
  readonly column: number;
}

export type PathSegment = string | number;

function startOf(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}

export class SourceMap {
  constructor(
    private readonly doc: Document.Parsed<ParsedNode>,
    private readonly lines: LineCounter,
  ) {}

  /** The position of an offset in the text, 1-based. */
  position(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /**
   * Where `path` is written: the key (`at: 'key'`) or the value (`at: 'value'`). When the
   * path goes further than the document (a missing key), the deepest existing key.
   */
  locate(path: readonly PathSegment[], at: 'key' | 'value'): Position {
    let node: Node | null = this.doc.contents;
    let keyOffset: number | undefined = startOf(node);
    let valueOffset: number | undefined = keyOffset;
    for (let i = 0; i < path.length; i++) {
      if (isAlias(node)) node = node.resolve(this.doc) ?? null;
      const segment = path[i]!;
      let next: Node | null | undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (pair) {
          keyOffset = startOf(pair.key) ?? keyOffset;
          next = pair.value as Node | null;
          valueOffset = startOf(next) ?? keyOffset;
        }
      } else if (isSeq(node) && typeof segment === 'number') {
        next = node.items[segment] as Node | undefined;
        keyOffset = startOf(next) ?? keyOffset;
        valueOffset = keyOffset;
      }
      if (next === undefined) break;
      node = next;
    }
    return this.position((at === 'key' ? keyOffset : valueOffset) ?? 0);
  }
}
