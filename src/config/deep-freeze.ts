/**
 * Freezes an object graph so that a loaded configuration cannot be changed by the code
 * that reads it (a reload builds a new one).
 *
 * @example
 *   const config = deepFreeze({ a: { b: [1] } });
 *   Object.isFrozen(config.a.b); // true
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
