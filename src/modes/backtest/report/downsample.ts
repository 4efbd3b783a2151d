// Min/max bucket downsampling for line charts. A 500k-bar equity curve drawn point by
// point makes a multi-megabyte SVG, and plain decimation (every n-th point) can skip the
// very bar where the drawdown bottomed out. Keeping each bucket's min and max keeps every
// spike and trough: the global extremes are always in the output.

/** Default cap used by the report's charts. */
export const MAX_CHART_POINTS = 2000;

/**
 * Returns at most `maxPoints` points of `points` (a subsequence, in the original order):
 * the first and last point, and for each of ⌊(maxPoints − 2) / 2⌋ equal-count buckets in
 * between, its lowest and highest point by `valueOf`. Series that already fit are copied
 * unchanged. Values must be finite (filter NaN out first). Buckets are by index, so points
 * should be in time order; uneven spacing in time is fine.
 */
export function downsampleMinMax<T>(points: readonly T[], valueOf: (p: T) => number, maxPoints: number = MAX_CHART_POINTS): T[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 4) {
    throw new RangeError(`maxPoints must be an integer >= 4, got ${maxPoints}`);
  }
  const n = points.length;
  if (n <= maxPoints) return points.slice();

  const interior = n - 2; // points[1 .. n-2]
  const buckets = Math.floor((maxPoints - 2) / 2);
  const out: T[] = [points[0]];
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * interior) / buckets);
    const end = 1 + Math.floor(((b + 1) * interior) / buckets);
    if (start >= end) continue;
    let minIdx = start;
    let maxIdx = start;
    let minVal = valueOf(points[start]);
    let maxVal = minVal;
    for (let i = start + 1; i < end; i++) {
      const v = valueOf(points[i]);
      if (v < minVal) {
        minVal = v;
        minIdx = i;
      } else if (v > maxVal) {
        maxVal = v;
        maxIdx = i;
      }
    }
    // Emit in index order so the polyline still runs forward in time.
    const first = Math.min(minIdx, maxIdx);
    const second = Math.max(minIdx, maxIdx);
    out.push(points[first]);
    if (second !== first) out.push(points[second]);
  }
  out.push(points[n - 1]);
  return out;
}
