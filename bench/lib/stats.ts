// Small statistics for the benchmarks: nearest-rank percentiles over a sample and a median.

/** Nearest-rank percentile (p in 0..100) of an already sorted sample. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  n: number;
}

/** p50/p95/p99 of a sample (sorted in place when it is a typed array copy). */
export function percentiles(sample: ArrayLike<number>, digits = 2): Percentiles {
  const sorted = Float64Array.from(sample).sort();
  const r = (x: number): number => round(x, digits);
  return { p50: r(percentileSorted(sorted, 50)), p95: r(percentileSorted(sorted, 95)), p99: r(percentileSorted(sorted, 99)), n: sorted.length };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
