// Retention (L2-08 §6: run metadata 365 days by default). Removes old runs with their
// artifacts, orphaned config snapshots, risk decisions and dead letters; the audit log only
// when given its own retention, and always as a prefix behind the chain's anchor. Orders,
// fills, the ledger and positions are never purged here: the ledger must replay from its
// first entry, and an open order is live state.
//
// Age is the wall-clock time a row was stored (`recorded_at` / `created_at`), not the run's
// own timestamps: a backtest's cycles carry bar times that may be years old.

import { OrdinisError } from '../errors.ts';
import type { SqliteConnection } from './connection.ts';
import type { AuditPurgeResult, SqliteAuditStore } from './sqlite-audit-store.ts';

export interface RetentionOptions {
  /** Runs, artifacts, config snapshots, risk decisions and dead letters older than this go. Default 365. */
  runsDays?: number;
  /** Audit records older than this go (by their `ts`). Omitted: the audit log is kept whole. */
  auditDays?: number;
}

export interface RetentionReport {
  runsCutoff: string;
  runs: number;
  artifacts: number;
  configSnapshots: number;
  riskDecisions: number;
  deadLetters: number;
  auditCutoff: string | null;
  audit: AuditPurgeResult | null;
}

const DAY_MS = 86_400_000;

export const DEFAULT_RUN_RETENTION_DAYS = 365;

export function purgeOlderThan(conn: SqliteConnection, audit: SqliteAuditStore, options: RetentionOptions = {}): RetentionReport {
  const runsDays = options.runsDays ?? DEFAULT_RUN_RETENTION_DAYS;
  assertDays('runsDays', runsDays);
  if (options.auditDays !== undefined) assertDays('auditDays', options.auditDays);
  const now = conn.wallClock.now();
  const runsCutoff = new Date(now - runsDays * DAY_MS).toISOString();

  const counts = conn.transaction(() => {
    const db = conn.db;
    // A run still 'running' is left for crash recovery to close, whatever its age.
    const oldRuns = `SELECT run_id FROM runs WHERE recorded_at < @cutoff AND status <> 'running'`;
    const artifacts = db.prepare(`DELETE FROM artifacts WHERE run_id IN (${oldRuns})`).run({ cutoff: runsCutoff }).changes;
    const runs = db.prepare(`DELETE FROM runs WHERE run_id IN (${oldRuns})`).run({ cutoff: runsCutoff }).changes;
    const configSnapshots = db
      .prepare(
        `DELETE FROM run_config_snapshot WHERE created_at < ?
           AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.run_id = run_config_snapshot.run_id)`,
      )
      .run(runsCutoff).changes;
    const riskDecisions = db.prepare('DELETE FROM risk_decisions WHERE recorded_at < ?').run(runsCutoff).changes;
    const deadLetters = db.prepare('DELETE FROM dlq WHERE recorded_at < ?').run(runsCutoff).changes;
    return { runs, artifacts, configSnapshots, riskDecisions, deadLetters };
  }, 'purge runs older than retention');

  let auditCutoff: string | null = null;
  let auditResult: AuditPurgeResult | null = null;
  if (options.auditDays !== undefined) {
    auditCutoff = new Date(now - options.auditDays * DAY_MS).toISOString();
    auditResult = audit.purgeOlderThan(auditCutoff);
  }
  return { runsCutoff, ...counts, auditCutoff, audit: auditResult };
}

function assertDays(name: string, days: number): void {
  if (!Number.isFinite(days) || days < 0) {
    throw new OrdinisError('E_CFG_INVALID', `${name} must be a finite number of days >= 0, got ${days}`, { details: { [name]: days } });
  }
}
