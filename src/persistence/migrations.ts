// Schema versions, applied in order. Each migration runs in its own IMMEDIATE transaction
// together with its `schema_migrations` row and `PRAGMA user_version`, so a crash leaves the
// database at the previous version, never between two. Two processes opening the same file
// at once serialise on the write lock, and the second finds the work done.

import type Database from 'better-sqlite3';
import { OrdinisError } from '../errors.ts';
import { toDbError } from './sqlite-errors.ts';
import { v1InitialSchema } from './migrations/v1-initial-schema.ts';
import { v2PaperRuntime } from './migrations/v2-paper-runtime.ts';
import { v3RunsParentPartialIndex } from './migrations/v3-runs-parent-partial-index.ts';
import { v4DropRunsRecordedAtIndex } from './migrations/v4-drop-runs-recorded-at-index.ts';
import { v5DropRiskDecisionsRecordedAtIndex } from './migrations/v5-drop-risk-decisions-recorded-at-index.ts';
import { v6Reliability } from './migrations/v6-reliability.ts';
import { v7BacktestEquity } from './migrations/v7-backtest-equity.ts';
import { v8Sweeps } from './migrations/v8-sweeps.ts';

export interface Migration {
  /** 1, 2, 3, ... with no gaps; becomes `PRAGMA user_version` once applied. */
  version: number;
  /** snake_case, recorded in schema_migrations. */
  name: string;
  up(db: Database.Database): void;
}

/** Append only: a released migration is never edited, a fix is a new version. */
export const MIGRATIONS: readonly Migration[] = [v1InitialSchema, v2PaperRuntime, v3RunsParentPartialIndex, v4DropRunsRecordedAtIndex, v5DropRiskDecisionsRecordedAtIndex, v6Reliability, v7BacktestEquity, v8Sweeps];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export interface MigrationReport {
  fromVersion: number;
  toVersion: number;
  applied: number[];
}

export function schemaVersionOf(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Throws E_DB_SCHEMA_TOO_NEW when the file was written by a newer build than this one. */
export function assertSchemaNotNewer(db: Database.Database, latest: number, path: string): number {
  const current = schemaVersionOf(db);
  if (current > latest) {
    throw new OrdinisError(
      'E_DB_SCHEMA_TOO_NEW',
      `database ${path} is at schema version ${current} but this build only knows up to version ${latest}; ` +
        'run a newer build or restore a matching backup',
      { details: { path, dbVersion: current, codeVersion: latest } },
    );
  }
  return current;
}

export function migrate(
  db: Database.Database,
  options: { migrations?: readonly Migration[]; nowIso?: () => string; path?: string } = {},
): MigrationReport {
  const migrations = options.migrations ?? MIGRATIONS;
  const nowIso = options.nowIso ?? (() => new Date().toISOString());
  const path = options.path ?? db.name;
  assertWellOrdered(migrations);
  const latest = migrations.length > 0 ? migrations[migrations.length - 1].version : 0;
  const fromVersion = assertSchemaNotNewer(db, latest, path);
  const applied: number[] = [];

  for (const m of migrations) {
    if (m.version <= fromVersion) continue;
    try {
      db.transaction(() => {
        // Another process may have applied it while we waited for the lock.
        if (schemaVersionOf(db) >= m.version) return;
        db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          applied_at TEXT NOT NULL
        )`);
        m.up(db);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, nowIso());
        db.pragma(`user_version = ${m.version}`);
        applied.push(m.version);
      }).immediate();
    } catch (e) {
      const inner = toDbError(e, `migration ${m.version} (${m.name})`, { path });
      throw new OrdinisError('E_DB_MIGRATION_FAILED', `database ${path}: migration ${m.version} (${m.name}) failed: ${inner.message}`, {
        cause: e,
        // A lock held by another process or a full disk clears up; a broken migration does not.
        retryable: inner.code === 'E_DB_UNAVAILABLE' && inner.retryable,
        details: { path, version: m.version, name: m.name, appliedBefore: applied },
      });
    }
  }
  return { fromVersion, toVersion: schemaVersionOf(db), applied };
}

function assertWellOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new OrdinisError('E_DB_MIGRATION_FAILED', `migration list is not 1..n without gaps: position ${i} has version ${m.version}`);
    }
  });
}
