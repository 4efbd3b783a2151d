// Retention (L2-08 §6: run metadata 365 days by default). Removes old runs with their
// artifacts, orphaned config snapshots, risk decisions and dead letters; the audit log only
// when given its own retention, always as a prefix behind the chain's anchor, and never past
// the export mark (`ordinis audit export`): no record leaves the database unexported. Orders,
// fills, the ledger and positions are never purged here: the ledger must replay from its
// first entry, and an open order is live state.
//
// Age is the wall-clock time a row was stored (`recorded_at` / `created_at`), not the time
// it is about: a replay's or a backtest's records carry bar times that may be years old.
//
// A wall clock can also be wrong: an NTP step or a VM resume at start-up moves "now" years
// ahead, and every row looks old. So a purge that would delete more than a bounded share of
// any one table (`maxPurgePct`) deletes nothing and fails E_DB_RETENTION_REFUSED, unless the
// operator said so (`allowLargePurge`). The deletes run, are counted and are then rolled
// back in the same transaction when refused, so the counts checked are exactly what would go.

import { OrdinisError } from '../errors.ts';
import type { SqliteConnection } from './connection.ts';
import type { AuditPurgeResult, SqliteAuditStore } from './sqlite-audit-store.ts';

export interface RetentionOptions {
  /** Runs, artifacts, config snapshots, risk decisions and dead letters older than this go. Default 365. */
  runsDays?: number;
  /** Exported audit records older than this (by `recorded_at`) go. Omitted: the audit log is kept whole. */
  auditDays?: number;
  /** Largest share (percent, 0-100) of one table's rows one purge may delete. Default 50. */
  maxPurgePct?: number;
  /** Delete whatever is due even past `maxPurgePct` (`ordinis paper --allow-large-purge`). */
  allowLargePurge?: boolean;
  /** Where to say what was deleted (a pino logger fits). */
  logger?: RetentionLogger;
}

export interface RetentionLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export type RetentionTable = 'runs' | 'artifacts' | 'run_config_snapshot' | 'risk_decisions' | 'dlq' | 'audit_log';

/** One table's share of a purge: rows stored before `cutoff` that went (or would go), of `total`. */
export interface TablePurge {
  table: RetentionTable;
  cutoff: string;
  deleted: number;
  total: number;
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
  /** Audit records old enough to go but kept because no export holds them yet. */
  auditHeldUnexported: number;
  /** Every table looked at, in the order purged. */
  tables: TablePurge[];
}

const DAY_MS = 86_400_000;

export const DEFAULT_RUN_RETENTION_DAYS = 365;
export const DEFAULT_MAX_PURGE_PCT = 50;

/** The purges that delete more than `maxPct` percent of their table's rows. */
export function oversizedPurges(tables: readonly TablePurge[], maxPct: number): TablePurge[] {
  return tables.filter((t) => t.deleted > 0 && t.deleted * 100 > t.total * maxPct);
}

/** "runs: 1000 of 1000 rows (100%) stored before 2006-01-01T00:00:00.000Z" */
export function describePurge(t: TablePurge): string {
  const pct = t.total === 0 ? 0 : Math.round((t.deleted * 1000) / t.total) / 10;
  return `${t.table}: ${t.deleted} of ${t.total} rows (${pct}%) stored before ${t.cutoff}`;
}

