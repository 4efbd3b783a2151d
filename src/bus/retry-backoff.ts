// The bus's retry delay: exponential, pure, no jitter. One in-process bus has no herd of
// clients to spread out, and a jitter-free delay keeps tests and replays exact.

/**
 * Delay before the next attempt after `failedAttempts` failures (1 = the first try failed):
 * base, 2·base, 4·base, ... capped at `maxMs`.
 */
export function retryDelayMs(failedAttempts: number, baseMs: number, maxMs: number): number {
  const exponent = Math.max(0, failedAttempts - 1);
  return Math.min(maxMs, baseMs * 2 ** exponent);
}
