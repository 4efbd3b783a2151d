// The distribution of bar returns as a histogram, with the moments that say what a histogram
// hints at: a fat left tail (negative skew, high kurtosis) is risk a volatility figure hides.

export interface ReturnHistogram {
  /** Lower edge of each bin, percent; every bin is `binWidthPct` wide, the last includes its upper edge. */
  binStartsPct: number[];
  binWidthPct: number;
  counts: number[];
  meanPct: number | null;
  stdevPct: number | null;
  /** Sample skewness (third standardised moment); null with fewer than three returns or no variance. */
  skew: number | null;
  /** Excess kurtosis (fourth standardised moment − 3); null likewise. */
  excessKurtosis: number | null;
}

/** A histogram of `bins` equal bins from the lowest to the highest return (fractions in, percent out). */
export function returnHistogram(returns: ArrayLike<number>, bins: number = 40): ReturnHistogram {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const n = returns.length;
  if (n === 0) return { binStartsPct: [], binWidthPct: 0, counts: [], meanPct: null, stdevPct: null, skew: null, excessKurtosis: null };
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const r = returns[i]!;
    if (r < lo) lo = r;
    if (r > hi) hi = r;
    sum += r;
  }
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = returns[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  // All returns equal: one bin holding them all.
  const k = hi > lo ? bins : 1;
  const width = hi > lo ? (hi - lo) / k : 0;
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    const b = width > 0 ? Math.min(k - 1, Math.floor((returns[i]! - lo) / width)) : 0;
    counts[b]!++;
  }
  const varied = m2 > 0 && n >= 3;
  return {
    binStartsPct: counts.map((_, b) => (lo + b * width) * 100),
    binWidthPct: width * 100,
    counts,
    meanPct: mean * 100,
    stdevPct: n >= 2 ? Math.sqrt((m2 * n) / (n - 1)) * 100 : null,
    skew: varied ? m3 / m2 ** 1.5 : null,
    excessKurtosis: varied ? m4 / (m2 * m2) - 3 : null,
  };
}
