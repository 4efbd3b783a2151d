// What a sweep keeps of each backtest (pure): the run id, how it ended, the figures the
// objectives and the table read, and the KPIs. Every number is the backtest's own double,
// carried as is (structured clone, SQLite REAL and JSON keep a double bit for bit), so a
// sweep's figures are exactly those of the single `ordinis backtest` run.

import type { Kpis } from '../../domain/analytics.ts';
import type { BacktestResult } from '../backtest/backtest-driver.ts';
import type { ParamValue } from './parameter-space.ts';

export interface SweepOutcome {
  /** The backtest's deterministic run id (null when its flags were refused before it had one). */
  runId: string | null;
  status: 'ok' | 'failed';
  finalValue: number;
  totalReturnPct: number;
  maxDrawdownPct: number;
  trades: number;
  kpis: Kpis | null;
  /** Why the backtest failed or could not start (the pack refused the parameters). */
  error: { code: string; message: string } | null;
}

/** One point's result: where it is in the grid, its parameters, and its outcome. */
export interface SweepResult extends SweepOutcome {
  index: number;
  params: Record<string, ParamValue>;
}

export function outcomeOf(r: BacktestResult): SweepOutcome {
  return {
    runId: r.runId,
    status: r.status,
    finalValue: r.finalValue,
    totalReturnPct: r.totalReturnPct,
    maxDrawdownPct: r.maxDrawdownPct,
    trades: r.trades,
    kpis: r.kpis,
    error: r.error,
  };
}

/** A backtest that did not start (its parameters refused, its data unreadable): nothing ran, nothing gained. */
export function refusedOutcome(runId: string | null, cash: number, error: { code: string; message: string }): SweepOutcome {
  return { runId, status: 'failed', finalValue: cash, totalReturnPct: 0, maxDrawdownPct: 0, trades: 0, kpis: null, error };
}

/** A result as `--json` prints it (the contract), KPIs included. */
export function jsonResult(r: SweepResult): Record<string, unknown> {
  return {
    index: r.index,
    params: r.params,
    status: r.status,
    finalValue: r.finalValue,
    totalReturnPct: r.totalReturnPct,
    maxDrawdownPct: r.maxDrawdownPct,
    sharpe: r.kpis?.sharpe ?? null,
    trades: r.trades,
    runId: r.runId,
    kpis: r.kpis,
    error: r.error,
  };
}
