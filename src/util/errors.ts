/**
 * Errors with stable codes. Every code is listed in docs/errors.md and never reused.
 *
 * @example
 *   throw new SwitchboardError('SB_CONFIG_INVALID', 'config.yaml:3:5: unknown key "qeue"');
 */
export type ErrorCode =
  | 'SB_CONFIG_INVALID'
  | 'SB_CONFIG_READ'
  | 'SB_USAGE'
  | 'SB_SIP_PARSE'
  | 'SB_SIP_TOO_LARGE'
  | 'SB_TRANSPORT'
  | 'SB_TRANSACTION_TIMEOUT'
  | 'SB_WIRE_PROTOCOL'
  | 'SB_INTERNAL'
  | 'SB_SCHEDULER_INPUT'
  | 'SB_TRANSACTION_STATE'
  | 'SB_MEDIA_UNAVAILABLE'
  | 'SB_MEDIA_REFUSED'
  | 'SB_AGENT_UNKNOWN'
  | 'SB_AGENT_TRANSITION';

export class SwitchboardError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SwitchboardError';
    this.code = code;
  }
}

export function isSwitchboardError(err: unknown, code?: ErrorCode): err is SwitchboardError {
  return err instanceof SwitchboardError && (code === undefined || err.code === code);
}
