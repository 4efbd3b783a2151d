// Retry policy, after Temporal's: one interface, every field documented with its default,
// and one function that validates and normalizes it. The backoff is a pure function of
// (attempt, policy, random draw) so seeded jitter is reproducible and testable.

import { OrdinisError, isErrorCode, type ErrorCode } from '../errors.ts';
import type { RandomSource } from '../core/random.ts';

/** How a failed stage attempt is retried: full-jitter exponential backoff, bounded attempts, codes never retried. */
export interface RetryPolicy {
  /** Delay cap before the first retry, ms. Default 50. */
  initialIntervalMs: number;
  /** Growth of the cap per retry. Default 2. Must be >= 1. */
  backoffCoefficient: number;
  /** Largest delay cap, ms. Default 1000. */
  maximumIntervalMs: number;
  /** Total attempts including the first: 1 + ORCH_RETRY_MAX. Default 2. */
  maximumAttempts: number;
  /** Codes never retried even if their error says retryable. */
  nonRetryableErrorCodes: readonly ErrorCode[];
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  initialIntervalMs: 50,
  backoffCoefficient: 2,
  maximumIntervalMs: 1000,
  maximumAttempts: 2,
  nonRetryableErrorCodes: Object.freeze(['E_EXEC_IDEMPOTENCY_CONFLICT', 'E_KILL_ACTIVE', 'E_LEDG_INVARIANT_BREACH']) as readonly ErrorCode[],
});

export function normalizeRetryPolicy(input: Partial<RetryPolicy> | undefined, where: string): RetryPolicy {
  const p: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...input };
  const bad = (field: string, value: unknown, expected: string): never => {
    throw new OrdinisError('E_ORCH_STAGE_SPEC_INVALID', `${where}: retry.${field} = ${JSON.stringify(value)}; expected ${expected}`);
  };
  if (!Number.isFinite(p.initialIntervalMs) || p.initialIntervalMs < 0) bad('initialIntervalMs', p.initialIntervalMs, 'a number >= 0');
  if (!Number.isFinite(p.backoffCoefficient) || p.backoffCoefficient < 1) bad('backoffCoefficient', p.backoffCoefficient, 'a number >= 1');
  if (!Number.isFinite(p.maximumIntervalMs) || p.maximumIntervalMs < p.initialIntervalMs) {
    bad('maximumIntervalMs', p.maximumIntervalMs, `a number >= initialIntervalMs (${p.initialIntervalMs})`);
  }
  if (!Number.isInteger(p.maximumAttempts) || p.maximumAttempts < 1) bad('maximumAttempts', p.maximumAttempts, 'an integer >= 1');
  for (const c of p.nonRetryableErrorCodes) if (!isErrorCode(c)) bad('nonRetryableErrorCodes', c, 'known E_* codes');
  return Object.freeze({ ...p, nonRetryableErrorCodes: Object.freeze([...p.nonRetryableErrorCodes]) });
}

/**
 * Delay before retry number `retry` (1 = first retry): full jitter, a uniform draw in
 * [0, min(maximumInterval, initial * coefficient^(retry-1))). A dependency's retry-after
 * hint is a floor: we never come back sooner than it asked.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: RandomSource, retryAfterMs?: number): number {
  const cap = Math.min(policy.maximumIntervalMs, policy.initialIntervalMs * Math.pow(policy.backoffCoefficient, retry - 1));
  const jittered = Math.floor(random.next() * cap);
  return retryAfterMs !== undefined && retryAfterMs > jittered ? retryAfterMs : jittered;
}

export function isRetryable(code: ErrorCode, retryable: boolean, policy: RetryPolicy): boolean {
  return retryable && !policy.nonRetryableErrorCodes.includes(code);
}
