// The report's sections built from the run's analysis (analysis/report-analysis.ts) as HTML:
// tables and the containers the interactive charts draw into. Pure and escaped like the rest
// of the report; colours come from classes (the heatmap's cells too), not style attributes.

import type { ReportAnalysis } from '../analysis/report-analysis.ts';
import type { DrawdownPeriod } from '../analysis/drawdown-periods.ts';
import type { TradeStats } from '../analysis/trade-stats.ts';
import { describeSpacing } from '../analysis/bar-frequency.ts';
import { DASH, escapeHtml, formatMoney, formatNumber, formatPct, formatTimestamp } from '../format.ts';

const e = escapeHtml;
const pct = (x: number | null): string => (x === null ? DASH : formatPct(x));
const money = (x: number | null): string => (x === null ? DASH : formatMoney(x));
const ratio = (x: number | null): string => (x === null ? DASH : formatNumber(x, 2));

/** The figures' relative spread between the inferred and the configured frequency above which the report warns. */
export const FREQUENCY_MISMATCH = 0.2;

/** A duration in the largest units that keep it readable: "3 d 4 h", "25 min", "412 d". */
export function formatSpan(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return DASH;
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** The chart container a spec of chart-options.ts draws into. */
export function chartBox(id: string, tall = false): string {
  return `<div class="echart${tall ? ' tall' : ''}" id="${e(id)}"></div>`;
}

/** How the report's own figures are annualised, and a warning when ANA_PERIODS_PER_YEAR disagrees with the data. */
export function annualisationNote(a: ReportAnalysis): string {
  const f = a.frequency;
  const spacing = f.medianSpacingMs === null ? '' : ` (median spacing ${e(describeSpacing(f.medianSpacingMs))})`;
  const how =
    f.source === 'inferred'
      ? `The rolling figures and alpha are annualised with ${e(formatNumber(f.periodsPerYear, 1))} bars a year, read off the run's timestamps${spacing}.`
      : `Too few bars to read a frequency off the timestamps: the rolling figures and alpha use ANA_PERIODS_PER_YEAR = ${e(formatNumber(f.configured, 0))}.`;
  const off = f.source === 'inferred' && Math.abs(f.periodsPerYear - f.configured) > FREQUENCY_MISMATCH * f.configured;
  const warn = off
    ? ` <strong>The Key figures table was annualised with ANA_PERIODS_PER_YEAR = ${e(formatNumber(f.configured, 0))}, which does not match this data; run again with ANA_PERIODS_PER_YEAR=${e(String(Math.round(f.periodsPerYear)))} for figures that do.</strong>`
    : ` The Key figures table uses ANA_PERIODS_PER_YEAR = ${e(formatNumber(f.configured, 0))}.`;
  return `<p class="note">${how}${warn}</p>`;
}

/** The benchmark's return and how the strategy relates to it. */
export function benchmarkTable(a: ReportAnalysis, strategyReturnPct: number): string {
  const r = a.benchmark.relation;
  const rows: [string, string][] = [
    ['Benchmark', e(a.benchmark.label)],
    ['Benchmark return', e(pct(r.benchmarkReturnPct))],
    ['Strategy return', e(formatPct(strategyReturnPct))],
    ['Alpha (annualized)', e(pct(r.alphaPct))],
    ['Beta', e(ratio(r.beta))],
    ['Correlation', e(ratio(r.correlation))],
  ];
  return `<table class="kpis benchmark"><tbody>\n${rows.map(([k, v]) => `<tr><th scope="row">${e(k)}</th><td class="num">${v}</td></tr>`).join('\n')}\n</tbody></table>`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A heat class for a return: its sign and one of five steps of |return| relative to `scale`. */
export function heatClass(returnPct: number, scale: number): string {
  if (returnPct === 0 || !(scale > 0)) return 'hm0';
  const step = Math.min(5, Math.max(1, Math.ceil((Math.abs(returnPct) / scale) * 5)));
  return `${returnPct > 0 ? 'hp' : 'hn'}${step}`;
}

/** Years down, months across, the year's return last; cells shaded by size and sign. */
export function calendarHeatmap(a: ReportAnalysis): string {
  const { months, years } = a.calendar;
  if (years.length === 0) return '<p class="empty">No equity data: no monthly returns.</p>';
  let scale = 0;
  for (const m of months) scale = Math.max(scale, Math.abs(m.returnPct));
  let yScale = 0;
  for (const y of years) yScale = Math.max(yScale, Math.abs(y.returnPct));
  // Enough decimals that the largest month shows two significant digits (a run that risks little has months of 0.01%).
  const decimals = scale > 0 ? Math.min(4, Math.max(1, Math.ceil(-Math.log10(scale)) + 1)) : 1;
  const byKey = new Map(months.map((m) => [`${m.year}-${m.month}`, m.returnPct]));
  const rows = years.map((y) => {
    const cells = MONTHS.map((_, i) => {
      const v = byKey.get(`${y.year}-${i + 1}`);
      return v === undefined ? '<td class="hm-none"></td>' : `<td class="num ${heatClass(v, scale)}">${e(formatNumber(v, decimals))}</td>`;
    });
    return `<tr><th scope="row">${y.year}</th>${cells.join('')}<td class="num year ${heatClass(y.returnPct, yScale)}">${e(formatNumber(y.returnPct, decimals))}</td></tr>`;
  });
  const head = `<thead><tr><th scope="col">%</th>${MONTHS.map((m) => `<th scope="col">${m}</th>`).join('')}<th scope="col">Year</th></tr></thead>`;
  return `<table class="heatmap">${head}\n<tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function drawdownRow(d: DrawdownPeriod, i: number): string {
  return (
    `<tr><td class="num">${i + 1}</td><td class="num neg">${e(formatPct(-d.depthPct))}</td>` +
    `<td>${e(formatTimestamp(d.peakTs))}</td><td>${e(formatTimestamp(d.troughTs))}</td>` +
    `<td>${d.recoveryTs === null ? 'not recovered' : e(formatTimestamp(d.recoveryTs))}</td>` +
    `<td class="num">${e(formatNumber(d.barsToTrough, 0))}</td><td class="num">${d.barsToRecovery === null ? DASH : e(formatNumber(d.barsToRecovery, 0))}</td>` +
    `<td class="num">${e(formatNumber(d.lengthBars, 0))}</td><td class="num">${e(formatSpan((d.recoveryTs ?? NaN) - d.peakTs))}</td></tr>`
  );
}

/** The deepest drawdowns with their length and recovery. */
export function worstDrawdownsTable(a: ReportAnalysis): string {
  if (a.worstDrawdowns.length === 0) return '<p class="muted">The equity never fell below a previous peak.</p>';
  const head =
    '<thead><tr><th scope="col">#</th><th scope="col">Depth</th><th scope="col">Peak</th><th scope="col">Trough</th><th scope="col">Recovered</th>' +
    '<th scope="col">Bars down</th><th scope="col">Bars to recover</th><th scope="col">Bars in all</th><th scope="col">Peak to recovery</th></tr></thead>';
  return `<table class="drawdowns">${head}\n<tbody>\n${a.worstDrawdowns.map(drawdownRow).join('\n')}\n</tbody></table>`;
}

/** The trade figures as label/value rows. */
function tradeFigureRows(s: TradeStats): [string, string][] {
  return [
    ['Closed trades', formatNumber(s.trades, 0)],
    ['Won / lost', `${formatNumber(s.wins, 0)} / ${formatNumber(s.losses, 0)}`],
    ['Win rate', pct(s.winRatePct)],
    ['Average win', money(s.averageWin)],
    ['Average loss', money(s.averageLoss)],
    ['Payoff ratio (avg win / avg loss)', ratio(s.payoffRatio)],
    ['Expectancy (net P&L per trade)', money(s.expectancy)],
    ['Largest win', money(s.largestWin)],
    ['Largest loss', money(s.largestLoss)],
    ['Average holding time', formatSpan(s.averageHoldingMs)],
    ['Median holding time', formatSpan(s.medianHoldingMs)],
    ['Longest winning streak', formatNumber(s.longestWinStreak, 0)],
    ['Longest losing streak', formatNumber(s.longestLossStreak, 0)],
  ];
}

export function tradeStatsTable(a: ReportAnalysis): string {
  if (a.trades.trades === 0) return '<p class="muted">No trade was closed: no trade statistics.</p>';
  const rows = tradeFigureRows(a.trades).map(([k, v]) => `<tr><th scope="row">${e(k)}</th><td class="num">${e(v)}</td></tr>`);
  return `<table class="kpis trade-stats"><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** Per symbol: trades, win rate, average win and loss, expectancy, net P&L, fills, commission. */
export function perSymbolTable(a: ReportAnalysis): string {
  if (a.perSymbol.length === 0) return '<p class="muted">No symbols.</p>';
  const head =
    '<thead><tr><th scope="col">Symbol</th><th scope="col">Trades</th><th scope="col">Win rate</th><th scope="col">Avg win</th><th scope="col">Avg loss</th>' +
    '<th scope="col">Expectancy</th><th scope="col">Net P&amp;L (closed trades)</th><th scope="col">Fills</th><th scope="col">Commission</th></tr></thead>';
  const rows = a.perSymbol.map((b) => {
    const s = b.stats;
    const cls = s.netPnl > 0 ? 'num pos' : s.netPnl < 0 ? 'num neg' : 'num';
    return (
      `<tr><td><code>${e(b.symbol)}</code></td><td class="num">${e(formatNumber(s.trades, 0))}</td><td class="num">${e(pct(s.winRatePct))}</td>` +
      `<td class="num">${e(money(s.averageWin))}</td><td class="num">${e(money(s.averageLoss))}</td><td class="num">${e(money(s.expectancy))}</td>` +
      `<td class="${cls}">${e(formatMoney(s.netPnl))}</td><td class="num">${e(formatNumber(b.fills, 0))}</td><td class="num">${e(formatMoney(b.commission))}</td></tr>`
    );
  });
  return `<table class="per-symbol">${head}\n<tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** The distribution's moments under its chart. */
export function distributionNote(a: ReportAnalysis): string {
  const d = a.distribution;
  if (d.counts.length === 0) return '<p class="muted">No bar returns.</p>';
  const n = d.counts.reduce((x, y) => x + y, 0);
  return (
    `<p class="note">${e(formatNumber(n, 0))} bar returns: mean ${e(d.meanPct === null ? DASH : formatPct(d.meanPct))}, ` +
    `standard deviation ${e(d.stdevPct === null ? DASH : formatPct(d.stdevPct))}, skew ${e(ratio(d.skew))}, excess kurtosis ${e(ratio(d.excessKurtosis))}.</p>`
  );
}

/** The price charts, one per symbol, and what was left out of them. */
export function priceSection(a: ReportAnalysis): string {
  if (a.priceCharts.length === 0) return '<p class="empty">No bars to chart.</p>';
  const parts = a.priceCharts.map((p, i) => {
    const left = p.markersLeftOut > 0 ? `<p class="note">${e(formatNumber(p.markersLeftOut, 0))} fills of ${e(p.symbol)} are not marked (evenly thinned to keep the page small).</p>` : '';
    return `${chartBox(`chart-price-${i}`, p.panels.length > 0)}${left}`;
  });
  if (a.priceChartsLeftOut > 0) parts.push(`<p class="note">${e(formatNumber(a.priceChartsLeftOut, 0))} more symbols are not charted; the per-symbol table lists them all.</p>`);
  return parts.join('\n');
}
