// Version 5: no index on `risk_decisions.recorded_at`.
//
// RISK records a row per signal, and a backtest records tens of thousands in one run: that
// index cost every one of them a second index entry (about 0.5 µs of the ~5 µs a row costs,
// measured on a 100-symbol backtest). Its one reader is retention, which runs once at
// start-up and now scans the table instead, as it does `runs` since version 4. The
// (correlation_id, signal_id) unique index stays: the upsert and listByRun use it.

import type Database from 'better-sqlite3';
import type { Migration } from '../migrations.ts';

export const v5DropRiskDecisionsRecordedAtIndex: Migration = {
  version: 5,
  name: 'drop_risk_decisions_recorded_at_index',
  up(db: Database.Database): void {
    db.exec('DROP INDEX IF EXISTS risk_decisions_recorded_at;');
  },
};
