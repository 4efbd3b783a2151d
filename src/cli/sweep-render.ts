// `ordinis sweep`'s terminal output (pure): the results table, best first, and the progress
// line with its ETA. `--json` does not come through here.

import { cell, formatDuration, formatMoney, formatPct, renderFields, renderTable, type Column } from './render.ts';
import { objectiveValue, type ObjectiveName } from '../modes/sweep/objective.ts';
import type { SweepResult } from '../modes/sweep/sweep-outcome.ts';

export interface SweepSummary {
  sweepId: string;
  objective: ObjectiveName;
  points: number;
  /** Points whose results this run took: run here, by queue workers, or read back from the queue (the rest were stored before a --resume). */
  ran: number;
  dbPath: string;
}

/** Objectives the table shows in any case (their column is named as the objective). */
const STANDING = ['return', 'max-drawdown', 'sharpe', 'final-value'] as const;

const figure = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));

/** The header fields and the `top` best results (ranked: best first) as a table. */
export function formatSweepTable(s: SweepSummary, ranked: readonly SweepResult[], top: number): string {
  const keys = ranked.length > 0 ? Object.keys(ranked[0]!.params) : [];
  const failed = ranked.filter((r) => r.status !== 'ok').length;
  const head = renderFields([
    ['sweep', s.sweepId],
    ['points', `${ranked.length}/${s.points} done (${s.ran} run now${failed ? `, ${failed} failed or refused` : ''})`],
    ['objective', s.objective],
    ['database', s.dbPath],
  ]);
  // The objective gets a column of its own unless one of the standing columns already shows it.
  const own = !(STANDING as readonly string[]).includes(s.objective);
  const columns: Column[] = [
    { header: '#', align: 'right' },
    ...keys.map((k) => ({ header: k, align: 'right' as const })),
    ...(own ? [{ header: s.objective, align: 'right' as const }] : []),
    { header: 'return', align: 'right' },
    { header: 'max-drawdown', align: 'right' },
    { header: 'sharpe', align: 'right' },
    { header: 'trades', align: 'right' },
    { header: 'final-value', align: 'right' },
    { header: 'run' },
  ];
  const rows = ranked.slice(0, top).map((r, i) => [
    String(i + 1),
    ...keys.map((k) => cell(r.params[k])),
    ...(own ? [figure(objectiveValue(s.objective, r), 4)] : []),
    formatPct(r.totalReturnPct),
    formatPct(r.maxDrawdownPct),
    figure(r.kpis?.sharpe, 4),
    String(r.trades),
    formatMoney(r.finalValue),
    r.status === 'ok' ? cell(r.runId) : `${cell(r.runId)} ${cell(r.error?.code)}: ${cell(r.error?.message)}`,
  ]);
  const more = ranked.length > top ? `(${ranked.length - top} more: --top N, or --json)\n` : '';
  return `${head}\n${renderTable(columns, rows)}${more}`;
}

/** "sweep [#####.....]  45/200  22%  ETA 1m 05s": the ETA from the pace of the backtests run so far. */
export function sweepProgressLine(done: number, total: number, elapsedMs: number, ranBefore: number): string {
  const width = 30;
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const fill = Math.round(frac * width);
  const ranNow = done - ranBefore;
  const eta = ranNow > 0 && done < total ? `  ETA ${formatDuration((elapsedMs / ranNow) * (total - done))}` : '';
  return `sweep [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total} ${(frac * 100).toFixed(0).padStart(3)}%${eta}`;
}
