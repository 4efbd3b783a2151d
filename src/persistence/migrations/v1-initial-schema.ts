// Version 1: every table the design names (SYSTEM.md, Persistence), plus the audit chain's
// head and anchor rows. Append-only and immutability rules are triggers, so they hold for any
// writer of the file, not only for our stores.

import type Database from 'better-sqlite3';
import { GENESIS_HASH } from '../../governance/audit-chain.ts';
import type { Migration } from '../migrations.ts';

export const v1InitialSchema: Migration = {
  version: 1,
  name: 'initial_schema',
  up(db: Database.Database): void {
    db.exec(`
      -- Orchestrator runs: one row per cycle or backtest. recorded_at is wall-clock time of the
      -- insert (a backtest's started_at is the bar time), and is what retention goes by.
      CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        mode TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('cycle', 'backtest')),
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'degraded', 'failed', 'blocked', 'aborted')),
        error_codes_json TEXT NOT NULL DEFAULT '[]',
        config_snapshot_ref TEXT,
        code_version TEXT NOT NULL,
        commit_hash TEXT NOT NULL,
        parent_run_id TEXT,
        abort_reason TEXT,
        recorded_at TEXT NOT NULL
      );
      CREATE INDEX runs_running ON runs (status) WHERE status = 'running';
      CREATE INDEX runs_parent ON runs (parent_run_id);
      CREATE INDEX runs_recorded_at ON runs (recorded_at);

      CREATE TABLE artifacts (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        schema_version TEXT NOT NULL,
        commit_hash TEXT NOT NULL,
        content_json TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX artifacts_run_kind ON artifacts (run_id, kind);

      -- Written before the run row (the row carries its ref), so no foreign key to runs.
      CREATE TABLE run_config_snapshot (
        run_id TEXT PRIMARY KEY,
        ref TEXT NOT NULL,
        config_json TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX run_config_snapshot_created_at ON run_config_snapshot (created_at);
      CREATE TRIGGER run_config_snapshot_immutable BEFORE UPDATE ON run_config_snapshot
      BEGIN
        SELECT RAISE(ABORT, 'run_config_snapshot rows are immutable');
      END;

      CREATE TABLE kill_switch (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        state TEXT NOT NULL CHECK (state IN ('ACTIVE', 'INACTIVE')),
        reason TEXT,
        activated_at TEXT,
        actor TEXT,
        updated_at TEXT NOT NULL
      );

      -- id gives insertion order; the two unique keys make a replayed submission a no-op.
      CREATE TABLE orders (
        id INTEGER PRIMARY KEY,
        client_order_id TEXT NOT NULL UNIQUE,
        idempotency_key TEXT NOT NULL UNIQUE,
        correlation_id TEXT NOT NULL,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
        qty REAL NOT NULL,
        intent_json TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'submitted', 'partial_fill', 'filled', 'rejected', 'canceled')),
        broker_order_id TEXT,
        last_report_json TEXT,
        audit_ref INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX orders_open ON orders (status) WHERE status NOT IN ('filled', 'rejected', 'canceled');

      CREATE TABLE fills (
        fill_id TEXT PRIMARY KEY,
        client_order_id TEXT NOT NULL,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
        qty REAL NOT NULL,
        price REAL NOT NULL,
        commission REAL NOT NULL,
        ts INTEGER NOT NULL,
        recorded_at TEXT NOT NULL
      );
      CREATE INDEX fills_client_order ON fills (client_order_id);

      CREATE TABLE ledger_entries (
        id INTEGER PRIMARY KEY,
        ts INTEGER NOT NULL,
        correlation_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('cash', 'position', 'fee', 'pnl_realized', 'mtm')),
        symbol TEXT,
        amount REAL NOT NULL,
        price REAL,
        fill_id TEXT,
        memo TEXT NOT NULL,
        recorded_at TEXT NOT NULL
      );
      CREATE INDEX ledger_entries_fill ON ledger_entries (fill_id) WHERE fill_id IS NOT NULL;

      CREATE TABLE positions (
        symbol TEXT PRIMARY KEY,
        qty REAL NOT NULL,
        avg_cost REAL NOT NULL,
        mark REAL NOT NULL,
        realized_pnl REAL NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE risk_decisions (
        id INTEGER PRIMARY KEY,
        correlation_id TEXT NOT NULL,
        signal_id TEXT NOT NULL,
        symbol TEXT NOT NULL,
        ts INTEGER NOT NULL,
        allowed INTEGER NOT NULL CHECK (allowed IN (0, 1)),
        reasons_json TEXT NOT NULL,
        policy_version TEXT NOT NULL,
        decision_json TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        UNIQUE (correlation_id, signal_id)
      );
      CREATE INDEX risk_decisions_recorded_at ON risk_decisions (recorded_at);

      CREATE TABLE dlq (
        id INTEGER PRIMARY KEY,
        ts TEXT NOT NULL,
        subscription TEXT NOT NULL,
        error_code TEXT NOT NULL,
        error_message TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        event_json TEXT NOT NULL,
        recorded_at TEXT NOT NULL
      );
      CREATE INDEX dlq_recorded_at ON dlq (recorded_at);

      -- The audit log: hash_self = H(record_json + hash_prev), seq dense from 1.
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        ts TEXT NOT NULL,
        kind TEXT NOT NULL,
        component TEXT NOT NULL,
        action TEXT NOT NULL,
        actor TEXT NOT NULL,
        correlation_id TEXT,
        policy_version TEXT NOT NULL,
        decision TEXT NOT NULL,
        subject_ref TEXT,
        payload_json TEXT NOT NULL,
        hash_prev TEXT NOT NULL,
        hash_self TEXT NOT NULL
      );
      CREATE INDEX audit_log_subject ON audit_log (subject_ref) WHERE subject_ref IS NOT NULL;
      CREATE INDEX audit_log_ts ON audit_log (ts);

      -- The last record written. Deleting the tail of audit_log leaves the head pointing past
      -- the end, which is how verification tells truncation from a short log.
      CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
      );
      -- The last record removed by retention: the remaining chain must start right after it.
      CREATE TABLE audit_anchor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        purged_at TEXT
      );
      INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}');
      INSERT INTO audit_anchor (id, seq, hash, purged_at) VALUES (1, 0, '${GENESIS_HASH}', NULL);

      CREATE TRIGGER audit_log_append_extends_head BEFORE INSERT ON audit_log
      WHEN NEW.seq <> (SELECT seq FROM audit_head WHERE id = 1) + 1
        OR NEW.hash_prev <> (SELECT hash FROM audit_head WHERE id = 1)
      BEGIN
        SELECT RAISE(ABORT, 'audit_log: an append must extend the chain head');
      END;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only');
      END;
      -- The one way to delete: retention first moves the anchor over the rows it removes.
      CREATE TRIGGER audit_log_delete_only_below_anchor BEFORE DELETE ON audit_log
      WHEN OLD.seq > (SELECT seq FROM audit_anchor WHERE id = 1)
      BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only (only records covered by the retention anchor may be deleted)');
      END;
      CREATE TRIGGER audit_head_moves_by_one BEFORE UPDATE ON audit_head
      WHEN NEW.seq <> OLD.seq + 1
      BEGIN
        SELECT RAISE(ABORT, 'audit_head only advances one record at a time');
      END;
      CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
      BEGIN
        SELECT RAISE(ABORT, 'audit_head cannot be deleted');
      END;
      CREATE TRIGGER audit_anchor_moves_forward BEFORE UPDATE ON audit_anchor
      WHEN NEW.seq < OLD.seq OR NEW.seq > (SELECT seq FROM audit_head WHERE id = 1)
      BEGIN
        SELECT RAISE(ABORT, 'audit_anchor only moves forward, and never past the head');
      END;
      CREATE TRIGGER audit_anchor_no_delete BEFORE DELETE ON audit_anchor
      BEGIN
        SELECT RAISE(ABORT, 'audit_anchor cannot be deleted');
      END;
    `);
  },
};
