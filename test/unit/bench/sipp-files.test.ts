import { describe, expect, it } from 'vitest';
import { elapsedSeconds, num, readMessageCounts, readRttSamples, readStatRows, receivedCount } from '../../../bench/ramp/sipp-files.js';

// Shapes copied from SIPp 3.6.1 output (columns shortened).
const STAT = 'StartTime;ElapsedTime(C);CurrentCall;SuccessfulCall(C);FailedCall(C)\n2026-12-06\t01:04:59;00:00:01:004000;3;97;0\n2026-12-06\t01:05:00;00:01:02:500000;5;197;2\n';
const RTT = 'Date_ms;response_time_ms;rtd_no\n16.001;4;1\n28.001;12;1\n\n';
const COUNTS =
  'CurrentTime;ElapsedTime;0_INVITE_Sent;0_INVITE_Retrans;0_INVITE_Timeout;1_100_Recv;1_100_Retrans;2_503_Recv;3_200_Recv;3_200_Retrans;4_ACK_Sent;5_Pause_Sessions;\n' +
  'x;00:00:01:000000;10;0;0;0;0;0;9;0;9;1;\n' +
  'x;00:00:02:000000;20;1;0;2;0;4;16;2;16;0;\n';

describe('SIPp trace files', () => {
  it('reads statistics rows by column name', () => {
    const rows = readStatRows(STAT);
    expect(rows).toHaveLength(2);
    expect(num(rows.at(-1), 'SuccessfulCall(C)')).toBe(197);
    expect(num(rows.at(-1), 'NoSuchColumn')).toBe(0);
    expect(elapsedSeconds(rows[1]!)).toBeCloseTo(62.5);
  });

  it('reads response times and skips the header and blank lines', () => {
    expect(readRttSamples(RTT)).toEqual([
      { atMs: 16.001, ms: 4, rtd: 1 },
      { atMs: 28.001, ms: 12, rtd: 1 },
    ]);
  });

  it('totals messages and retransmissions from the last counts row, ignoring pauses and timeouts', () => {
    const c = readMessageCounts(COUNTS);
    expect(c.messages).toBe(20 + 2 + 4 + 16 + 16);
    expect(c.retransmissions).toBe(3);
    expect(receivedCount(c, '503')).toBe(4);
    expect(receivedCount(c, '486')).toBe(0);
  });

  it('gives empty results for files SIPp never wrote', () => {
    expect(readStatRows('')).toEqual([]);
    expect(readMessageCounts('').messages).toBe(0);
  });
});
