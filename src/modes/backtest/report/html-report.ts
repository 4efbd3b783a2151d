// The backtest report as one self-contained HTML file: inline CSS, inline SVG charts and
// nothing fetched (a Content-Security-Policy of default-src 'none' makes the browser refuse
// anything that slipped in). Given the run's analysis and the charting library, it is also
// interactive: ECharts inlined with the charts' data, the SVG charts kept for a reader with
// scripts off (<noscript>). It is opened offline and may be mailed around, so every string
// from the run (symbols, params, title, status) is escaped. The output is a pure function of
// its inputs: no clock, no random ids, no locale-dependent formatting.

import type { Kpis, QualityFlag } from '../../../domain/analytics.ts';
import { MAX_CHART_POINTS, downsampleMinMax } from './downsample.ts';
import {
  DASH,
  decimalsForStep,
  escapeHtml,
  formatMoney,
  formatNumber,
  formatParamValue,
  formatPct,
  formatPrice,
  formatQty,
  formatTimestamp,
} from './format.ts';
import { svgLineChart, type ChartPoint } from './svg-chart.ts';
import type { ReportAnalysis } from './analysis/report-analysis.ts';
import { reportCharts } from './interactive/chart-options.ts';
import { INTERACTIVE_CSP, INTERACTIVE_CSS, chartScripts } from './interactive/chart-page.ts';
import {
  annualisationNote,
  benchmarkTable,
  calendarHeatmap,
  chartBox,
  distributionNote,
  perSymbolTable,
  priceSection,
  tradeStatsTable,
  worstDrawdownsTable,
} from './interactive/analysis-sections.ts';

export interface ReportTrade {
  symbol: string;
  /** ms since epoch, UTC. */
  openTs: number;
  closeTs: number;
  qty: number;
  entryPrice: number;
  exitPrice: number;
  pnlGross: number;
  pnlNet: number;
}

export interface ReportFill {
  ts: number;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  commission: number;
}

export interface EquityPoint {
  ts: number;
  value: number;
  /** Percent below the running peak. Either sign convention is accepted (the chart plots -|dd|). */
  drawdownPct: number;
}

export interface BacktestReportData {
  runId: string;
  title: string;
  generatedFor: {
    strategy: string;
    params: Record<string, unknown>;
    symbols: string[];
    from: string | null;
    to: string | null;
    startingCash: number;
  };
  status: string;
  finalCash: number;
  finalValue: number;
  kpis: Kpis;
  quality: string[];
  /** In time order. */
  equity: EquityPoint[];
  trades: ReportTrade[];
  fills: ReportFill[];
  orders: number;
  ordersRejected: number;
  /** RISK's denials by reason code: how many, and the bar time (RFC 3339) of the first. */
  riskDenials: Readonly<Record<string, { count: number; firstDate: string }>>;
}

/** More closed trades than this and the table shows only the first and last half of it. */
export const MAX_TRADE_ROWS = 1000;

/** What each analytics quality flag means for the figures in the KPI table. */
export const QUALITY_FLAG_NOTES: Record<QualityFlag, string> = {
  TOO_FEW_BARS: 'Too few bars for annualized figures (annualized return, volatility, Sharpe, Sortino, Calmar) to mean anything; they are left out.',
  NO_TRADES: 'No trade was closed, so there is no win rate or profit factor.',
  TOO_FEW_TRADES: 'Too few closed trades for win rate and profit factor to be meaningful; they are left out.',
  ZERO_VOLATILITY: 'Returns never varied, so risk-adjusted ratios (Sharpe, Sortino) would divide by zero.',
  NO_LOSSES: 'No losing trade, so profit factor (gross profit / gross loss) would divide by zero.',
};

type KpiFormat = 'pct' | 'ratio' | 'money' | 'count';

interface KpiRow {
  label: string;
  format: KpiFormat;
  /** Flags that explain a null value for this figure. */
  nullBecause?: readonly QualityFlag[];
}

