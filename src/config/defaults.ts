/**
 * Defaults the schema applies where a shorthand leaves no place for `prefault`; each is
 * documented in docs/configuration.md.
 *
 * @example
 *   { ring: alice }  // rings alice for DEFAULT_RING_TIMEOUT_MS
 */

/** How long a ring step rings each target unless configured. */
export const DEFAULT_RING_TIMEOUT_MS = 20_000;
/** Status when a full queue has no `on_full`. */
export const DEFAULT_QUEUE_FULL_STATUS = 503;
/** Status when a queue's wait limit passes and it has no `on_timeout`. */
export const DEFAULT_QUEUE_TIMEOUT_STATUS = 480;
/** Status when an IVR menu gets no valid choice and has no `on_failure`. */
export const DEFAULT_IVR_FAILURE_STATUS = 480;
