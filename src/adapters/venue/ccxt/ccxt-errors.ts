// What a ccxt failure means to the engine: ccxt's error classes (one hierarchy for every
// exchange) mapped to the stable codes of src/errors.ts, with the venue's Retry-After kept
// as a hint. Network-side failures are retryable; the venue's refusals are not.

import { AuthenticationError, DDoSProtection, InsufficientFunds, InvalidOrder, OperationFailed, OrderNotFound, RateLimitExceeded, RequestTimeout } from 'ccxt';
import { OrdinisError, type ErrorCode } from '../../../errors.ts';

/** The code a ccxt error maps to on the order path (EXEC). */
export function execCodeOf(e: unknown): ErrorCode {
  if (e instanceof OrdinisError) return e.code;
  if (e instanceof RequestTimeout) return 'E_EXEC_BROKER_TIMEOUT';
  // 429/418 (binance) are DDoSProtection; RateLimitExceeded covers venues that say so in the body.
  if (isRateLimit(e)) return 'E_EXEC_RATE_LIMITED';
  // OperationFailed: ccxt's network errors and the venue's "try again" answers (binance
  // -1000 unknown error, -1006 execution status unknown): the venue, not the order, failed.
  if (e instanceof OperationFailed) return 'E_EXEC_BROKER_UNAVAILABLE';
  if (e instanceof AuthenticationError) return 'E_EXEC_BROKER_AUTH';
  if (e instanceof OrderNotFound) return 'E_EXEC_ORDER_UNKNOWN';
  return 'E_EXEC_BROKER_REJECTED';
}

/** A refusal of the order itself (bad terms, not enough funds): the order is rejected, not retried. */
export function isOrderRefusal(e: unknown): boolean {
  return (e instanceof InvalidOrder && !(e instanceof OrderNotFound)) || e instanceof InsufficientFunds;
}

function isRateLimit(e: unknown): boolean {
  return e instanceof DDoSProtection || e instanceof RateLimitExceeded;
}

export function isOrderNotFound(e: unknown): boolean {
  return e instanceof OrderNotFound;
}

/** Whether the failure leaves the outcome of a request unknown (it may have reached the venue). */
export function isOutcomeUnknown(e: unknown): boolean {
  return e instanceof OperationFailed && !isRateLimit(e);
}

/**
 * Retry-After (RFC 9110): delay-seconds or an HTTP date, as ms from `nowMs`; undefined when
 * absent or unreadable.
 */
export function retryAfterMs(headers: Record<string, unknown> | undefined, nowMs: number): number | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === 'retry-after');
  const raw = key === undefined ? undefined : headers[key];
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const s = raw.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const at = Date.parse(s);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/** An OrdinisError for a failed venue call: `what` names the call and the order, the ccxt error is the cause. */
export function venueError(e: unknown, what: string, hints: { retryAfterMs?: number; details?: Record<string, unknown> } = {}): OrdinisError {
  if (e instanceof OrdinisError) return e;
  const code = execCodeOf(e);
  const msg = e instanceof Error ? e.message : String(e);
  return new OrdinisError(code, `${what}: ${msg}`, {
    cause: e,
    ...(code === 'E_EXEC_RATE_LIMITED' && hints.retryAfterMs !== undefined ? { retryAfterMs: hints.retryAfterMs } : {}),
    ...(hints.details ? { details: hints.details } : {}),
  });
}