/** Every Kpis field, in display order. Typed as a Record so a new field fails to compile until it is listed here. */
export const KPI_ROWS: Record<keyof Kpis, KpiRow> = {
  totalReturnPct: { label: 'Total return', format: 'pct' },
  annualizedReturnPct: { label: 'Annualized return (CAGR)', format: 'pct', nullBecause: ['TOO_FEW_BARS'] },
  volatilityPct: { label: 'Volatility (annualized)', format: 'pct', nullBecause: ['TOO_FEW_BARS', 'ZERO_VOLATILITY'] },
  sharpe: { label: 'Sharpe ratio', format: 'ratio', nullBecause: ['TOO_FEW_BARS', 'ZERO_VOLATILITY'] },
  sortino: { label: 'Sortino ratio', format: 'ratio', nullBecause: ['TOO_FEW_BARS', 'ZERO_VOLATILITY'] },
  maxDrawdownPct: { label: 'Max drawdown', format: 'pct' },
  maxDrawdownMoney: { label: 'Max drawdown (money)', format: 'money' },
  calmar: { label: 'Calmar ratio', format: 'ratio', nullBecause: ['TOO_FEW_BARS'] },
  winRatePct: { label: 'Win rate', format: 'pct', nullBecause: ['NO_TRADES', 'TOO_FEW_TRADES'] },
  profitFactor: { label: 'Profit factor', format: 'ratio', nullBecause: ['NO_TRADES', 'TOO_FEW_TRADES', 'NO_LOSSES'] },
  exposurePct: { label: 'Exposure (time in market)', format: 'pct' },
  turnover: { label: 'Turnover', format: 'ratio' },
  fees: { label: 'Fees', format: 'money' },
  trades: { label: 'Trades', format: 'count' },
  bars: { label: 'Bars', format: 'count' },
};

function formatKpi(value: number, format: KpiFormat): string {
  switch (format) {
    case 'pct':
      return formatPct(value);
    case 'ratio':
      return formatNumber(value, 2);
    case 'money':
      return formatMoney(value);
    case 'count':
      return formatNumber(value, 0);
  }
}

