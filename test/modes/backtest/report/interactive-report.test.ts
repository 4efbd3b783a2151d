// The interactive report as a string: the analysis assembled from its inputs, the charts'
// options as JSON, the tables, and what keeps the page self-contained (CSP, no external
// reference, script text that cannot close its element).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { analyseRun, isPriceScale, type ReportAnalysisInputs } from '../../../../src/modes/backtest/report/analysis/report-analysis.ts';
import { reportCharts } from '../../../../src/modes/backtest/report/interactive/chart-options.ts';
import { INTERACTIVE_CSP, chartsJson, scriptSafe } from '../../../../src/modes/backtest/report/interactive/chart-page.ts';
import { calendarHeatmap, formatSpan, heatClass } from '../../../../src/modes/backtest/report/interactive/analysis-sections.ts';
import { renderHtmlReport } from '../../../../src/modes/backtest/report/html-report.ts';
import { indicatorsOver } from '../../../../src/modes/backtest/report/report-inputs.ts';
import type { Bar } from '../../../../src/domain/market.ts';
import { DAY_MS, T0, reportData } from './fixtures.ts';

/** 300 daily bars of a symbol whose close wanders up, an SMA over it and an RSI-like 0..100 line. */
function inputs(overrides: Partial<ReportAnalysisInputs> = {}): ReportAnalysisInputs {
  const n = 300;
  const ts = Array.from({ length: n }, (_, i) => T0 + i * DAY_MS);
  const close = ts.map((_, i) => 100 + 10 * Math.sin(i / 10) + i / 10);
  const value = close.map((c) => 1000 * c);
  return {
    curve: { ts, value },
    startingCash: 100_000,
    configuredPeriodsPerYear: 252,
    prices: [{ symbol: 'SPY', ts, close, indicators: [{ name: 'sma', values: close.map((c, i) => (i < 5 ? NaN : c)) }, { name: 'rsi', values: close.map((_, i) => 50 + (i % 50)) }] }],
    benchmark: { label: 'SPY buy and hold', series: [{ ts, close }] },
    symbols: ['SPY'],
    trades: [{ symbol: 'SPY', openTs: ts[10]!, closeTs: ts[20]!, pnlNet: 12 }],
    fills: [
      { symbol: 'SPY', ts: ts[10]!, side: 'buy', price: close[10]!, commission: 1 },
      { symbol: 'SPY', ts: ts[20]!, side: 'sell', price: close[20]!, commission: 1 },
    ],
    ...overrides,
  };
}

describe('analyseRun', () => {
  const a = analyseRun(inputs());

  test('a strategy that is its benchmark has beta 1, alpha 0, correlation 1', () => {
    assert.ok(Math.abs(a.benchmark.relation.beta! - 1) < 1e-9);
    assert.ok(Math.abs(a.benchmark.relation.alphaPct!) < 1e-9);
    assert.ok(Math.abs(a.benchmark.relation.correlation! - 1) < 1e-9);
  });

  test('daily bars every calendar day: 365.25 a year, inferred', () => {
    assert.equal(a.frequency.source, 'inferred');
    assert.ok(Math.abs(a.frequency.periodsPerYear - 365.25) < 1e-9);
    assert.equal(a.frequency.configured, 252);
    assert.equal(a.rolling.window, rollingWindow(365.25));
  });

  test('the SMA goes over the price, the 0..100 line in a panel; fills become markers', () => {
    const p = a.priceCharts[0]!;
    assert.deepEqual(p.overlays.map((l) => l.name), ['sma']);
    assert.deepEqual(p.panels.map((l) => l.name), ['rsi']);
    assert.equal(p.overlays[0]!.points[0]![1], null, 'warm-up is a gap, not a zero');
    assert.equal(p.buys.length, 1);
    assert.equal(p.sells.length, 1);
    assert.equal(p.markersLeftOut, 0);
  });

  test('series for charts are cut to the point cap, extremes kept', () => {
    const small = analyseRun(inputs(), 40);
    assert.ok(small.equityChart.strategy.length <= 40, String(small.equityChart.strategy.length));
    assert.ok(small.priceCharts[0]!.close.length <= 40);
    const max = Math.max(...inputs().curve.value as number[]);
    assert.ok(small.equityChart.strategy.some(([, v]) => v === max), 'the peak survives');
  });

  test('isPriceScale: within 15% of the close at the median bar', () => {
    assert.equal(isPriceScale([NaN, 95, 110, 160], [100, 100, 100, 100]), true, 'the median bar is 10% off');
    assert.equal(isPriceScale([70, 80, 90], [100, 100, 100]), false, 'an RSI of 80 under a price of 100 is not on its scale');
    assert.equal(isPriceScale([NaN, NaN], [100, 100]), false);
  });
});

function rollingWindow(ppy: number): number {
  return Math.max(10, Math.round(ppy / 4));
}

