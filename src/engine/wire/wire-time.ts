/**
 * Time stamps in wire frames: `HH:MM:SS.ffffff`, UTC (docs/drachtio-wire-protocol.md
 * §6.6). The string is rebuilt at most once per millisecond, since every frame needs one.
 */
let cachedMs = -1;
let cachedPrefix = '';

export function wireTime(nowMs: number = Date.now()): string {
  if (nowMs !== cachedMs) {
    cachedMs = nowMs;
    const d = new Date(nowMs);
    cachedPrefix = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
  }
  // Sub-millisecond digits are not meaningful here; keep the six-digit shape.
  return cachedPrefix + '000';
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}
