/**
 * Readers for the files SIPp 3.6 writes, and the meaning of its exit codes.
 *
 * - `-trace_stat -stf FILE`: a CSV, ';'-separated, one header line and one
 *   row per dump (at start, every -fd period and at exit); the last row holds
 *   the final values. Columns come in pairs, `Name(P)` for the last period
 *   and `Name(C)` cumulative. Timestamps contain tabs; durations are
 *   `HH:MM:SS` or `HH:MM:SS:microseconds`.
 * - `-trace_counts`: `<scenario>_<pid>_counts.csv` in SIPp's working
 *   directory, ';'-separated, columns `<index>_<label>_<Kind>` per scenario
 *   element, Kind one of Sent, Recv, Retrans, Timeout, Unexp, Sessions; the
 *   last row is final. This is the "Messages / Retrans / Timeout /
 *   Unexpected-Msg" table of SIPp's screen, per element.
 *
 * @example
 *   const last = finalRow(parseSippCsv(readFileSync(statFile, 'utf8')));
 *   const stats = last && summarizeSippStats(last); // stats.failedCalls, stats.failures, …
 *   const steps = parseSippCounts(readFileSync(countsFile, 'utf8'));
 *   describeSippExit(254, null); // 'a socket could not be bound (port in use?)'
 */

/** One row of a SIPp CSV: column name to raw text. */
export type SippCsvRow = Readonly<Record<string, string>>;

/** The final cumulative figures of a run, from the last row of the -trace_stat CSV. */
export interface SippStats {
  readonly callsCreated: number;
  readonly incomingCalls: number;
  readonly outgoingCalls: number;
  readonly currentCalls: number;
  readonly successfulCalls: number;
  readonly failedCalls: number;
  /** Non-zero failure causes, e.g. { UnexpectedMessage: 2, TimeoutOnRecv: 1 } (SIPp's Failed* columns). */
  readonly failures: Readonly<Record<string, number>>;
  /** Messages SIPp retransmitted itself (UDP only). */
  readonly retransmissions: number;
  readonly outOfCallMessages: number;
  readonly deadCallMessages: number;
  readonly warnings: number;
  readonly fatalErrors: number;
  readonly watchdogMajor: number;
  readonly watchdogMinor: number;
  /** Mean of response-time measure 1 (the scenario's start_rtd/rtd pair), ms. */
  readonly responseTimeMs: number;
  /** Mean call length, ms. */
  readonly callLengthMs: number;
  readonly elapsedMs: number;
}

/** What happened at one element of the scenario, from the -trace_counts CSV. */
export interface SippMessageCount {
  /** Position of the element in the scenario (what [branch-N] counts). */
  readonly index: number;
  /** Method or status code, or "Pause" for pause and timewait. */
  readonly label: string;
  readonly kind: 'send' | 'recv' | 'pause';
  /** Messages sent or received at this element, or calls that went through the pause. */
  readonly count: number;
  readonly retransmissions: number;
  readonly timeouts: number;
  readonly unexpected: number;
}

/** Parses a ';'-separated SIPp CSV into rows keyed by the header's column names. */
export function parseSippCsv(text: string): SippCsvRow[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.split(';');
  if (header === undefined) return [];
  return lines.slice(1).map((line) => {
    const cells = line.split(';');
    const row: Record<string, string> = {};
    header.forEach((name, i) => {
      if (name !== '') row[name] = cells[i] ?? '';
    });
    return row;
  });
}

/** The last row of a SIPp CSV, which SIPp writes when it exits; undefined if there is none. */
export function finalRow(rows: readonly SippCsvRow[]): SippCsvRow | undefined {
  return rows[rows.length - 1];
}

/** `HH:MM:SS` or `HH:MM:SS:micro` to milliseconds; NaN for anything else. */
export function parseSippDuration(text: string | undefined): number {
  const parts = (text ?? '').split(':');
  if ((parts.length !== 3 && parts.length !== 4) || parts.some((p) => !/^\d+$/.test(p))) return Number.NaN;
  const [h, m, s, us] = parts.map(Number) as [number, number, number, number | undefined];
  return ((h * 60 + m) * 60 + s) * 1000 + (us ?? 0) / 1000;
}

function int(row: SippCsvRow, column: string): number {
  const v = Number(row[column]);
  return Number.isFinite(v) ? v : 0;
}

