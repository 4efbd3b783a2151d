// Version 6: what the reliability fixes of issue 11 need on disk.
//
// - `audit_log.recorded_at`: the wall-clock time the record was appended. `ts` stays the time
//   the record is about (a bar's time in replay); retention ages records by `recorded_at`, so
//   a replay of old bars never makes fresh evidence look old. Rows written before this version
//   get the time of the upgrade: an unknown age is treated as new, never as old.
// - `audit_export`: the last record written to an export file (`ordinis audit export`).
//   Retention never deletes a record past it, so nothing leaves the database unexported.
// - `audit_checkpoint`: keyed MACs over chain points (seq, hash). The key lives outside the
//   database (config/env), so someone who can rewrite the file cannot forge a checkpoint.
// - `runs.owner_pid` / `owner_started_at` / `owner_host`: which process owns a running run,
//   with that process's start time, so recovery aborts only runs whose owner is gone (a pid
//   can be reused; pid + start time cannot).

import type Database from 'better-sqlite3';
import type { Migration } from '../migrations.ts';

export const v6Reliability: Migration = {
  version: 6,
  name: 'reliability',
  up(db: Database.Database): void {
    db.exec(`
      ALTER TABLE audit_log ADD COLUMN recorded_at TEXT;
      -- audit_log refuses UPDATE; lift that for the one backfill, then put it back.
      DROP TRIGGER audit_log_no_update;
      UPDATE audit_log SET recorded_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE recorded_at IS NULL;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only');
      END;
      CREATE INDEX audit_log_recorded_at ON audit_log (recorded_at);

      CREATE TABLE audit_export (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        path TEXT,
        exported_at TEXT
      );
      INSERT INTO audit_export (id, seq, hash, path, exported_at)
        SELECT 1, seq, hash, NULL, NULL FROM audit_anchor WHERE id = 1;
      CREATE TRIGGER audit_export_moves_forward BEFORE UPDATE ON audit_export
      WHEN NEW.seq < OLD.seq OR NEW.seq > (SELECT seq FROM audit_head WHERE id = 1)
      BEGIN
        SELECT RAISE(ABORT, 'audit_export only moves forward, and never past the head');
      END;

      CREATE TABLE audit_checkpoint (
        seq INTEGER PRIMARY KEY,
        hash TEXT NOT NULL,
        mac TEXT NOT NULL,
        key_id TEXT NOT NULL,
        recorded_at TEXT NOT NULL
      );

      ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
      ALTER TABLE runs ADD COLUMN owner_started_at TEXT;
      ALTER TABLE runs ADD COLUMN owner_host TEXT;
    `);
  },
};
