// The chart curve: the few thousand points of an equity curve that the report's two charts
// draw, picked while the curve streams past (from SQLite, a row at a time), so a curve of a
// million points is never held in memory. For each of the buckets `downsampleMinMax` would
// make, it keeps the lowest and highest point by value (the equity chart) and by drawdown
// (the drawdown chart), plus the first and last point: every spike and trough of either
// chart, in time order. It has at most twice MAX_CHART_POINTS points (fewer when the two
// charts pick the same points, or a flat stretch has one), and a chart drawn from it keeps
// the resolution of one drawn from the whole curve.

import type { EquityPoint } from '../../../stages/ana/equity-curve.ts';
import { MAX_CHART_POINTS } from './downsample.ts';

/** Visits every point of a curve, oldest first. */
export type EachEquityPoint = (visit: (ts: number, value: number, drawdownPct: number) => void) => void;

/** The buckets of the report's own downsampling: each keeps up to four points, two per chart. */
export const CHART_CURVE_POINTS = MAX_CHART_POINTS;

/** One kept point of the open bucket, overwritten in place (no object per visited point). */
interface Slot {
  i: number;
  ts: number;
  value: number;
  drawdownPct: number;
  y: number;
}

/**
 * The chart curve of a curve of `count` points that `each` visits in order: every point when
 * `count <= maxPoints`, otherwise the first and last and, per bucket of ⌊(maxPoints − 2) / 2⌋
 * equal-count buckets in between, the points downsampleMinMax(curve, valueOf, maxPoints)
 * keeps for valueOf = value and for valueOf = −|drawdownPct|, merged in index order.
 */
export function chartCurve(count: number, each: EachEquityPoint, maxPoints: number = CHART_CURVE_POINTS): EquityPoint[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 4) throw new RangeError(`maxPoints must be an integer >= 4, got ${maxPoints}`);
  const out: EquityPoint[] = [];
  if (count <= maxPoints) {
    each((ts, value, drawdownPct) => out.push({ ts, value, drawdownPct }));
    return out;
  }
  const interior = count - 2;
  const buckets = Math.floor((maxPoints - 2) / 2);
  const slot = (): Slot => ({ i: -1, ts: 0, value: 0, drawdownPct: 0, y: 0 });
  // Lowest and highest by value, lowest and highest by -|drawdown|.
  const kept = [slot(), slot(), slot(), slot()] as const;
  const [minV, maxV, minD, maxD] = kept;
  let bucket = 0;
  let end = 1 + Math.floor(interior / buckets); // first index past the open bucket
  let open = false;
  let i = 0;

  const take = (s: Slot, at: number, ts: number, value: number, drawdownPct: number, y: number): void => {
    s.i = at;
    s.ts = ts;
    s.value = value;
    s.drawdownPct = drawdownPct;
    s.y = y;
  };
  const closeBucket = (): void => {
    const picked = [...kept].sort((a, b) => a.i - b.i);
    let last = -1;
    for (const s of picked) {
      if (s.i === last) continue;
      out.push({ ts: s.ts, value: s.value, drawdownPct: s.drawdownPct });
      last = s.i;
    }
    open = false;
  };

  each((ts, value, drawdownPct) => {
    const at = i++;
    if (at === 0 || at === count - 1) {
      if (at === count - 1 && open) closeBucket();
      out.push({ ts, value, drawdownPct });
      return;
    }
    if (at >= end) {
      closeBucket();
      bucket++;
      end = 1 + Math.floor(((bucket + 1) * interior) / buckets);
    }
    const d = -Math.abs(drawdownPct);
    if (!open) {
      take(minV, at, ts, value, drawdownPct, value);
      take(maxV, at, ts, value, drawdownPct, value);
      take(minD, at, ts, value, drawdownPct, d);
      take(maxD, at, ts, value, drawdownPct, d);
      open = true;
      return;
    }
    // The comparisons of downsampleMinMax, so ties keep the same (earliest) point.
    if (value < minV.y) take(minV, at, ts, value, drawdownPct, value);
    else if (value > maxV.y) take(maxV, at, ts, value, drawdownPct, value);
    if (d < minD.y) take(minD, at, ts, value, drawdownPct, d);
    else if (d > maxD.y) take(maxD, at, ts, value, drawdownPct, d);
  });
  if (i !== count) throw new RangeError(`chartCurve: expected ${count} points, visited ${i}`);
  return out;
}
