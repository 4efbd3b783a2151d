import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { extent, linearScale, niceTicks, svgLineChart, type LineChartSpec } from '../../../../src/modes/backtest/report/svg-chart.ts';

const D = 86_400_000;
const T = Date.UTC(2020, 0, 1);

const spec = (over: Partial<LineChartSpec> = {}): LineChartSpec => ({
  title: 'Equity',
  points: [
    { x: T, y: 100 },
    { x: T + 10 * D, y: 120 },
    { x: T + 20 * D, y: 90 },
  ],
  formatY: (y) => `y${y}`,
  ...over,
});

function polylinePoints(svg: string): [number, number][] {
  const m = /<polyline points="([^"]*)"/.exec(svg);
  assert.ok(m, 'has a polyline');
  return m[1]!.split(' ').map((pair) => pair.split(',').map(Number) as [number, number]);
}

describe('scales and ticks', () => {
  test('linearScale maps ends to ends (inverted y works) and a flat domain to the middle', () => {
    const s = linearScale(0, 10, 300, 100);
    assert.equal(s(0), 300);
    assert.equal(s(10), 100);
    assert.equal(s(5), 200);
    assert.equal(linearScale(7, 7, 0, 100)(7), 50);
  });

  test('niceTicks encloses the data with 1/2/5 steps and clean labels', () => {
    const t = niceTicks(95_123.4, 112_345.6);
    assert.ok(t.lo <= 95_123.4 && t.hi >= 112_345.6);
    assert.equal(t.step, 5000);
    assert.deepEqual(t.ticks, [95_000, 100_000, 105_000, 110_000, 115_000]);
    assert.deepEqual(niceTicks(-0.3, 0).ticks, [-0.3, -0.25, -0.2, -0.15, -0.1, -0.05, 0]);
  });

  test('niceTicks pads a flat series instead of dividing by zero', () => {
    const t = niceTicks(100, 100);
    assert.ok(t.lo < 100 && t.hi > 100 && t.ticks.length >= 2);
    const z = niceTicks(0, 0);
    assert.ok(z.lo < 0 && z.hi > 0);
    assert.throws(() => niceTicks(Number.NaN, 1), RangeError);
    const tiny = niceTicks(-1e-14, 0); // floating-point noise in a drawdown series
    assert.equal(new Set(tiny.ticks).size, tiny.ticks.length, 'ticks stay distinct');
    assert.ok(tiny.lo <= -1e-14 && tiny.hi >= 0);
  });

  test('extent', () => {
    assert.deepEqual(extent([3, -1, 7], (v) => v), [-1, 7]);
    assert.deepEqual(extent([], (v: number) => v), [Infinity, -Infinity]);
  });
});

describe('svgLineChart', () => {
  test('one polyline vertex per point, spanning the plot left to right, y inverted', () => {
    const svg = svgLineChart(spec());
    assert.match(svg, /^<svg /);
    assert.match(svg, /<\/svg>$/);
    const pts = polylinePoints(svg);
    assert.equal(pts.length, 3);
    assert.ok(pts[0]![0] < pts[1]![0] && pts[1]![0] < pts[2]![0]);
    assert.ok(pts[1]![1] < pts[0]![1], 'higher value is drawn higher');
    assert.ok(pts[2]![1] > pts[0]![1]);
  });

  test('title (also the accessible name) and tick labels are escaped', () => {
    const svg = svgLineChart(spec({ title: '<b>P&L</b>', formatY: () => '<y>' }));
    assert.ok(svg.includes('<title>&lt;b&gt;P&amp;L&lt;/b&gt;</title>'));
    assert.ok(svg.includes('&lt;y&gt;'));
    assert.ok(!svg.includes('<b>') && !svg.includes('<y>'));
  });

  test('x labels are dates on Mondays for a 20-day span; y labels come from formatY', () => {
    const svg = svgLineChart(spec());
    assert.ok(svg.includes('>2020-01-06<') && svg.includes('>2020-01-13<') && svg.includes('>2020-01-20<'), 'dates on x');
    assert.ok(svg.includes('>y90<') && svg.includes('>y120<'));
  });

  test('baseline: range includes it and an area polygon is drawn; marker is labelled', () => {
    const svg = svgLineChart(spec({ points: [{ x: T, y: -1 }, { x: T + D, y: -5 }, { x: T + 2 * D, y: -2 }], baseline: 0, marker: { point: { x: T + D, y: -5 }, label: 'deepest <5%>' } }));
    assert.match(svg, /<polygon points="/);
    assert.ok(svg.includes('>y0<'), 'zero is on the axis');
    assert.ok(svg.includes('deepest &lt;5%&gt;'));
    assert.match(svg, /<circle [^>]*r="4"/);
  });

  test('a single point is drawn as a dot; no points is a programming error', () => {
    const svg = svgLineChart(spec({ points: [{ x: T, y: 5 }] }));
    assert.ok(!svg.includes('<polyline'));
    assert.match(svg, /<circle [^>]*r="3"/);
    assert.throws(() => svgLineChart(spec({ points: [] })), RangeError);
  });
});
