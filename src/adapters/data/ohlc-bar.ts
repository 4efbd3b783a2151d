// A row's prices as a bar: the OHLC consistency rules shared by the plain and the strict
// row parsers, so both accept and adjust exactly the same rows.

import type { Bar } from '../../domain/market.ts';

/** What is wrong with a row: the reason (worded for the error message) and the field and value at fault. */
export interface RowProblem {
  reason: string;
  field?: string;
  value?: string;
}

/** The OHLC consistency problem of a row's prices (each finite and > 0), within the relative slack `tol`. */
export function ohlcProblem(open: number, high: number, low: number, close: number, tol: number): RowProblem | undefined {
  if (high < low) return { reason: `high ${high} < low ${low}`, field: 'high', value: String(high) };
  const top = Math.max(open, close);
  if (high < top && top - high > tol * top) return { reason: `high ${high} < max(open, close) ${top}`, field: 'high', value: String(high) };
  const bottom = Math.min(open, close);
  if (low > bottom && low - bottom > tol * bottom) return { reason: `low ${low} > min(open, close) ${bottom}`, field: 'low', value: String(low) };
  return undefined;
}

/**
 * The bar of a row that passed ohlcProblem: a High or Low off by float noise (within the
 * slack) is moved to max(Open, Close) or min(Open, Close).
 */
export function ohlcBar(symbol: string, ts: number, open: number, high: number, low: number, close: number, volume: number): Bar {
  return { symbol, ts, open, high: Math.max(high, open, close), low: Math.min(low, open, close), close, volume };
}
