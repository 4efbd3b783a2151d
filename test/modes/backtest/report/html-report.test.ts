import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  KPI_ROWS,
  MAX_TRADE_ROWS,
  QUALITY_FLAG_NOTES,
  kpiTable,
  renderHtmlReport,
  riskDenialsTable,
  tradesTable,
} from '../../../../src/modes/backtest/report/html-report.ts';
import { MAX_CHART_POINTS } from '../../../../src/modes/backtest/report/downsample.ts';
import { KPIS, T0, equityFromValues, longEquity, reportData, trade } from './fixtures.ts';

const count = (haystack: string, needle: string | RegExp): number =>
  typeof needle === 'string' ? haystack.split(needle).length - 1 : (haystack.match(new RegExp(needle.source, 'g')) ?? []).length;

function section(html: string, heading: string): string {
  const start = html.indexOf(`<h2>${heading}</h2>`);
  assert.ok(start >= 0, `section ${heading}`);
  return html.slice(start, html.indexOf('</section>', start));
}

function kpiRow(html: string, label: string): string {
  const m = new RegExp(`<tr><th scope="row">${label}</th>(.*?)</tr>`).exec(html);
  assert.ok(m, `KPI row ${label}`);
  return m[1]!;
}

/** Every start tag with its attributes, e.g. `<svg class="chart" ...>`. */
function startTags(html: string): string[] {
  return html.match(/<[a-z][^>]*>/gi) ?? [];
}

function polylineVertexCounts(html: string): number[] {
  return [...html.matchAll(/<polyline points="([^"]*)"/g)].map((m) => m[1]!.split(' ').length);
}

describe('renderHtmlReport: a self-contained document', () => {
  const html = renderHtmlReport(reportData());

  test('is an HTML5 document with UTF-8, a title and two inline SVG charts', () => {
    assert.match(html, /^<!doctype html>\n<html lang="en">/);
    assert.ok(html.includes('<meta charset="utf-8">'));
    assert.ok(html.includes('<title>SMA crossover on SPY — run-0001</title>'));
    assert.equal(count(html, '<svg'), 2);
    assert.ok(html.includes('<title>Equity (portfolio value)</title>'));
    assert.ok(html.includes('<title>Drawdown (% below peak)</title>'));
    assert.ok(html.trimEnd().endsWith('</html>'));
  });

  test('references nothing outside itself and runs no script', () => {
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /\b(src|href)\s*=/i);
    assert.doesNotMatch(html, /https?:/i);
    for (const tag of startTags(html)) assert.doesNotMatch(tag, /\s(on\w+|style|xlink:href)\s*=/i, tag);
    assert.doesNotMatch(html, /url\(|@import|<link|<img|<iframe/i);
    assert.ok(html.includes(`content="default-src 'none'; style-src 'unsafe-inline'"`), 'CSP blocks anything that slips in');
  });

  test('summary header: run id, strategy and params, symbols, period, cash, value, return, orders', () => {
    const header = html.slice(html.indexOf('<header>'), html.indexOf('</header>'));
    for (const s of [
      'run-0001',
      'sma-cross',
      '<code>fast=10</code>',
      '<code>slow=50</code>',
      '<code>mode=long-only</code>',
      '<code>SPY</code>',
      '2020-01-01 → 2020-01-05',
      '100,000.00',
      '50,000.50',
      '112,345.60',
      '12,345.60',
      '12.35%',
      '3 (1 rejected)',
      'completed',
    ]) {
      assert.ok(header.includes(s), `header has ${s}`);
    }
  });

  test('charts carry date and value axis labels', () => {
    const equity = section(html, 'Equity');
    assert.ok(equity.includes('>2020-01-01<') && equity.includes('>2020-01-05<'));
    assert.ok(equity.includes('>95,000<') && equity.includes('>115,000<'));
    const dd = section(html, 'Drawdown');
    assert.ok(dd.includes('>0%<'));
    assert.ok(dd.includes('deepest -8.65% on 2020-01-03'), 'the trough is marked');
  });

  test('trades and fills', () => {
    const trades = section(html, 'Trades');
    assert.equal(count(trades, /<tr><td class="num">\d+<\/td>/), 3);
    assert.ok(trades.includes('3 closed trades: 2 winning, 1 losing'));
    assert.ok(section(html, 'Fills').includes('2 fills (1 buy, 1 sell), commission 2.00.'));
  });
});

