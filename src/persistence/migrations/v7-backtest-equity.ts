// Version 7: `backtest_equity`, a backtest's equity curve as rows, one per cycle that valued
// the book, written as the run goes (in the backtest's batch commits).
//
// The curve used to be held in memory for the whole run and stored at the end as one JSON
// artifact: 24 bytes a bar while running, then a point object per bar and a 60-70 MB JSON
// text for 1M bars, which made a long backtest's memory peak at ~600 MB writing its results.
// The `equity_curve` artifact now holds only the chart curve (a few thousand points); this
// table holds every point. REAL keeps a double bit for bit. Rows go with their run
// (ON DELETE CASCADE), as artifacts do, so retention needs no change.

import type Database from 'better-sqlite3';
import type { Migration } from '../migrations.ts';

export const v7BacktestEquity: Migration = {
  version: 7,
  name: 'backtest_equity',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE backtest_equity (
        run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        value REAL NOT NULL,
        drawdown_pct REAL NOT NULL,
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;
    `);
  },
};
