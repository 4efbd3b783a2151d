// Version 3: `runs_parent` covers only rows that have a parent (a backtest's cycles).
//
// Paper and live cycles are top-level (parent_run_id NULL) and write one run row per cycle;
// indexing their NULLs cost every such insert a page write and served no query: a parent is
// always looked up by equality (`parent_run_id = ?`, which a partial index on
// `parent_run_id IS NOT NULL` serves), and the top-level listing goes by rowid.

import type Database from 'better-sqlite3';
import type { Migration } from '../migrations.ts';

export const v3RunsParentPartialIndex: Migration = {
  version: 3,
  name: 'runs_parent_partial_index',
  up(db: Database.Database): void {
    db.exec(`
      DROP INDEX IF EXISTS runs_parent;
      CREATE INDEX runs_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
    `);
  },
};
