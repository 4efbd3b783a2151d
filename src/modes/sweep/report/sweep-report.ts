// `ordinis sweep --report FILE`: one self-contained HTML page (pure): the sweep's heatmap over
// its first two parameters, the best runs' equity curves, and the ranking table.

import { escapeHtml, formatMoney, formatPct } from '../../backtest/report/format.ts';
import { svgLineChart } from '../../backtest/report/svg-chart.ts';
import type { EquityPoint } from '../../../stages/ana/equity-curve.ts';
import { objectiveValue, type ObjectiveName } from '../objective.ts';
import type { SweepResult } from '../sweep-outcome.ts';
import { svgHeatmap } from './sweep-heatmap.ts';

export interface SweepReportInput {
  sweepId: string;
  title: string;
  objective: ObjectiveName;
  /** Every result, best first. */
  ranked: readonly SweepResult[];
  /** The best runs' chart curves, best first. */
  curves: readonly { result: SweepResult; equity: readonly EquityPoint[] }[];
  /** Rows of the ranking table. */
  top: number;
}

const CSS = 'body{font-family:system-ui,sans-serif;margin:24px;color:#1f2328}table{border-collapse:collapse;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #d0d7de;text-align:right}th:first-child,td:first-child{text-align:left}h2{margin-top:28px}';

const params = (r: SweepResult): string => Object.entries(r.params).map(([k, v]) => `${k}=${String(v)}`).join(' ');
const fig = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(4));

export function renderSweepReport(i: SweepReportInput): string {
  const keys = Object.keys(i.ranked[0]?.params ?? {});
  const heatmap = keys.length ? svgHeatmap(i.objective, keys, i.ranked) : '<p>No results.</p>';
  const curves = i.curves
    .filter((c) => c.equity.length > 0)
    .map((c, n) =>
      svgLineChart({
        title: `#${n + 1} ${params(c.result)}: ${i.objective} ${fig(objectiveValue(i.objective, c.result))}, final value ${formatMoney(c.result.finalValue)}`,
        points: c.equity.map((p) => ({ x: p.ts, y: p.value })),
        formatY: (y) => formatMoney(y),
        height: 220,
      }),
    );
  const rows = i.ranked.slice(0, i.top).map(
    (r, n) =>
      `<tr><td>${n + 1}. ${escapeHtml(params(r))}</td><td>${fig(objectiveValue(i.objective, r))}</td><td>${formatPct(r.totalReturnPct)}</td><td>${formatPct(r.maxDrawdownPct)}</td><td>${fig(r.kpis?.sharpe)}</td><td>${r.trades}</td><td>${formatMoney(r.finalValue)}</td><td>${escapeHtml(r.status === 'ok' ? (r.runId ?? '') : `${r.error?.code ?? ''}: ${r.error?.message ?? ''}`)}</td></tr>`,
  );
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(i.title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${escapeHtml(i.title)}</h1>`,
    `<p>Sweep <code>${escapeHtml(i.sweepId)}</code>: ${i.ranked.length} points, ranked by ${escapeHtml(i.objective)}.</p>`,
    '<h2>Heatmap</h2>',
    heatmap,
    `<h2>The best ${curves.length} runs' equity curves</h2>`,
    curves.join('\n'),
    '<h2>Ranking</h2>',
    `<table><thead><tr><th>parameters</th><th>${escapeHtml(i.objective)}</th><th>return</th><th>max DD</th><th>sharpe</th><th>trades</th><th>final value</th><th>run</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    '</body></html>\n',
  ].join('\n');
}
