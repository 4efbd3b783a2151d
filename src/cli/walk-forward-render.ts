// `ordinis walkforward`'s output (pure): the windows table and the stitched summary as text,
// and the JSON object --json prints.

import { cell, formatMoney, formatPct, renderFields, renderTable, type Column } from './render.ts';
import type { ObjectiveName } from '../modes/sweep/objective.ts';
import type { StitchedCurve, WindowOutcome } from '../modes/sweep/walk-forward.ts';

const figure = (x: number | null | undefined, digits = 4): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));
const mean = (xs: readonly (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

/** Means over the windows that have the figure: in-sample and out-of-sample objective, and their gap. */
export function objectiveGap(ws: readonly WindowOutcome[]): { inSample: number | null; outOfSample: number | null; gap: number | null } {
  return { inSample: mean(ws.map((w) => w.isObjective)), outOfSample: mean(ws.map((w) => w.oosObjective)), gap: mean(ws.map((w) => w.gap)) };
}

export function walkForwardJson(objective: ObjectiveName, ws: readonly WindowOutcome[], s: StitchedCurve): Record<string, unknown> {
  return {
    objective,
    windows: ws.map((w) => ({
      index: w.window.index,
      inSample: w.window.inSample,
      outOfSample: w.window.outOfSample,
      sweepId: w.sweepId,
      params: w.chosen?.params ?? null,
      inSampleObjective: w.isObjective,
      outOfSampleObjective: w.oosObjective,
      gap: w.gap,
      outOfSampleRun: w.outOfSample && {
        runId: w.outOfSample.runId,
        status: w.outOfSample.status,
        finalValue: w.outOfSample.finalValue,
        totalReturnPct: w.outOfSample.totalReturnPct,
        maxDrawdownPct: w.outOfSample.maxDrawdownPct,
        sharpe: w.outOfSample.kpis?.sharpe ?? null,
        trades: w.outOfSample.trades,
        error: w.outOfSample.error,
      },
    })),
    stitched: { finalValue: s.finalValue, trades: s.trades, kpis: s.kpis, equity: s.points.map((p) => [p.ts, p.value]) },
    gap: objectiveGap(ws),
  };
}

export function formatWalkForward(objective: ObjectiveName, ws: readonly WindowOutcome[], s: StitchedCurve, dbPath: string): string {
  const keys = Object.keys(ws.find((w) => w.chosen)?.chosen?.params ?? {});
  const columns: Column[] = [
    { header: '#', align: 'right' },
    { header: 'in-sample' },
    { header: 'out-of-sample' },
    ...keys.map((k) => ({ header: k, align: 'right' as const })),
    { header: `IS ${objective}`, align: 'right' },
    { header: `OOS ${objective}`, align: 'right' },
    { header: 'gap', align: 'right' },
    { header: 'OOS return', align: 'right' },
    { header: 'trades', align: 'right' },
    { header: 'sweep' },
  ];
  const rows = ws.map((w) => [
    String(w.window.index + 1),
    `${w.window.inSample.from}..${w.window.inSample.to}`,
    `${w.window.outOfSample.from}..${w.window.outOfSample.to}`,
    ...keys.map((k) => cell(w.chosen?.params[k])),
    figure(w.isObjective),
    figure(w.oosObjective),
    figure(w.gap),
    w.outOfSample ? formatPct(w.outOfSample.totalReturnPct) : 'no run',
    w.outOfSample ? String(w.outOfSample.trades) : '—',
    cell(w.sweepId),
  ]);
  const g = objectiveGap(ws);
  const k = s.kpis;
  const summary = renderFields([
    ['stitched', `${formatMoney(s.finalValue)}  (return ${formatPct(k.totalReturnPct)}, CAGR ${formatPct(k.annualizedReturnPct)}, max DD ${formatPct(k.maxDrawdownPct)})`],
    ['sharpe', `${figure(k.sharpe, 2)}   sortino ${figure(k.sortino, 2)}   calmar ${figure(k.calmar, 2)}   trades ${s.trades}`],
    ['objective', `${objective}: in-sample ${figure(g.inSample)}, out-of-sample ${figure(g.outOfSample)}, gap ${figure(g.gap)} (mean over windows)`],
    ['database', dbPath],
  ]);
  return `${renderTable(columns, rows)}\n${summary}`;
}