describe("indicatorsOver: FEAT's own plan over the bars", () => {
  test('an SMA with its warm-up as NaN; a crossover is not drawn', () => {
    const bars: Bar[] = [1, 2, 3, 4].map((c, i) => ({ symbol: 'X', ts: T0 + i * DAY_MS, open: c, high: c, low: c, close: c, volume: 1 }) as Bar);
    const series = indicatorsOver(bars, [
      { kind: 'sma', name: 'fast', period: 2 },
      { kind: 'sma', name: 'slow', period: 3 },
      { kind: 'crossover', name: 'cross', a: 'fast', b: 'slow' },
    ] as never);
    assert.deepEqual(series.map((s) => s.name), ['fast', 'slow']);
    assert.deepEqual(Array.from(series[0]!.values), [NaN, 1.5, 2.5, 3.5]);
    assert.deepEqual(Array.from(series[1]!.values), [NaN, NaN, 2, 3]);
  });
});

describe('the interactive page', () => {
  const a = analyseRun(inputs());
  const LIB = 'window.echarts = { marker: "</script><!-- inlined" };';
  const html = renderHtmlReport(reportData(), { analysis: a, chartLibrary: LIB });

  test('carries the library, the charts as JSON and the bootstrap, under a CSP that fetches nothing', () => {
    assert.ok(html.includes(`content="${INTERACTIVE_CSP}"`));
    assert.match(INTERACTIVE_CSP, /default-src 'none'/);
    assert.equal(html.split('<script').length - 1, 3);
    assert.ok(html.includes(scriptSafe(LIB)));
    assert.doesNotMatch(html.slice(html.indexOf('<script>')), /<\/script><!--/);
    assert.doesNotMatch(html, /\b(src|href)\s*=/i);
    assert.doesNotMatch(html, /https?:/i);
  });

  test('every chart has a container and data', () => {
    const specs = reportCharts(a);
    assert.deepEqual(specs.map((s) => s.id), ['chart-equity', 'chart-drawdown', 'chart-rolling', 'chart-distribution', 'chart-price-0']);
    for (const s of specs) {
      assert.ok(html.includes(`<div class="echart${s.id === 'chart-price-0' ? ' tall' : ''}" id="${s.id}"></div>`), s.id);
      const series = s.option.series as { data: unknown[] }[];
      assert.ok(series.length > 0 && series.every((x) => Array.isArray(x.data)), s.id);
      assert.ok(series[0]!.data.length > 0, `${s.id} has data`);
    }
  });

  test('the sections the analyst reads, and the SVG charts kept for a reader without scripts', () => {
    for (const h of ['Equity', 'Benchmark', 'Drawdown', 'Monthly and yearly returns', 'Rolling Sharpe and volatility', 'Return distribution', 'Key figures', 'Risk denials', 'Trade statistics', 'Per symbol', 'Price, indicators and fills', 'Trades', 'Fills']) {
      assert.ok(html.includes(`<h2>${h}</h2>`), h);
    }
    assert.equal(html.split('<noscript><svg').length - 1, 2);
    assert.ok(html.includes('id="equity-log"'), 'the log-scale box: the curve is positive');
    assert.ok(html.includes('ANA_PERIODS_PER_YEAR = 252, which does not match this data'), 'daily bars every day are 365 a year, not 252');
  });

  test('the same inputs give the same page', () => {
    assert.equal(renderHtmlReport(reportData(), { analysis: analyseRun(inputs()), chartLibrary: LIB }), html);
  });

  test('chartsJson cannot close its element; a string with markup stays data', () => {
    const json = chartsJson([{ id: 'x', option: { title: { text: '</script><b>' } } }]);
    assert.doesNotMatch(json, /</);
    assert.deepEqual(JSON.parse(json), [{ id: 'x', option: { title: { text: '</script><b>' } } }]);
  });
});

describe('heatmap and spans', () => {
  test('heatClass: sign and five steps of size', () => {
    assert.equal(heatClass(0, 10), 'hm0');
    assert.equal(heatClass(10, 10), 'hp5');
    assert.equal(heatClass(-1, 10), 'hn1');
    assert.equal(heatClass(-6, 10), 'hn3');
  });

  test('calendarHeatmap: a row per year, empty cells for months without bars, decimals for small months', () => {
    const a = analyseRun(inputs({ curve: { ts: [Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 31), Date.UTC(2020, 2, 31)], value: [100, 100.05, 100.1] } }));
    const t = calendarHeatmap(a);
    assert.equal(t.split('<tr><th scope="row">').length - 1, 1);
    assert.ok(t.includes('<th scope="row">2020</th><td class="num hp5">0.050</td><td class="hm-none"></td><td class="num hp5">0.050</td>'), t);
  });

  test('formatSpan', () => {
    assert.equal(formatSpan(25 * 60_000), '25 min');
    assert.equal(formatSpan(3 * DAY_MS + 4 * 3_600_000), '3 d 4 h');
    assert.equal(formatSpan(null), '—');
  });
});
