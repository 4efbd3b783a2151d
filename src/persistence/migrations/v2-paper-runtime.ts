// Version 2: what the paper runtime needs to survive a restart.
//
// - The simulated venue's own book (`paper_venue_*`): a paper broker must behave like a real
//   one across a crash of our process, so it keeps its accepted orders, fills, cash and
//   positions in tables of its own, written in the same call as each state change. These are
//   the venue's records, deliberately apart from ours (`orders`, `fills`, `ledger_entries`):
//   start-up recovery reconciles the two, exactly as it would against a real broker.
// - `runtime_state`: small keyed values of the runtime itself (the resume cursor, the
//   single-owner lease of a database).

import type Database from 'better-sqlite3';
import type { Migration } from '../migrations.ts';

export const v2PaperRuntime: Migration = {
  version: 2,
  name: 'paper_runtime',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE paper_venue_account (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        cash REAL NOT NULL,
        -- Last order sequence number handed out (venue order ids are paper-<seq>).
        order_seq INTEGER NOT NULL,
        starting_cash REAL NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      -- Every order the venue accepted, once: the client order id and the idempotency key are
      -- unique, as a broker would enforce them.
      CREATE TABLE paper_venue_orders (
        seq INTEGER PRIMARY KEY,
        client_order_id TEXT NOT NULL UNIQUE,
        idempotency_key TEXT NOT NULL UNIQUE,
        venue_order_id TEXT NOT NULL UNIQUE,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
        qty REAL NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('submitted', 'partial_fill', 'filled', 'rejected', 'canceled')),
        resting INTEGER NOT NULL CHECK (resting IN (0, 1)),
        intent_json TEXT NOT NULL,
        report_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX paper_venue_orders_resting ON paper_venue_orders (resting) WHERE resting = 1;
      CREATE TRIGGER paper_venue_orders_identity_fixed BEFORE UPDATE ON paper_venue_orders
      WHEN NEW.client_order_id <> OLD.client_order_id OR NEW.idempotency_key <> OLD.idempotency_key
        OR NEW.venue_order_id <> OLD.venue_order_id OR NEW.symbol <> OLD.symbol OR NEW.side <> OLD.side OR NEW.qty <> OLD.qty
      BEGIN
        SELECT RAISE(ABORT, 'paper_venue_orders: an order''s identity never changes');
      END;

      -- Executions as the venue reports them; immutable once written.
      CREATE TABLE paper_venue_fills (
        fill_id TEXT PRIMARY KEY,
        client_order_id TEXT NOT NULL REFERENCES paper_venue_orders (client_order_id),
        symbol TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
        qty REAL NOT NULL,
        price REAL NOT NULL,
        commission REAL NOT NULL,
        ts INTEGER NOT NULL,
        recorded_at TEXT NOT NULL
      );
      CREATE INDEX paper_venue_fills_order ON paper_venue_fills (client_order_id);
      CREATE TRIGGER paper_venue_fills_no_update BEFORE UPDATE ON paper_venue_fills
      BEGIN
        SELECT RAISE(ABORT, 'paper_venue_fills rows are immutable');
      END;
      CREATE TRIGGER paper_venue_fills_no_delete BEFORE DELETE ON paper_venue_fills
      BEGIN
        SELECT RAISE(ABORT, 'paper_venue_fills rows are immutable');
      END;

      CREATE TABLE paper_venue_positions (
        symbol TEXT PRIMARY KEY,
        qty REAL NOT NULL,
        avg_price REAL NOT NULL,
        updated_at TEXT NOT NULL
      );

      -- The last bar the venue saw per symbol (the price a 'close' fill uses).
      CREATE TABLE paper_venue_marks (
        symbol TEXT PRIMARY KEY,
        ts INTEGER NOT NULL,
        bar_json TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE runtime_state (
        key TEXT PRIMARY KEY,
        value_json TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `);
  },
};
