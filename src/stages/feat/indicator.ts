// What every streaming indicator shares: a warm-up length, input checks, period checks.

import { OrdinisError } from '../../errors.ts';

/** A streaming indicator: fed one observation per bar, it has a value once warm. */
export interface StreamingIndicator {
  /** 1-based index of the first bar with a value (e.g. n for SMA(n), n + 1 for RSI(n)). */
  readonly warmup: number;
  /** The latest value; undefined until warm. */
  readonly value: number | undefined;
  reset(): void;
}

/** Throws E_CFG_INVALID unless `period` is a whole number >= `min`. */
export function checkPeriod(what: string, period: number, min = 1): void {
  if (!Number.isInteger(period) || period < min) {
    throw new OrdinisError('E_CFG_INVALID', `${what}: period must be a whole number >= ${min}, got ${period}`);
  }
}

/** Throws E_FEAT_INVALID_INPUT for NaN or +-Infinity (FeatureStage names symbol and time first). */
export function checkFinite(what: string, x: number): void {
  // The error is worded apart: checkFinite runs on every input, and V8 optimizes a function
  // holding a message template far worse.
  if (!Number.isFinite(x)) notFinite(what, x);
}

function notFinite(what: string, x: number): never {
  throw new OrdinisError('E_FEAT_INVALID_INPUT', `${what}: input ${x} is not a finite number`);
}
