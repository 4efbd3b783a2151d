// Version 4: no index on `runs.recorded_at`.
//
// Every paper or live cycle writes a run row, and that index cost each of those commits a
// page write (about one commit frame in six); its one reader is retention, which runs once at
// start-up and now scans the table instead (a year of one-minute cycles is about half a
// million rows: a fraction of a second, once, against a page write on every cycle).

import type Database from 'better-sqlite3';
import type { Migration } from '../migrations.ts';

export const v4DropRunsRecordedAtIndex: Migration = {
  version: 4,
  name: 'drop_runs_recorded_at_index',
  up(db: Database.Database): void {
    db.exec('DROP INDEX IF EXISTS runs_recorded_at;');
  },
};
