// Rolling Sharpe ratio and volatility over a window of bar returns: how the risk-adjusted
// return moved through the run, where the KPI table gives one number for all of it. Running
// sums make it one pass however long the window; both are annualised by the bars' own
// frequency (bar-frequency.ts), with a zero risk-free rate as the KPI table's Sharpe.

export interface RollingPoint {
  /** Time of the window's last bar. */
  ts: number;
  /** Annualised Sharpe of the window; null when its returns did not vary. */
  sharpe: number | null;
  /** Annualised volatility of the window, percent. */
  volatilityPct: number;
}

/** A window of about a quarter of a year of bars (63 for daily bars), at least 10 bars. */
export function rollingWindowFor(periodsPerYear: number): number {
  return Math.max(10, Math.round(periodsPerYear / 4));
}

/** The rolling figures as columns (a long run has as many as it has bars: no object per bar). */
export interface RollingSeries {
  ts: Float64Array;
  /** NaN where the window's returns did not vary. */
  sharpe: Float64Array;
  volatilityPct: Float64Array;
}

/**
 * For each bar from the `window`-th return on, the Sharpe and volatility of the last `window`
 * returns (`returns[i]` is the return into bar `i + 1`, so `ts` has one more entry).
 */
export function rollingSharpe(ts: ArrayLike<number>, returns: ArrayLike<number>, window: number, periodsPerYear: number): RollingSeries {
  if (!Number.isInteger(window) || window < 2) throw new RangeError(`window must be an integer >= 2, got ${window}`);
  const n = Math.max(0, returns.length - window + 1);
  const out: RollingSeries = { ts: new Float64Array(n), sharpe: new Float64Array(n), volatilityPct: new Float64Array(n) };
  const scale = Math.sqrt(periodsPerYear);
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    sum += r;
    sumSq += r * r;
    if (i >= window) {
      const old = returns[i - window]!;
      sum -= old;
      sumSq -= old * old;
    }
    if (i < window - 1) continue;
    const mean = sum / window;
    // Sample variance; clamped at 0 against the rounding of the running sums.
    const variance = Math.max(0, (sumSq - window * mean * mean) / (window - 1));
    const sd = Math.sqrt(variance);
    // A window of equal returns leaves a rounding residue, not volatility.
    const flat = sd <= 1e-12 * Math.max(1, Math.abs(mean));
    const k = i - window + 1;
    out.ts[k] = ts[i + 1]!;
    out.sharpe[k] = flat ? NaN : (mean / sd) * scale;
    out.volatilityPct[k] = flat ? 0 : sd * scale * 100;
  }
  return out;
}

/** The points at `indices` of the series, for a chart. */
export function rollingPoints(s: RollingSeries, indices: readonly number[]): RollingPoint[] {
  return indices.map((i) => ({ ts: s.ts[i]!, sharpe: Number.isNaN(s.sharpe[i]!) ? null : s.sharpe[i]!, volatilityPct: s.volatilityPct[i]! }));
}
