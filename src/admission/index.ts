/**
 * Admission of inbound requests: digest authentication, single-use nonces, the
 * per-source failure throttle, per-trunk call limits and the scanner filter, combined
 * by `InboundPolicy`. Pure and time-injected; the SIP application does the I/O.
 *
 * @example
 *   import { InboundPolicy } from './admission/index.js';
 *   const policy = new InboundPolicy(config);
 *   const decision = policy.admit(facts, Date.now());
 */
export {
  challengeValue,
  challengeValues,
  digestHa1,
  parseCredentials,
  verifyDigestResponse,
  type CredentialsResult,
  type DigestAlgorithm,
  type DigestCredentials,
} from './digest.js';
export { FailureThrottle, type FailureThrottleOptions } from './failure-throttle.js';
export {
  InboundPolicy,
  type Admission,
  type CallAdmission,
  type DropReason,
  type InboundPolicyOptions,
  type Refusal,
  type RefusalReason,
  type RequestFacts,
} from './inbound-policy.js';
export { NonceService, type NonceOptions, type NonceState } from './nonces.js';
export { ScannerFilter } from './scanner-filter.js';
export { TrunkLimits, type CallSlot, type TrunkLimitOptions, type TrunkLimitSpec } from './trunk-limits.js';
