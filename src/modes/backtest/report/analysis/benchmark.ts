// The benchmark a strategy is measured against, and how it relates to it. By default the
// benchmark is buy and hold of the traded symbols: the starting cash split equally, each slice
// buying its symbol at the symbol's first close (no costs, fractional shares) and held to the
// end; a slice whose symbol has not started yet is held as cash. `--benchmark FILE` gives one
// series instead (a slice of one). Alpha and beta come from regressing the strategy's bar
// returns on the benchmark's over the same bars (CAPM with a zero risk-free rate).

/** One priced series: bar times ascending and their closes. */
export interface PriceSeries {
  ts: ArrayLike<number>;
  close: ArrayLike<number>;
}

/**
 * The value of the buy-and-hold portfolio of `series` at each time of `at` (ascending),
 * starting from `startingCash`. Each series is valued at its last close at or before the time.
 */
export function buyAndHold(series: readonly PriceSeries[], at: ArrayLike<number>, startingCash: number): Float64Array {
  const out = new Float64Array(at.length);
  const live = series.filter((s) => s.ts.length > 0 && s.close[0]! > 0);
  if (live.length === 0) {
    out.fill(startingCash);
    return out;
  }
  const slice = startingCash / live.length;
  const cursor = new Int32Array(live.length).fill(-1);
  for (let i = 0; i < at.length; i++) {
    const t = at[i]!;
    let v = 0;
    for (let k = 0; k < live.length; k++) {
      const s = live[k]!;
      let c = cursor[k]!;
      while (c + 1 < s.ts.length && s.ts[c + 1]! <= t) c++;
      cursor[k] = c;
      v += c < 0 ? slice : (slice * s.close[c]!) / s.close[0]!;
    }
    out[i] = v;
  }
  return out;
}

export interface BenchmarkRelation {
  /** Annualised alpha, percent: the strategy's mean bar return beyond beta times the benchmark's, times periods per year. */
  alphaPct: number | null;
  beta: number | null;
  /** Correlation of the bar returns. */
  correlation: number | null;
  /** The benchmark's total return over the curve, percent. */
  benchmarkReturnPct: number | null;
}

/**
 * Alpha and beta of the strategy's values against the benchmark's values at the same bars.
 * Null where undefined: fewer than two returns, or a benchmark that never moved.
 */
export function alphaBeta(strategy: ArrayLike<number>, benchmark: ArrayLike<number>, periodsPerYear: number): BenchmarkRelation {
  const n = Math.min(strategy.length, benchmark.length);
  const benchmarkReturnPct = n >= 1 && benchmark[0]! !== 0 ? (benchmark[n - 1]! / benchmark[0]! - 1) * 100 : null;
  // Bar returns on the fly: a long run has a million of them, not worth two arrays.
  const m = n - 1;
  if (m < 2) return { alphaPct: null, beta: null, correlation: null, benchmarkReturnPct };
  const ret = (v: ArrayLike<number>, i: number): number => (v[i]! !== 0 ? v[i + 1]! / v[i]! - 1 : 0);
  let ms = 0;
  let mb = 0;
  for (let i = 0; i < m; i++) {
    ms += ret(strategy, i);
    mb += ret(benchmark, i);
  }
  ms /= m;
  mb /= m;
  let cov = 0;
  let varB = 0;
  let varS = 0;
  for (let i = 0; i < m; i++) {
    const ds = ret(strategy, i) - ms;
    const db = ret(benchmark, i) - mb;
    cov += ds * db;
    varB += db * db;
    varS += ds * ds;
  }
  if (!(varB > 0)) return { alphaPct: null, beta: null, correlation: null, benchmarkReturnPct };
  const beta = cov / varB;
  return {
    alphaPct: (ms - beta * mb) * periodsPerYear * 100,
    beta,
    correlation: varS > 0 ? cov / Math.sqrt(varB * varS) : null,
    benchmarkReturnPct,
  };
}
