/**
 * The retry decision of a failed delivery, from JetStream's own count of deliveries: attempt n
 * (1-based) that fails waits `retryDelays[n-1]`; the one after the last delay is the last. The count
 * lives in the broker, so the back-off survives a restart (a crash mid-attempt counts as an attempt).
 */
export type RetryDecision = { retryIn: number } | { giveUp: true };

export function afterFailure(attempt: number, retryDelays: readonly number[]): RetryDecision {
  const delay = retryDelays[attempt - 1];
  return delay === undefined ? { giveUp: true } : { retryIn: delay };
}
