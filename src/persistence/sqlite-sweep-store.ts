// Sweeps on SQLite (`sweeps`, `sweep_results`, migration 8): a sweep's definition, and each
// point's result as it finishes, one autocommitted row, so a killed sweep loses at most the
// backtests that were running. A point's row is written once: a second write of the same
// point is refused, never merged.

import type Database from 'better-sqlite3';
import type { SweepResult } from '../modes/sweep/sweep-outcome.ts';
import type { SweepSpec } from '../modes/sweep/sweep-spec.ts';
import type { SqliteConnection } from './connection.ts';

export interface StoredSweep {
  sweepId: string;
  createdAt: string;
  points: number;
  spec: SweepSpec;
}

interface ResultRow {
  point_index: number;
  params: string;
  run_id: string | null;
  status: 'ok' | 'failed';
  final_value: number;
  total_return_pct: number;
  max_drawdown_pct: number;
  trades: number;
  kpis: string | null;
  error: string | null;
}

export class SqliteSweepStore {
  private readonly insertSweep: Database.Statement;
  private readonly selectSweep: Database.Statement;
  private readonly insertResult: Database.Statement;
  private readonly selectResults: Database.Statement;
  private readonly selectDone: Database.Statement;

  constructor(private readonly conn: SqliteConnection) {
    const db = conn.db;
    this.insertSweep = db.prepare('INSERT INTO sweeps (sweep_id, created_at, objective, points, spec) VALUES (?, ?, ?, ?, ?)');
    this.selectSweep = db.prepare('SELECT sweep_id, created_at, points, spec FROM sweeps WHERE sweep_id = ?');
    this.insertResult = db.prepare(
      `INSERT INTO sweep_results (sweep_id, point_index, params, run_id, status, final_value, total_return_pct, max_drawdown_pct, sharpe, trades, kpis, error, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectResults = db.prepare(
      'SELECT point_index, params, run_id, status, final_value, total_return_pct, max_drawdown_pct, trades, kpis, error FROM sweep_results WHERE sweep_id = ? ORDER BY point_index',
    );
    this.selectDone = db.prepare('SELECT point_index FROM sweep_results WHERE sweep_id = ?').pluck();
  }

  /**
   * Records a new sweep under `baseId`, or `baseId-2`, `-3`, ... when the file already holds
   * a sweep by that id (the same definition run again is a new sweep, as a rerun backtest is
   * a new run). Returns the id given.
   */
  create(baseId: string, spec: SweepSpec, points: number): string {
    return this.conn.transaction(() => {
      let id = baseId;
      for (let n = 2; this.selectSweep.get(id) !== undefined; n++) id = `${baseId}-${n}`;
      this.insertSweep.run(id, this.conn.nowIso(), spec.objective, points, JSON.stringify(spec));
      return id;
    }, `record sweep ${baseId}`);
  }

  get(sweepId: string): StoredSweep | undefined {
    const row = this.conn.read(`read sweep ${sweepId}`, () => this.selectSweep.get(sweepId)) as
      | { sweep_id: string; created_at: string; points: number; spec: string }
      | undefined;
    return row && { sweepId: row.sweep_id, createdAt: row.created_at, points: row.points, spec: JSON.parse(row.spec) as SweepSpec };
  }

  /** Stores a point's result; E_DB_CONSTRAINT if the point already has one (a point is run once). */
  putResult(sweepId: string, r: SweepResult): void {
    this.conn.write(`record result ${r.index} of sweep ${sweepId}`, () =>
      this.insertResult.run(
        sweepId,
        r.index,
        JSON.stringify(r.params),
        r.runId,
        r.status,
        r.finalValue,
        r.totalReturnPct,
        r.maxDrawdownPct,
        r.kpis?.sharpe ?? null,
        r.trades,
        r.kpis === null ? null : JSON.stringify(r.kpis),
        r.error === null ? null : JSON.stringify(r.error),
        this.conn.nowIso(),
      ),
    );
  }

  /** The indexes of the points that have a result. */
  doneIndexes(sweepId: string): Set<number> {
    return new Set(this.conn.read(`read done points of sweep ${sweepId}`, () => this.selectDone.all(sweepId) as number[]));
  }

  /** Every stored result of the sweep, in index order. */
  results(sweepId: string): SweepResult[] {
    const rows = this.conn.read(`read results of sweep ${sweepId}`, () => this.selectResults.all(sweepId)) as ResultRow[];
    return rows.map((row) => ({
      index: row.point_index,
      params: JSON.parse(row.params) as SweepResult['params'],
      runId: row.run_id,
      status: row.status,
      finalValue: row.final_value,
      totalReturnPct: row.total_return_pct,
      maxDrawdownPct: row.max_drawdown_pct,
      trades: row.trades,
      kpis: row.kpis === null ? null : (JSON.parse(row.kpis) as SweepResult['kpis']),
      error: row.error === null ? null : (JSON.parse(row.error) as SweepResult['error']),
    }));
  }
}
