/**
 * Readers for the files SIPp writes during a bench step: the statistics CSV
 * (-trace_stat, one row per -fd period), the response-time CSV (-trace_rtt) and the
 * per-message counts CSV (-trace_counts). Pure: text in, numbers out.
 *
 * @example
 *   const rows = readStatRows(readFileSync('stat.csv', 'utf8'));
 *   const failed = num(rows.at(-1), 'FailedCall(C)');
 */

export type CsvRow = Readonly<Record<string, string>>;

/** SIPp's `;`-separated CSV: a header line, then rows; a trailing `;` makes no column. */
export function readSemicolonCsv(text: string): CsvRow[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const head = lines[0]!.split(';');
  return lines.slice(1).map((line) => {
    const cells = line.split(';');
    const row: Record<string, string> = {};
    head.forEach((h, i) => {
      if (h !== '') row[h] = cells[i] ?? '';
    });
    return row;
  });
}

/** -trace_stat rows, oldest first. */
export const readStatRows = readSemicolonCsv;

/** A number from a row; 0 when the row or the column is missing. */
export function num(row: CsvRow | undefined, column: string): number {
  const v = Number(row?.[column] ?? 0);
  return Number.isFinite(v) ? v : 0;
}

/** Seconds since SIPp started, from the `ElapsedTime(C)` column (`HH:MM:SS:mmmuuu`). */
export function elapsedSeconds(row: CsvRow): number {
  const parts = (row['ElapsedTime(C)'] ?? '').split(':').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isFinite(p))) return 0;
  const [h, m, s, micros] = parts as [number, number, number, number];
  return h * 3600 + m * 60 + s + micros / 1e6;
}

export interface RttSample {
  /** When the response time was taken, ms since SIPp started. */
  readonly atMs: number;
  readonly ms: number;
  /** Which response time (rtd="N" in the scenario). */
  readonly rtd: number;
}

/** -trace_rtt lines `Date_ms;response_time_ms;rtd_no`. */
export function readRttSamples(text: string): RttSample[] {
  const out: RttSample[] = [];
  for (const line of text.split('\n')) {
    const [at, ms, rtd] = line.split(';');
    const sample = { atMs: Number(at), ms: Number(ms), rtd: Number(rtd) };
    if (at !== undefined && at !== '' && Number.isFinite(sample.atMs) && Number.isFinite(sample.ms) && Number.isFinite(sample.rtd)) out.push(sample);
  }
  return out;
}

export interface MessageCounts {
  /** Messages sent and received (retransmissions not included). */
  readonly messages: number;
  readonly retransmissions: number;
  /** Every `N_NAME_Recv` / `N_NAME_Sent` / … column of the last row. */
  readonly columns: Readonly<Record<string, number>>;
}

/** The last row of -trace_counts: totals over the whole run. */
export function readMessageCounts(text: string): MessageCounts {
  const last = readSemicolonCsv(text).at(-1);
  let messages = 0;
  let retransmissions = 0;
  const columns: Record<string, number> = {};
  for (const [k, v] of Object.entries(last ?? {})) {
    const n = Number(v);
    if (!/^\d+_/.test(k) || !Number.isFinite(n)) continue;
    columns[k] = n;
    if (k.endsWith('_Sent') || k.endsWith('_Recv')) messages += n;
    else if (k.endsWith('_Retrans')) retransmissions += n;
  }
  return { messages, retransmissions, columns };
}

/** The count of the first column named `N_<name>_Recv` (e.g. `503`), or 0. */
export function receivedCount(counts: MessageCounts, name: string): number {
  const key = Object.keys(counts.columns).find((k) => k.endsWith(`_${name}_Recv`));
  return key === undefined ? 0 : (counts.columns[key] ?? 0);
}
