// The chart curve, picked while the equity curve streams past, is exactly what the report's
// two charts would keep of the whole curve: downsampleMinMax by value and by −|drawdown|,
// merged in time order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CHART_CURVE_POINTS, chartCurve } from '../../../../src/modes/backtest/report/chart-curve.ts';
import { MAX_CHART_POINTS, downsampleMinMax } from '../../../../src/modes/backtest/report/downsample.ts';
import type { EquityPoint } from '../../../../src/stages/ana/equity-curve.ts';

const each = (points: readonly EquityPoint[]) => (visit: (ts: number, value: number, drawdownPct: number) => void) => {
  for (const p of points) visit(p.ts, p.value, p.drawdownPct);
};

/** The reference: both charts' downsampling of the whole curve, merged by index. */
function expected(points: readonly EquityPoint[], maxPoints: number): EquityPoint[] {
  const idx = points.map((_, i) => i);
  const byValue = downsampleMinMax(idx, (i) => points[i]!.value, maxPoints);
  const byDrawdown = downsampleMinMax(idx, (i) => -Math.abs(points[i]!.drawdownPct), maxPoints);
  return [...new Set([...byValue, ...byDrawdown])].sort((a, b) => a - b).map((i) => points[i]!);
}

/** A curve with its running-peak drawdown, from a list of values (ties included: values are small integers). */
function curveOf(values: readonly number[]): EquityPoint[] {
  let peak = Number.NEGATIVE_INFINITY;
  return values.map((value, i) => {
    peak = Math.max(peak, value);
    return { ts: 1_000 * i, value, drawdownPct: (100 * (peak - value)) / peak };
  });
}

test('chartCurve = downsampleMinMax by value ∪ by drawdown, in order, for any curve and cap', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 0, maxLength: 400 }), fc.integer({ min: 4, max: 60 }), (values, maxPoints) => {
      const points = curveOf(values);
      assert.deepEqual(chartCurve(points.length, each(points), maxPoints), expected(points, maxPoints));
    }),
    { numRuns: 300 },
  );
});

test('a 300 000-point curve: at most two charts of points, first, last and both extremes kept', () => {
  const values = Array.from({ length: 300_000 }, (_, i) => 1_000 + 100 * Math.sin(i / 700) + (i === 123_457 ? -500 : 0) + (i === 250_001 ? 900 : 0));
  const points = curveOf(values);
  const out = chartCurve(points.length, each(points));
  assert.ok(out.length <= 2 * MAX_CHART_POINTS, `${out.length} points`);
  assert.deepEqual(out, expected(points, CHART_CURVE_POINTS));
  assert.deepEqual(out[0], points[0]);
  assert.deepEqual(out.at(-1), points.at(-1));
  assert.ok(out.some((p) => p.ts === 123_457_000), 'the deepest trough');
  assert.ok(out.some((p) => p.ts === 250_001_000), 'the highest peak');
});

test('a count that disagrees with the points visited is an error, not a silently wrong chart', () => {
  const points = curveOf(Array.from({ length: 50 }, (_, i) => 10 + (i % 7)));
  assert.throws(() => chartCurve(60, each(points), 10), RangeError);
  assert.throws(() => chartCurve(10, each(points), 3), RangeError);
});