/** The KPI table: one row per Kpis field, null as "—" with the quality flags that explain it. */
export function kpiTable(kpis: Kpis, quality: readonly string[]): string {
  const present = new Set(quality);
  const rows = (Object.keys(KPI_ROWS) as (keyof Kpis)[]).map((key) => {
    const row = KPI_ROWS[key];
    const value = kpis[key];
    let cell: string;
    let note = '';
    if (value === null || value === undefined) {
      cell = DASH;
      const causes = (row.nullBecause ?? []).filter((f) => present.has(f));
      note = causes.length > 0 ? causes.map((f) => `<code>${escapeHtml(f)}</code>`).join(' ') : 'not reported';
    } else {
      cell = escapeHtml(formatKpi(value, row.format));
    }
    return `<tr><th scope="row">${escapeHtml(row.label)}</th><td class="num">${cell}</td><td class="note">${note}</td></tr>`;
  });
  return `<table class="kpis"><thead><tr><th scope="col">Figure</th><th scope="col">Value</th><th scope="col">Note</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** The quality flags the analytics stage raised, each with what it means. */
export function qualityNotes(quality: readonly string[]): string {
  if (quality.length === 0) return '<p class="muted">No data-quality flags were raised.</p>';
  const items = quality.map((flag) => {
    const note = (QUALITY_FLAG_NOTES as Record<string, string | undefined>)[flag] ?? 'Raised by analytics; no description is known for this flag.';
    return `<li><code>${escapeHtml(flag)}</code> — ${escapeHtml(note)}</li>`;
  });
  return `<ul class="quality">\n${items.join('\n')}\n</ul>`;
}

function pnlCell(value: number): string {
  const cls = value > 0 ? 'num pos' : value < 0 ? 'num neg' : 'num';
  return `<td class="${cls}">${escapeHtml(formatMoney(value))}</td>`;
}

function tradeRow(t: ReportTrade, index: number): string {
  return (
    `<tr><td class="num">${index + 1}</td><td>${escapeHtml(t.symbol)}</td>` +
    `<td>${escapeHtml(formatTimestamp(t.openTs))}</td><td>${escapeHtml(formatTimestamp(t.closeTs))}</td>` +
    `<td class="num">${escapeHtml(formatQty(t.qty))}</td><td class="num">${escapeHtml(formatPrice(t.entryPrice))}</td>` +
    `<td class="num">${escapeHtml(formatPrice(t.exitPrice))}</td>${pnlCell(t.pnlGross)}${pnlCell(t.pnlNet)}</tr>`
  );
}

/**
 * Every closed trade, or with more than `maxRows` of them the first and last `maxRows / 2`
 * with a note and a marker row where the rest were left out. Totals cover all trades.
 */
export function tradesTable(trades: readonly ReportTrade[], maxRows: number = MAX_TRADE_ROWS): string {
  if (trades.length === 0) return '<p class="empty">No trades were closed in this run.</p>';
  let wins = 0;
  let losses = 0;
  let gross = 0;
  let net = 0;
  for (const t of trades) {
    if (t.pnlNet > 0) wins++;
    else if (t.pnlNet < 0) losses++;
    gross += t.pnlGross;
    net += t.pnlNet;
  }
  const summary =
    `<p>${escapeHtml(formatNumber(trades.length, 0))} closed trades: ${escapeHtml(formatNumber(wins, 0))} winning, ` +
    `${escapeHtml(formatNumber(losses, 0))} losing. P&amp;L gross ${escapeHtml(formatMoney(gross))}, net ${escapeHtml(formatMoney(net))}.</p>`;

  const rows: string[] = [];
  let note = '';
  if (trades.length > maxRows) {
    const head = Math.floor(maxRows / 2);
    const tail = maxRows - head;
    const omitted = trades.length - head - tail;
    note = `<p class="note">Showing the first ${escapeHtml(formatNumber(head, 0))} and last ${escapeHtml(formatNumber(tail, 0))} of ${escapeHtml(formatNumber(trades.length, 0))} trades; ${escapeHtml(formatNumber(omitted, 0))} in between are not listed.</p>`;
    for (let i = 0; i < head; i++) rows.push(tradeRow(trades[i], i));
    rows.push(`<tr class="gap"><td colspan="9">… ${escapeHtml(formatNumber(omitted, 0))} trades not listed …</td></tr>`);
    for (let i = trades.length - tail; i < trades.length; i++) rows.push(tradeRow(trades[i], i));
  } else {
    trades.forEach((t, i) => rows.push(tradeRow(t, i)));
  }
  const header =
    '<thead><tr><th scope="col">#</th><th scope="col">Symbol</th><th scope="col">Opened (UTC)</th><th scope="col">Closed (UTC)</th>' +
    '<th scope="col">Qty</th><th scope="col">Entry</th><th scope="col">Exit</th><th scope="col">P&amp;L gross</th><th scope="col">P&amp;L net</th></tr></thead>';
  return `${summary}\n${note}\n<table class="trades">${header}\n<tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** The denials' entries, the most frequent first (ties by code), as the report and the terminal list them. */
export function denialsMostFirst(denials: BacktestReportData['riskDenials']): [string, { count: number; firstDate: string }][] {
  return Object.entries(denials).sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * RISK's denials by reason code, most first: what the run's guards stopped (a drawdown guard
 * that halts new entries shows here with the date it first did).
 */
export function riskDenialsTable(denials: BacktestReportData['riskDenials']): string {
  const rows = denialsMostFirst(denials);
  if (rows.length === 0) return '<p class="muted">RISK denied no signal in this run.</p>';
  const body = rows.map(
    ([code, d]) =>
      `<tr><td><code>${escapeHtml(code)}</code></td><td class="num">${escapeHtml(formatNumber(d.count, 0))}</td><td>${escapeHtml(formatTimestamp(Date.parse(d.firstDate)))}</td></tr>`,
  );
  return `<table class="denials"><thead><tr><th scope="col">Reason code</th><th scope="col">Denials</th><th scope="col">First (UTC)</th></tr></thead>
<tbody>
${body.join('\n')}
</tbody></table>`;
}

/** Fill count, buy/sell split and commission paid. */
export function fillsSummary(fills: readonly ReportFill[]): string {
  let buys = 0;
  let commission = 0;
  for (const f of fills) {
    if (f.side === 'buy') buys++;
    commission += f.commission;
  }
  const n = fills.length;
  return `<p>${escapeHtml(formatNumber(n, 0))} fills (${escapeHtml(formatNumber(buys, 0))} buy, ${escapeHtml(formatNumber(n - buys, 0))} sell), commission ${escapeHtml(formatMoney(commission))}.</p>`;
}

/** The points of one series that can be drawn (a NaN bar would break the scale). */
function finitePoints(equity: readonly EquityPoint[], y: (p: EquityPoint) => number): ChartPoint[] {
  const out: ChartPoint[] = [];
  for (const p of equity) if (Number.isFinite(p.ts) && Number.isFinite(y(p))) out.push({ x: p.ts, y: y(p) });
  return out;
}

/** Equity value over time, downsampled to MAX_CHART_POINTS. */
export function equityChart(equity: readonly EquityPoint[], maxPoints: number = MAX_CHART_POINTS): string {
  const series = finitePoints(equity, (p) => p.value);
  if (series.length === 0) return '<p class="empty">No equity data: nothing to chart.</p>';
  return svgLineChart({
    title: 'Equity (portfolio value)',
    points: downsampleMinMax(series, (p) => p.y, maxPoints),
    formatY: (y, step) => formatNumber(y, decimalsForStep(step)),
  });
}

/** Drawdown below the running peak as -|dd| %, shaded down from 0, the deepest point marked. */
export function drawdownChart(equity: readonly EquityPoint[], maxPoints: number = MAX_CHART_POINTS): string {
  const series = finitePoints(equity, (p) => -Math.abs(p.drawdownPct));
  if (series.length === 0) return '<p class="empty">No equity data: no drawdown to chart.</p>';
  let trough = series[0]!;
  for (const p of series) if (p.y < trough.y) trough = p;
  const points = downsampleMinMax(series, (p) => p.y, maxPoints);
  return svgLineChart({
    title: 'Drawdown (% below peak)',
    points,
    formatY: (y, step) => `${formatNumber(y, decimalsForStep(step))}%`,
    baseline: 0,
    color: '#cf222e',
    marker: trough.y < 0 ? { point: trough, label: `deepest ${formatPct(trough.y)} on ${formatTimestamp(trough.x)}` } : undefined,
  });
}

function period(data: BacktestReportData): string {
  const first = data.equity[0];
  const last = data.equity.at(-1);
  const from = data.generatedFor.from ?? (first ? formatTimestamp(first.ts) : DASH);
  const to = data.generatedFor.to ?? (last ? formatTimestamp(last.ts) : DASH);
  return `${from} → ${to}`;
}

function paramsList(params: Record<string, unknown>): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return '<span class="muted">none</span>';
  return entries.map(([k, v]) => `<code>${escapeHtml(k)}=${escapeHtml(formatParamValue(v))}</code>`).join(' ');
}

/** Run id, strategy and params, symbols, period, cash and value, return, order counts. */
export function summaryHeader(data: BacktestReportData): string {
  const g = data.generatedFor;
  const pnl = data.finalValue - g.startingCash;
  const pnlClass = pnl > 0 ? ' class="pos"' : pnl < 0 ? ' class="neg"' : '';
  const item = (term: string, valueHtml: string): string => `<div><dt>${escapeHtml(term)}</dt><dd>${valueHtml}</dd></div>`;
  const symbols = g.symbols.length > 0 ? g.symbols.map((s) => `<code>${escapeHtml(s)}</code>`).join(' ') : DASH;
  return [
    `<h1>${escapeHtml(data.title)}</h1>`,
    '<dl class="summary">',
    item('Run id', `<code>${escapeHtml(data.runId)}</code>`),
    item('Status', escapeHtml(data.status)),
    item('Strategy', escapeHtml(g.strategy)),
    item('Parameters', paramsList(g.params)),
    item('Symbols', symbols),
    item('Period', escapeHtml(period(data))),
    item('Starting cash', escapeHtml(formatMoney(g.startingCash))),
    item('Final cash', escapeHtml(formatMoney(data.finalCash))),
    item('Final value', escapeHtml(formatMoney(data.finalValue))),
    item('Net P&L', `<span${pnlClass}>${escapeHtml(formatMoney(pnl))}</span>`),
    item('Total return', escapeHtml(formatPct(data.kpis.totalReturnPct))),
    item('Orders', `${escapeHtml(formatNumber(data.orders, 0))} (${escapeHtml(formatNumber(data.ordersRejected, 0))} rejected)`),
    item('Fills', escapeHtml(formatNumber(data.fills.length, 0))),
    '</dl>',
  ].join('\n');
}

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; margin: 24px auto; max-width: 1000px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 12px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f3f4f6; padding: 1px 4px; border-radius: 3px; word-break: break-all; }
.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 8px 16px; margin: 0; }
.summary dt { font-size: 12px; color: #666; }
.summary dd { margin: 0; }
svg.chart { display: block; width: 100%; height: auto; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #ccc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.kpis { width: auto; min-width: 60%; }
.pos { color: #1a7f37; }
.neg { color: #cf222e; }
.muted, .note, td.note { color: #666; }
.empty { color: #666; font-style: italic; padding: 12px; border: 1px dashed #ccc; }
tr.gap td { text-align: center; color: #666; font-style: italic; }
footer { margin-top: 32px; font-size: 12px; color: #888; }
`;

/** What makes the report interactive: the run's analysis and the charting library's source (chart-library.ts). */
export interface InteractiveReport {
  analysis: ReportAnalysis;
  chartLibrary: string;
}

const STATIC_CSP = "default-src 'none'; style-src 'unsafe-inline'";

/** The sections of the static report: the SVG charts, the key figures, denials, trades and fills. */
function staticSections(data: BacktestReportData): string[] {
  return [
    `<section><h2>Equity</h2>\n${equityChart(data.equity)}\n</section>`,
    `<section><h2>Drawdown</h2>\n${drawdownChart(data.equity)}\n</section>`,
    ...tableSections(data),
  ];
}

function tableSections(data: BacktestReportData): string[] {
  return [
    `<section><h2>Key figures</h2>\n${kpiTable(data.kpis, data.quality)}\n<h3>Data quality</h3>\n${qualityNotes(data.quality)}\n</section>`,
    `<section><h2>Risk denials</h2>\n${riskDenialsTable(data.riskDenials)}\n</section>`,
  ];
}

const tradesSections = (data: BacktestReportData): string[] => [
  `<section><h2>Trades</h2>\n${tradesTable(data.trades)}\n</section>`,
  `<section><h2>Fills</h2>\n${fillsSummary(data.fills)}\n</section>`,
];

/** The interactive report's sections: every chart and table of the analysis around the static report's tables. */
function interactiveSections(data: BacktestReportData, a: ReportAnalysis): string[] {
  const logOk = a.equityChart.strategy.every(([, v]) => v > 0) && a.equityChart.benchmark.every(([, v]) => v > 0);
  const logBox = logOk
    ? '<label class="toggle"><input type="checkbox" id="equity-log"> log scale</label>'
    : '<p class="note">Log scale is off: the equity was not always above zero.</p>';
  return [
    `<section><h2>Equity</h2>\n${logBox}\n${chartBox('chart-equity')}\n<noscript>${equityChart(data.equity)}</noscript>\n</section>`,
    `<section><h2>Benchmark</h2>\n${benchmarkTable(a, data.kpis.totalReturnPct)}\n${annualisationNote(a)}\n</section>`,
    `<section><h2>Drawdown</h2>\n${chartBox('chart-drawdown')}\n<noscript>${drawdownChart(data.equity)}</noscript>\n<h3>Worst drawdowns</h3>\n${worstDrawdownsTable(a)}\n</section>`,
    `<section><h2>Monthly and yearly returns</h2>\n${calendarHeatmap(a)}\n</section>`,
    `<section><h2>Rolling Sharpe and volatility</h2>\n${chartBox('chart-rolling')}\n</section>`,
    `<section><h2>Return distribution</h2>\n${chartBox('chart-distribution')}\n${distributionNote(a)}\n</section>`,
    ...tableSections(data),
    `<section><h2>Trade statistics</h2>\n${tradeStatsTable(a)}\n</section>`,
    `<section><h2>Per symbol</h2>\n${perSymbolTable(a)}\n</section>`,
    `<section><h2>Price, indicators and fills</h2>\n${priceSection(a)}\n</section>`,
  ];
}

/**
 * The whole report, deterministic: the same inputs always give the same string. Without
 * `interactive` it runs no script at all; with it, the charts are ECharts, inlined.
 */
export function renderHtmlReport(data: BacktestReportData, interactive?: InteractiveReport): string {
  const sections = interactive ? [...interactiveSections(data, interactive.analysis), ...tradesSections(data)] : [...staticSections(data), ...tradesSections(data)];
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${interactive ? INTERACTIVE_CSP : STATIC_CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(data.title)} — ${escapeHtml(data.runId)}</title>`,
    `<style>${CSS}${interactive ? INTERACTIVE_CSS : ''}</style>`,
    '</head>',
    '<body>',
    `<header>\n${summaryHeader(data)}\n</header>`,
    ...sections,
    `<footer>Ordinis ORCH backtest report · run <code>${escapeHtml(data.runId)}</code> · times in UTC</footer>`,
    ...(interactive ? [chartScripts(reportCharts(interactive.analysis), interactive.chartLibrary)] : []),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
