// The sweep report's heatmap and page (report/sweep-heatmap.ts, report/sweep-report.ts): pure.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heatColor, heatmapCells, svgHeatmap } from '../../../src/modes/sweep/report/sweep-heatmap.ts';
import { renderSweepReport } from '../../../src/modes/sweep/report/sweep-report.ts';
import type { SweepResult } from '../../../src/modes/sweep/sweep-outcome.ts';

function r(index: number, params: Record<string, number>, sharpe: number | null, status: 'ok' | 'failed' = 'ok'): SweepResult {
  return {
    index,
    params,
    runId: `bt-${index}`,
    status,
    finalValue: 100,
    totalReturnPct: 0,
    maxDrawdownPct: 1,
    trades: 1,
    kpis: { totalReturnPct: 0, annualizedReturnPct: null, volatilityPct: null, sharpe, sortino: null, maxDrawdownPct: 1, maxDrawdownMoney: 1, calmar: null, winRatePct: null, profitFactor: null, exposurePct: 0, turnover: 0, fees: 0, trades: 1, bars: 10 },
    error: status === 'ok' ? null : { code: 'E_CFG_INVALID', message: 'fast must be less than slow' },
  };
}

test('cells: x by y in grid order; the best figure over other swept keys; none for failed points', () => {
  const rs = [r(0, { fast: 5, slow: 20, k: 1 }, 0.5), r(1, { fast: 5, slow: 20, k: 2 }, 0.9), r(2, { fast: 10, slow: 20, k: 1 }, 0.1), r(3, { fast: 10, slow: 20, k: 2 }, null, 'failed')];
  const { xs, ys, cells } = heatmapCells('sharpe', ['fast', 'slow', 'k'], rs);
  assert.deepEqual(xs, [5, 10]);
  assert.deepEqual(ys, [20]);
  assert.deepEqual(cells, [
    { x: 5, y: 20, value: 0.9, points: 2 },
    { x: 10, y: 20, value: 0.1, points: 2 },
  ]);
  // Lowest first for max-drawdown.
  assert.equal(heatmapCells('max-drawdown', ['fast'], [r(0, { fast: 5 }, 1), r(1, { fast: 5 }, 2)]).cells[0]!.value, 1);
});

test('colours run red to green; the SVG has a cell per pair, grey without a figure, the third key named', () => {
  assert.equal(heatColor(0), '#dc3c3c');
  assert.equal(heatColor(1), '#28dc3c');
  const rs = [r(0, { fast: 5, slow: 20, k: 1 }, 0.5), r(1, { fast: 10, slow: 20, k: 1 }, null, 'failed'), r(2, { fast: 5, slow: 30, k: 1 }, 0.2), r(3, { fast: 10, slow: 30, k: 1 }, -0.1)];
  const svg = svgHeatmap('sharpe', ['fast', 'slow', 'k'], rs);
  assert.equal(svg.match(/<rect /g)?.length, 4);
  assert.equal(svg.match(/fill="#cccccc"/g)?.length, 1);
  assert.match(svg, /fill="#28dc3c"><title>fast=5 slow=20: 0\.5000<\/title>/);
  assert.match(svg, /fill="#dc3c3c"><title>fast=10 slow=30: -0\.1000<\/title>/);
  assert.match(svg, /sharpe by fast × slow \(best over k\)/);
});

test('the page: heatmap, a chart per curve, the ranking, escaped', () => {
  const best = r(0, { fast: 5 }, 0.5);
  const html = renderSweepReport({
    sweepId: 'sw-1',
    title: 'Sweep <x>',
    objective: 'sharpe',
    ranked: [best, r(1, { fast: 10 }, 0.2)],
    curves: [{ result: best, equity: [{ ts: 0, value: 100, drawdownPct: 0 }, { ts: 86_400_000, value: 101, drawdownPct: 0 }] }],
    top: 10,
  });
  assert.match(html, /^<!doctype html>/);
  assert.ok(html.includes('<title>Sweep &lt;x&gt;</title>'));
  assert.equal(html.match(/<svg /g)?.length, 2, 'the heatmap and one curve');
  assert.equal(html.match(/<tr><td>/g)?.length, 2);
});