describe('escaping', () => {
  const evil = '<script>alert(1)</script>';
  const html = renderHtmlReport(
    reportData({
      runId: `run"<b>`,
      title: evil,
      status: evil,
      quality: [evil],
      generatedFor: {
        strategy: evil,
        params: { [evil]: `"><img src=x onerror=alert(1)>`, url: 'https://evil.example/x.js' },
        symbols: [evil],
        from: evil,
        to: null,
        startingCash: 100_000,
      },
      trades: [trade(0, evil)],
      fills: [{ ts: T0, symbol: evil, side: 'buy', qty: 1, price: 1, commission: 0 }],
    }),
  );

  test('a <script> in a symbol (and every other user string) is escaped', () => {
    assert.doesNotMatch(html, /<script/i);
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(section(html, 'Trades').includes('<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>'));
    assert.ok(html.includes('<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>'), 'symbol list');
  });

  test('no attribute or element can be injected through params or the run id', () => {
    assert.doesNotMatch(html, /<img|<b>/i);
    for (const tag of startTags(html)) assert.doesNotMatch(tag, /\s(src|href|on\w+)\s*=/i, tag);
    assert.ok(html.includes('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(html.includes('run&quot;&lt;b&gt;'));
  });
});

describe('KPI table', () => {
  test('lists every Kpis field with its formatted value', () => {
    const t = kpiTable(KPIS, []);
    assert.deepEqual(Object.keys(KPI_ROWS).sort(), Object.keys(KPIS).sort());
    for (const row of Object.values(KPI_ROWS)) assert.ok(t.includes(`<th scope="row">${row.label}</th>`), row.label);
    assert.ok(kpiRow(t, 'Total return').includes('12.35%'));
    assert.ok(kpiRow(t, 'Sharpe ratio').includes('1.23'));
    assert.ok(kpiRow(t, 'Max drawdown \\(money\\)').includes('9,123.46'));
    assert.ok(kpiRow(t, 'Win rate').includes('55.56%'));
    assert.ok(kpiRow(t, 'Bars').includes('>5<'));
    assert.ok(!t.includes('—'));
  });

  test('null figures show — with the quality flags that explain them', () => {
    const kpis = { ...KPIS, sharpe: null, sortino: null, winRatePct: null, profitFactor: null, calmar: null };
    const html = renderHtmlReport(reportData({ kpis, quality: ['ZERO_VOLATILITY', 'NO_TRADES'] }));
    const t = section(html, 'Key figures');
    assert.ok(kpiRow(t, 'Sharpe ratio').startsWith('<td class="num">—</td>'));
    assert.ok(kpiRow(t, 'Sharpe ratio').includes('<code>ZERO_VOLATILITY</code>'));
    assert.ok(kpiRow(t, 'Profit factor').includes('<code>NO_TRADES</code>'));
    assert.ok(kpiRow(t, 'Calmar ratio').includes('not reported'), 'null without a matching flag says so');
    assert.equal(count(t, '<td class="num">—</td>'), 5);
    assert.ok(t.includes(QUALITY_FLAG_NOTES.ZERO_VOLATILITY));
    assert.ok(t.includes(QUALITY_FLAG_NOTES.NO_TRADES));
  });

  test('no flags says so; an unknown flag is shown rather than dropped', () => {
    assert.ok(section(renderHtmlReport(reportData()), 'Key figures').includes('No data-quality flags were raised.'));
    const t = section(renderHtmlReport(reportData({ quality: ['NEW_FLAG'] })), 'Key figures');
    assert.ok(t.includes('<code>NEW_FLAG</code> — Raised by analytics'));
  });
});

describe('risk denials', () => {
  test('a table by reason code, most first, with the first date; none says so', () => {
    const html = section(renderHtmlReport(reportData()), 'Risk denials');
    assert.match(html, /<tr><td><code>RISK\.DRAWDOWN\.MAX_DRAWDOWN_BREACH<\/code><\/td><td class="num">2<\/td><td>2024-01-04<\/td><\/tr>/);
    const many = riskDenialsTable({
      'RISK.POSITION.NO_CHANGE': { count: 3, firstDate: '2024-01-02T00:00:00.000Z' },
      'custom:no-monday-entries': { count: 1_200, firstDate: '2024-01-08T14:30:00.000Z' },
      'RISK.CASH.INSUFFICIENT': { count: 3, firstDate: '2024-01-03T00:00:00.000Z' },
    });
    const codes = [...many.matchAll(/<code>([^<]+)<\/code>/g)].map((m) => m[1]);
    assert.deepEqual(codes, ['custom:no-monday-entries', 'RISK.CASH.INSUFFICIENT', 'RISK.POSITION.NO_CHANGE']);
    assert.match(many, /<td class="num">1,200<\/td><td>2024-01-08 14:30<\/td>/);
    assert.match(riskDenialsTable({}), /RISK denied no signal in this run/);
  });
});

describe('determinism', () => {
  test('the same input renders the identical string, also from a deep copy', () => {
    const data = reportData({ equity: longEquity(5_000), trades: Array.from({ length: 1_200 }, (_, i) => trade(i)) });
    const a = renderHtmlReport(data);
    const b = renderHtmlReport(data);
    const c = renderHtmlReport(structuredClone(data));
    assert.equal(a, b);
    assert.equal(a, c);
  });
});

describe('empty and degenerate inputs', () => {
  test('no equity, trades or fills: messages instead of charts and tables', () => {
    const html = renderHtmlReport(
      reportData({ equity: [], trades: [], fills: [], generatedFor: { ...reportData().generatedFor, from: null, to: null, symbols: [], params: {} } }),
    );
    assert.ok(!html.includes('<svg'));
    assert.ok(html.includes('No equity data: nothing to chart.'));
    assert.ok(html.includes('No equity data: no drawdown to chart.'));
    assert.ok(html.includes('No trades were closed in this run.'));
    assert.ok(html.includes('0 fills (0 buy, 0 sell), commission 0.00.'));
    assert.ok(html.includes('<dd>— → —</dd>'));
    assert.ok(html.includes('<span class="muted">none</span>'));
  });

  test('a missing period falls back to the equity curve’s first and last timestamps', () => {
    const html = renderHtmlReport(reportData({ generatedFor: { ...reportData().generatedFor, from: null, to: null } }));
    assert.ok(html.includes('<dd>2020-01-01 → 2020-01-05</dd>'));
  });

  test('one equity point, a flat curve, and non-finite points neither throw nor leak NaN', () => {
    const one = renderHtmlReport(reportData({ equity: equityFromValues([100_000]) }));
    assert.equal(count(one, '<svg'), 2);
    const flat = renderHtmlReport(reportData({ equity: equityFromValues([5, 5, 5, 5]) }));
    assert.equal(count(flat, '<svg'), 2);
    assert.ok(!section(flat, 'Drawdown').includes('deepest'), 'no trough to mark without a drawdown');
    const holes = equityFromValues([1, 2, 3, 4]);
    holes[1] = { ts: holes[1]!.ts, value: Number.NaN, drawdownPct: 0 };
    const html = renderHtmlReport(reportData({ equity: holes }));
    assert.doesNotMatch(html, /NaN|Infinity/);
    assert.deepEqual(polylineVertexCounts(html), [3, 4], 'the NaN value drops from the equity chart only');
  });
});

describe('large inputs', () => {
  test('a 100k-point equity curve stays small, capped at the chart budget, trough still marked', () => {
    const equity = longEquity(100_000);
    const html = renderHtmlReport(reportData({ equity }));
    const bytes = Buffer.byteLength(html, 'utf8');
    assert.ok(bytes < 400_000, `${bytes} bytes`);
    for (const n of polylineVertexCounts(html)) assert.ok(n <= MAX_CHART_POINTS, `${n} vertices`);
    const crash = equity[60_000]!;
    const expected = `deepest -${crash.drawdownPct.toFixed(2)}% on ${new Date(crash.ts).toISOString().slice(0, 16).replace('T', ' ')}`;
    assert.ok(html.includes(expected), expected);
  });

  test('a 500k-point curve renders in well under the size bound', () => {
    const html = renderHtmlReport(reportData({ equity: longEquity(500_000) }));
    assert.ok(Buffer.byteLength(html, 'utf8') < 400_000);
  });

  test(`more than ${MAX_TRADE_ROWS} trades: first and last 500 with a note, totals over all`, () => {
    const trades = Array.from({ length: 2_500 }, (_, i) => trade(i));
    const t = tradesTable(trades);
    assert.equal(count(t, /<tr><td class="num">\d+<\/td>/), 1_000);
    assert.ok(t.includes('<tr><td class="num">1</td>'));
    assert.ok(t.includes('<tr><td class="num">500</td>'));
    assert.ok(!t.includes('<tr><td class="num">501</td>'));
    assert.ok(!t.includes('<tr><td class="num">2000</td>'));
    assert.ok(t.includes('<tr><td class="num">2001</td>'));
    assert.ok(t.includes('<tr><td class="num">2500</td>'));
    assert.ok(t.includes('Showing the first 500 and last 500 of 2,500 trades; 1,500 in between are not listed.'));
    assert.ok(t.includes('… 1,500 trades not listed …'));
    assert.ok(t.startsWith('<p>2,500 closed trades: 1,666 winning, 834 losing.'));
  });

  test(`exactly ${MAX_TRADE_ROWS} trades are all listed without a note`, () => {
    const t = tradesTable(Array.from({ length: MAX_TRADE_ROWS }, (_, i) => trade(i)));
    assert.equal(count(t, /<tr><td class="num">\d+<\/td>/), MAX_TRADE_ROWS);
    assert.ok(!t.includes('not listed'));
  });
});
