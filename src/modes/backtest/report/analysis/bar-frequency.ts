// How many bars make a year, read off the run's own timestamps. A Sharpe ratio or a volatility
// is annualised by sqrt(periods per year), so 5-minute bars annualised as if they were days
// understate both by a factor of nine. Counting bars over the elapsed calendar time measures
// the data as it is: ~252 for exchange days, ~19,656 for 5-minute bars of a 6.5-hour session,
// ~105,120 for 5-minute bars around the clock; weekends and holidays are counted as the data
// has them, which is what annualising needs.

/** A Julian year in milliseconds: the calendar unit the bar count is divided by. */
export const YEAR_MS = 365.25 * 24 * 3600 * 1000;

/** Fewer bars than this and the span is too short to read a frequency off; the fallback is used. */
export const MIN_BARS_FOR_FREQUENCY = 3;

export interface BarFrequency {
  /** Bars per year used to annualise the report's own figures. */
  periodsPerYear: number;
  /** 'inferred' from the timestamps, or the configured 'fallback' (too few bars, or no elapsed time). */
  source: 'inferred' | 'fallback';
  /** The median spacing between consecutive bars, ms (null with fewer than two bars). */
  medianSpacingMs: number | null;
}

/**
 * Periods per year of a series of bar times (ascending): (bars − 1) intervals over the elapsed
 * time, in years. `fallback` (ANA_PERIODS_PER_YEAR) when the series is too short to say.
 */
export function inferBarFrequency(ts: ArrayLike<number>, fallback: number): BarFrequency {
  const n = ts.length;
  const medianSpacingMs = n >= 2 ? medianSpacing(ts) : null;
  const elapsed = n >= 2 ? ts[n - 1]! - ts[0]! : 0;
  if (n < MIN_BARS_FOR_FREQUENCY || !(elapsed > 0)) return { periodsPerYear: fallback, source: 'fallback', medianSpacingMs };
  return { periodsPerYear: ((n - 1) * YEAR_MS) / elapsed, source: 'inferred', medianSpacingMs };
}

function medianSpacing(ts: ArrayLike<number>): number {
  const gaps = new Float64Array(ts.length - 1);
  for (let i = 1; i < ts.length; i++) gaps[i - 1] = ts[i]! - ts[i - 1]!;
  gaps.sort();
  const mid = gaps.length >> 1;
  return gaps.length % 2 === 1 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
}

/** A spacing in words ("1 day", "5 minutes", "1 hour"), for the report's note on annualising. */
export function describeSpacing(ms: number): string {
  const units: [number, string][] = [
    [7 * 24 * 3600e3, 'week'],
    [24 * 3600e3, 'day'],
    [3600e3, 'hour'],
    [60e3, 'minute'],
    [1e3, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && Math.abs(ms / size - Math.round(ms / size)) < 1e-9) {
      const k = Math.round(ms / size);
      return `${k} ${name}${k === 1 ? '' : 's'}`;
    }
  }
  return `${ms} ms`;
}
