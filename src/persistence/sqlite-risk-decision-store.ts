// RISK's decisions per cycle (`risk_decisions`), kept so every order can be traced back to
// the verdict and reasons that allowed it, and every denial is on record.

import type Database from 'better-sqlite3';
import type { RiskDecision } from '../domain/risk.ts';
import type { SqliteConnection } from './connection.ts';

export class SqliteRiskDecisionStore {
  private readonly conn: SqliteConnection;
  private readonly upsertDecision: Database.Statement;
  private readonly selectByCorrelation: Database.Statement;
  private readonly recordTx: Database.Transaction<(correlationId: string, decisions: readonly RiskDecision[]) => void>;

  constructor(conn: SqliteConnection) {
    this.conn = conn;
    const db = conn.db;
    // A retried RISK stage records the same signals again: the latest verdict is the one
    // the cycle acted on, so it replaces the earlier one.
    this.upsertDecision = db.prepare(
      `INSERT INTO risk_decisions (correlation_id, signal_id, symbol, ts, allowed, reasons_json, policy_version, decision_json, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (correlation_id, signal_id) DO UPDATE SET symbol = excluded.symbol, ts = excluded.ts,
         allowed = excluded.allowed, reasons_json = excluded.reasons_json, policy_version = excluded.policy_version,
         decision_json = excluded.decision_json, recorded_at = excluded.recorded_at`,
    );
    this.selectByCorrelation = db.prepare('SELECT decision_json FROM risk_decisions WHERE correlation_id = ? ORDER BY id').pluck();
    this.recordTx = db.transaction((correlationId: string, decisions: readonly RiskDecision[]) => {
      const now = this.conn.nowIso();
      for (const d of decisions) {
        this.upsertDecision.run(
          correlationId,
          d.signalId,
          d.symbol,
          d.ts,
          d.allowed ? 1 : 0,
          JSON.stringify(d.reasons),
          d.policyVersion,
          JSON.stringify(d),
          now,
        );
      }
    });
  }

  /** Stores a cycle's decisions in one transaction. */
  record(correlationId: string, decisions: readonly RiskDecision[]): void {
    if (decisions.length === 0) return;
    this.conn.write(`record ${decisions.length} risk decisions for ${correlationId}`, () => this.recordTx.immediate(correlationId, decisions));
  }

  /** A run's decisions in the order they were first recorded (run id = correlation id). */
  listByRun(runId: string): RiskDecision[] {
    return this.conn.read(`list risk decisions of ${runId}`, () =>
      (this.selectByCorrelation.all(runId) as string[]).map((json) => JSON.parse(json) as RiskDecision),
    );
  }
}
