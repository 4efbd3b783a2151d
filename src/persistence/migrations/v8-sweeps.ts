// Version 8: `sweeps` and `sweep_results` (`ordinis sweep`). A sweep row holds the sweep's
// whole definition (the JSON a resume rebuilds every backtest from); a result row is one
// point of it, written as that backtest finishes, keyed by the point's index in the grid so
// a point is stored at most once. The results keep the backtest's deterministic run id, not
// a reference to a `runs` row: a sweep's backtests record no run rows (a 200-point sweep
// would otherwise write 200 runs and their curves). REAL keeps each figure bit for bit.

import type Database from 'better-sqlite3';
import type { Migration } from '../migrations.ts';

export const v8Sweeps: Migration = {
  version: 8,
  name: 'sweeps',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE sweeps (
        sweep_id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        objective TEXT NOT NULL,
        points INTEGER NOT NULL,
        spec TEXT NOT NULL
      );
      CREATE TABLE sweep_results (
        sweep_id TEXT NOT NULL REFERENCES sweeps (sweep_id) ON DELETE CASCADE,
        point_index INTEGER NOT NULL,
        params TEXT NOT NULL,
        run_id TEXT,
        status TEXT NOT NULL,
        final_value REAL NOT NULL,
        total_return_pct REAL NOT NULL,
        max_drawdown_pct REAL NOT NULL,
        sharpe REAL,
        trades INTEGER NOT NULL,
        kpis TEXT,
        error TEXT,
        finished_at TEXT NOT NULL,
        PRIMARY KEY (sweep_id, point_index)
      ) WITHOUT ROWID;
    `);
  },
};
