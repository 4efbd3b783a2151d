// Bars for users' own tests, without a CSV file: from a list of closes or of OHLCV rows,
// one bar per day from a start date (UTC midnight), all for one symbol.

import { OrdinisError } from '../errors.ts';
import type { Bar } from '../domain/market.ts';
import { DAY_MS, parseIsoDate } from '../adapters/data/bar-time.ts';

/** Where the bars go in time and whose they are. */
export interface BarsOptions {
  /** The symbol stamped on every bar. Default `TEST`. */
  symbol?: string;
  /** The first bar's date, `YYYY-MM-DD` (UTC midnight). Default `2020-01-01`. */
  start?: string;
  /** Days between bars. Default 1 (every calendar day: no weekends or holidays skipped). */
  stepDays?: number;
}

/** One OHLCV row: an object, or a tuple `[open, high, low, close, volume?]`. Volume defaults to 0. */
export type OhlcvRow =
  | { open: number; high: number; low: number; close: number; volume?: number }
  | readonly [open: number, high: number, low: number, close: number, volume?: number];

/**
 * Daily bars from closing prices: each bar's open, high and low equal its close (so an order
 * resting from the bar before fills at that close). For gaps and ranges use `barsFromRows`.
 *
 * @example
 * ```ts
 * const bars = barsFromCloses([10, 11, 12, 11, 10], { symbol: 'ACME', start: '2024-01-01' });
 * ```
 */
export function barsFromCloses(closes: readonly number[], options: BarsOptions = {}): Bar[] {
  if (!Array.isArray(closes)) throw new OrdinisError('E_CFG_INVALID', 'barsFromCloses: closes must be an array of numbers');
  closes.forEach((c, i) => {
    if (typeof c !== 'number' || !Number.isFinite(c) || c <= 0) throw new OrdinisError('E_CFG_INVALID', `closes[${i}] = ${String(c)}: expected a positive finite number`);
  });
  return barsFromRows(closes.map((c) => [c, c, c, c] as const), options);
}

/**
 * Daily bars from OHLCV rows. Throws E_CFG_INVALID naming the row for a price that is not a
 * positive finite number, a volume below 0, or a high/low that does not bound open and close.
 *
 * @example
 * ```ts
 * const bars = barsFromRows([[10, 11, 9.5, 10.5, 1000], { open: 10.5, high: 12, low: 10, close: 11.8 }]);
 * ```
 */
export function barsFromRows(rows: readonly OhlcvRow[], options: BarsOptions = {}): Bar[] {
  const { symbol, first, step } = placement(options);
  if (!Array.isArray(rows)) throw new OrdinisError('E_CFG_INVALID', 'barsFromRows: rows must be an array');
  return rows.map((row, i) => {
    const [open, high, low, close, volume = 0] = Array.isArray(row) ? row : ([row.open, row.high, row.low, row.close, row.volume] as const);
    const bad = (what: string): never => {
      throw new OrdinisError('E_CFG_INVALID', `bars row ${i} (${showRow(row)}): ${what}`);
    };
    for (const [k, v] of [['open', open], ['high', high], ['low', low], ['close', close]] as const) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) bad(`${k} must be a positive finite number`);
    }
    if (typeof volume !== 'number' || !Number.isFinite(volume) || volume < 0) bad('volume must be a finite number >= 0');
    if (high < Math.max(open, close) || low > Math.min(open, close)) bad('high and low must bound open and close');
    return { symbol, ts: first + i * step, open, high, low, close, volume };
  });
}

function placement(options: BarsOptions): { symbol: string; first: number; step: number } {
  const symbol = options.symbol ?? 'TEST';
  if (typeof symbol !== 'string' || symbol.trim() === '') throw new OrdinisError('E_CFG_INVALID', `bars symbol ${JSON.stringify(symbol)}: expected a non-empty string`);
  const start = options.start ?? '2020-01-01';
  const first = parseIsoDate(start);
  if (first === undefined) throw new OrdinisError('E_CFG_INVALID', `bars start ${JSON.stringify(start)}: expected a date YYYY-MM-DD`);
  const stepDays = options.stepDays ?? 1;
  if (!Number.isInteger(stepDays) || stepDays < 1) throw new OrdinisError('E_CFG_INVALID', `bars stepDays ${JSON.stringify(stepDays)}: expected a whole number of days >= 1`);
  return { symbol, first, step: stepDays * DAY_MS };
}

/** A row as written (NaN and Infinity included, which JSON would print as null). */
function showRow(row: OhlcvRow): string {
  return Array.isArray(row) ? `[${row.map(String).join(', ')}]` : `{ ${Object.entries(row).map(([k, v]) => `${k}: ${String(v)}`).join(', ')} }`;
}
