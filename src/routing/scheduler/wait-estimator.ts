/**
 * Estimated wait for announcements ("your estimated wait is 3 minutes").
 *
 *   estimatedWait = position × averageHandleTime ÷ staffedCapacity
 *
 * - position: 1 for the next caller in line.
 * - averageHandleTime: exponentially weighted moving average of talk time + the agent's
 *   wrap-up time over the queue's completed calls, weight 0.2 per call, so the last ten
 *   calls carry about 90 % of the weight and the estimate follows changes within minutes.
 * - staffedCapacity: the sum of maxCalls over logged-in, unpaused members who qualify at
 *   the queue's last stage, i.e. how many calls the queue can run in parallel.
 *
 * It is undefined before the first completed call or while nobody is staffed: the host
 * then leaves the estimate out of announcements. Known simplification: an agent who
 * serves several queues counts fully in each.
 *
 * @example
 *   const aht = new HandleTimeAverage();
 *   aht.record(180_000);
 *   estimateWaitMs(3, aht.averageMs, 2); // 270_000
 */
const WEIGHT = 0.2;

export class HandleTimeAverage {
  private average: number | undefined = undefined;

  get averageMs(): number | undefined {
    return this.average;
  }

  record(handleMs: number): void {
    this.average = this.average === undefined ? handleMs : this.average + WEIGHT * (handleMs - this.average);
  }
}

export function estimateWaitMs(position: number, averageHandleMs: number | undefined, staffedCapacity: number): number | undefined {
  if (averageHandleMs === undefined || staffedCapacity <= 0) return undefined;
  return Math.round((position * averageHandleMs) / staffedCapacity);
}