/** Reads the cumulative figures from a -trace_stat row. */
export function summarizeSippStats(row: SippCsvRow): SippStats {
  const failures: Record<string, number> = {};
  for (const [name, value] of Object.entries(row)) {
    // FailedCall(C) is the total; the other Failed*(C) columns are its causes.
    const m = /^Failed(\w+)\(C\)$/.exec(name);
    if (m?.[1] !== undefined && m[1] !== 'Call' && Number(value) > 0) failures[m[1]] = Number(value);
  }
  return {
    callsCreated: int(row, 'TotalCallCreated'),
    incomingCalls: int(row, 'IncomingCall(C)'),
    outgoingCalls: int(row, 'OutgoingCall(C)'),
    currentCalls: int(row, 'CurrentCall'),
    successfulCalls: int(row, 'SuccessfulCall(C)'),
    failedCalls: int(row, 'FailedCall(C)'),
    failures,
    retransmissions: int(row, 'Retransmissions(C)'),
    outOfCallMessages: int(row, 'OutOfCallMsgs(C)'),
    deadCallMessages: int(row, 'DeadCallMsgs(C)'),
    warnings: int(row, 'Warnings(C)'),
    fatalErrors: int(row, 'FatalErrors(C)'),
    watchdogMajor: int(row, 'WatchdogMajor(C)'),
    watchdogMinor: int(row, 'WatchdogMinor(C)'),
    responseTimeMs: parseSippDuration(row['ResponseTime1(C)']),
    callLengthMs: parseSippDuration(row['CallLength(C)']),
    elapsedMs: parseSippDuration(row['ElapsedTime(C)']),
  };
}

/** Parses the -trace_counts CSV into one entry per scenario element, from its last (final) row. */
export function parseSippCounts(text: string): SippMessageCount[] {
  const row = finalRow(parseSippCsv(text));
  if (row === undefined) return [];
  const byIndex = new Map<number, { label: string; cells: Map<string, number> }>();
  for (const [column, value] of Object.entries(row)) {
    const m = /^(\d+)_(.+)_(Sent|Recv|Retrans|Timeout|Unexp|Sessions)$/.exec(column);
    if (m === null) continue;
    const index = Number(m[1]);
    const entry = byIndex.get(index) ?? { label: m[2] as string, cells: new Map<string, number>() };
    entry.cells.set(m[3] as string, Number(value) || 0);
    byIndex.set(index, entry);
  }
  return [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, { label, cells }]) => {
      const kind = cells.has('Sent') ? 'send' : cells.has('Recv') ? 'recv' : 'pause';
      return {
        index,
        label,
        kind,
        count: cells.get('Sent') ?? cells.get('Recv') ?? cells.get('Sessions') ?? 0,
        retransmissions: cells.get('Retrans') ?? 0,
        timeouts: cells.get('Timeout') ?? 0,
        unexpected: cells.get('Unexp') ?? 0,
      };
    });
}

/**
 * SIPp 3.6's exit codes (include/defines.h, and the help text):
 *
 * | code     | meaning                                                                 |
 * |----------|-------------------------------------------------------------------------|
 * | 0        | every call succeeded                                                    |
 * | 1        | at least one call failed                                                |
 * | 97       | stopped by an internal command, or the global -timeout expired with no  |
 * |          | successful call (only without -timeout_error, which we always pass)     |
 * | 99       | normal exit without any call processed (e.g. usage output)              |
 * | 254 (-2) | a socket could not be bound: the port is in use                         |
 * | 255 (-1) | fatal error: bad scenario or option, unknown -key, or the global        |
 * |          | -timeout expired with -timeout_error                                    |
 * | signal   | killed; SIGTERM still writes the statistics, SIGKILL does not           |
 */
export function describeSippExit(code: number | null, signal: string | null): string {
  if (code === null) return `killed by ${signal ?? 'a signal'}`;
  switch (code) {
    case 0:
      return 'all calls successful';
    case 1:
      return 'at least one call failed';
    case 97:
      return 'stopped by an internal command, or timed out with no successful call';
    case 99:
      return 'exited without processing any call';
    case 254:
      return 'a socket could not be bound (port in use?)';
    case 255:
      return 'fatal error (bad scenario or option, missing -key, or the global -timeout expired)';
    default:
      return `unknown exit code ${code}`;
  }
}
