// RISK's decisions per cycle (`risk_decisions`), kept so every order can be traced back to
// the verdict and reasons that allowed it, and every denial is on record.
//
// A cycle's decisions go out as multi-row INSERTs: SQLite's per-statement cost (bind, step,
// reset, a statement journal) is paid once per statement, not once per row, and one
// statement is atomic on its own, so the usual cycle needs no savepoint either.

import type Database from 'better-sqlite3';
import type { RiskDecision } from '../domain/risk.ts';
import type { SqliteConnection } from './connection.ts';

/** Rows per INSERT: a cycle's decisions in one statement as a rule (per-row gains flatten out beyond a few dozen). */
const MAX_ROWS_PER_INSERT = 32;
const ROW_PLACEHOLDERS = '(?, ?, ?, ?, ?, ?, ?, ?, ?)';
const COLUMNS_PER_ROW = 9;

/** An upsert of `rows` decisions. */
function upsertSql(rows: number): string {
  // A retried RISK stage records the same signals again: the latest verdict is the one
  // the cycle acted on, so it replaces the earlier one.
  return `INSERT INTO risk_decisions (correlation_id, signal_id, symbol, ts, allowed, reasons_json, policy_version, decision_json, recorded_at)
     VALUES ${Array.from({ length: rows }, () => ROW_PLACEHOLDERS).join(', ')}
     ON CONFLICT (correlation_id, signal_id) DO UPDATE SET symbol = excluded.symbol, ts = excluded.ts,
       allowed = excluded.allowed, reasons_json = excluded.reasons_json, policy_version = excluded.policy_version,
       decision_json = excluded.decision_json, recorded_at = excluded.recorded_at`;
}

/**
 * JSON of a one-code reason list, by code: nearly every decision has exactly one reason
 * (RISK.OK on an allowed order), so its text is made once per code instead of once per row.
 */
const ONE_REASON_JSON = new Map<string, string>();
/** Reason codes are a closed set; the bound only keeps an unexpected caller from growing the map. */
const MAX_CACHED_REASONS = 64;

/** JSON.stringify(reasons), the same string. */
export function reasonsJson(reasons: readonly string[]): string {
  if (reasons.length !== 1 || typeof reasons[0] !== 'string') return JSON.stringify(reasons);
  const code = reasons[0];
  let json = ONE_REASON_JSON.get(code);
  if (json === undefined) {
    json = JSON.stringify(reasons);
    if (ONE_REASON_JSON.size < MAX_CACHED_REASONS) ONE_REASON_JSON.set(code, json);
  }
  return json;
}

export class SqliteRiskDecisionStore {
  private readonly conn: SqliteConnection;
  /** Upserts by row count (index = rows), prepared on first use. */
  private readonly upserts: Database.Statement[] = [];
  private readonly selectByCorrelation: Database.Statement;
  private readonly recordTx: Database.Transaction<(correlationId: string, decisions: readonly RiskDecision[]) => void>;

  constructor(conn: SqliteConnection) {
    this.conn = conn;
    const db = conn.db;
    this.selectByCorrelation = db.prepare('SELECT decision_json FROM risk_decisions WHERE correlation_id = ? ORDER BY id').pluck();
    this.recordTx = db.transaction((correlationId: string, decisions: readonly RiskDecision[]) => this.insert(correlationId, decisions));
  }

  /** Stores a cycle's decisions atomically: one statement when they fit in one, else one transaction. */
  record(correlationId: string, decisions: readonly RiskDecision[]): void {
    if (decisions.length === 0) return;
    const what = `record ${decisions.length} risk decisions for ${correlationId}`;
    if (decisions.length <= MAX_ROWS_PER_INSERT) this.conn.write(what, () => this.insert(correlationId, decisions));
    else this.conn.write(what, () => this.recordTx.immediate(correlationId, decisions));
  }

  /** A run's decisions in the order they were first recorded (run id = correlation id). */
  listByRun(runId: string): RiskDecision[] {
    return this.conn.read(`list risk decisions of ${runId}`, () =>
      (this.selectByCorrelation.all(runId) as string[]).map((json) => JSON.parse(json) as RiskDecision),
    );
  }

  /** Upserts the decisions in order, MAX_ROWS_PER_INSERT rows per statement. */
  private insert(correlationId: string, decisions: readonly RiskDecision[]): void {
    const now = this.conn.nowIso();
    for (let from = 0; from < decisions.length; from += MAX_ROWS_PER_INSERT) {
      const rows = Math.min(MAX_ROWS_PER_INSERT, decisions.length - from);
      const params: unknown[] = new Array(rows * COLUMNS_PER_ROW);
      for (let r = 0, p = 0; r < rows; r++) {
        const d = decisions[from + r]!;
        params[p++] = correlationId;
        params[p++] = d.signalId;
        params[p++] = d.symbol;
        params[p++] = d.ts;
        params[p++] = d.allowed ? 1 : 0;
        params[p++] = reasonsJson(d.reasons);
        params[p++] = d.policyVersion;
        params[p++] = JSON.stringify(d);
        params[p++] = now;
      }
      this.upsert(rows).run(params);
    }
  }

  private upsert(rows: number): Database.Statement {
    return (this.upserts[rows] ??= this.conn.db.prepare(upsertSql(rows)));
  }
}