export function purgeOlderThan(conn: SqliteConnection, audit: SqliteAuditStore, options: RetentionOptions = {}): RetentionReport {
  const runsDays = options.runsDays ?? DEFAULT_RUN_RETENTION_DAYS;
  assertDays('runsDays', runsDays);
  if (options.auditDays !== undefined) assertDays('auditDays', options.auditDays);
  const maxPct = options.maxPurgePct ?? DEFAULT_MAX_PURGE_PCT;
  if (!Number.isFinite(maxPct) || maxPct < 0 || maxPct > 100) {
    throw new OrdinisError('E_CFG_INVALID', `maxPurgePct must be a percentage from 0 to 100, got ${maxPct}`, { details: { maxPurgePct: maxPct } });
  }
  const now = conn.wallClock.now();
  const nowIso = new Date(now).toISOString();
  const runsCutoff = new Date(now - runsDays * DAY_MS).toISOString();
  const auditCutoff = options.auditDays !== undefined ? new Date(now - options.auditDays * DAY_MS).toISOString() : null;

  const run = (): RetentionReport => conn.transaction((): RetentionReport => {
    const db = conn.db;
    // Totals first: each share is of the table as it stood before this purge.
    const before = new Map<RetentionTable, number>(
      (['artifacts', 'runs', 'run_config_snapshot', 'risk_decisions', 'dlq'] as const).map((t) => [t, db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number]),
    );
    const tables: TablePurge[] = [];
    const purge = (table: RetentionTable, cutoff: string, deleted: number, total = before.get(table)!): number => {
      tables.push({ table, cutoff, deleted, total });
      return deleted;
    };
    // A run still 'running' is left for crash recovery to close, whatever its age.
    const oldRuns = `SELECT run_id FROM runs WHERE recorded_at < @cutoff AND status <> 'running'`;
    const artifacts = purge('artifacts', runsCutoff, db.prepare(`DELETE FROM artifacts WHERE run_id IN (${oldRuns})`).run({ cutoff: runsCutoff }).changes);
    const runs = purge('runs', runsCutoff, db.prepare(`DELETE FROM runs WHERE run_id IN (${oldRuns})`).run({ cutoff: runsCutoff }).changes);
    const configSnapshots = purge(
      'run_config_snapshot',
      runsCutoff,
      db
        .prepare(
          `DELETE FROM run_config_snapshot WHERE created_at < ?
             AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.run_id = run_config_snapshot.run_id)`,
        )
        .run(runsCutoff).changes,
    );
    const riskDecisions = purge('risk_decisions', runsCutoff, db.prepare('DELETE FROM risk_decisions WHERE recorded_at < ?').run(runsCutoff).changes);
    const deadLetters = purge('dlq', runsCutoff, db.prepare('DELETE FROM dlq WHERE recorded_at < ?').run(runsCutoff).changes);

    let auditResult: AuditPurgeResult | null = null;
    let auditHeldUnexported = 0;
    if (auditCutoff !== null) {
      const plan = audit.planPurge(auditCutoff);
      auditHeldUnexported = plan.heldUnexported;
      auditResult = audit.purgeOlderThan(auditCutoff);
      purge('audit_log', auditCutoff, auditResult.purged, plan.total);
    }

    const over = options.allowLargePurge ? [] : oversizedPurges(tables, maxPct);
    // Throwing rolls back every delete above.
    if (over.length > 0) throw refusal(over, maxPct, nowIso);
    return { runsCutoff, runs, artifacts, configSnapshots, riskDecisions, deadLetters, auditCutoff, audit: auditResult, auditHeldUnexported, tables };
  }, 'retention purge');

  let report: RetentionReport;
  try {
    report = run();
  } catch (e) {
    if (e instanceof OrdinisError && e.code === 'E_DB_RETENTION_REFUSED') options.logger?.error({ retention: e.details }, e.message);
    throw e;
  }
  logReport(options.logger, report, options.allowLargePurge === true);
  return report;
}

function refusal(over: readonly TablePurge[], maxPct: number, nowIso: string): OrdinisError {
  return new OrdinisError(
    'E_DB_RETENTION_REFUSED',
    `retention refused, nothing was deleted: it would delete ${over.map(describePurge).join('; ')}, ` +
      `more than DB_RETENTION_MAX_PURGE_PCT=${maxPct}% of a table in one start. ` +
      `A wall clock that jumped forward looks like this: check that now is ${nowIso}; if it is, and the cutoff is right, ` +
      `start again with --allow-large-purge`,
    { details: { tables: over, maxPurgePct: maxPct, now: nowIso, flag: '--allow-large-purge' } },
  );
}

function logReport(logger: RetentionLogger | undefined, r: RetentionReport, allowedLarge: boolean): void {
  if (!logger) return;
  for (const t of r.tables) {
    if (t.deleted > 0) logger.info({ retention: { ...t, allowLargePurge: allowedLarge } }, `retention: deleted ${describePurge(t)}`);
  }
  if (r.auditHeldUnexported > 0) {
    logger.info(
      { retention: { table: 'audit_log', cutoff: r.auditCutoff, heldUnexported: r.auditHeldUnexported } },
      `retention: kept ${r.auditHeldUnexported} audit records past AUDIT_RETENTION_DAYS that were never exported (ordinis audit export)`,
    );
  }
}

function assertDays(name: string, days: number): void {
  if (!Number.isFinite(days) || days < 0) {
    throw new OrdinisError('E_CFG_INVALID', `${name} must be a finite number of days >= 0, got ${days}`, { details: { [name]: days } });
  }
}
