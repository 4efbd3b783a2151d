// The ledger on SQLite (`fills`, `ledger_entries`, `positions`). A fill, its postings and
// the position it produces commit in one transaction; the fill's primary key makes a replayed
// execution report a no-op rather than a double posting.

import type Database from 'better-sqlite3';
import type { Fill } from '../domain/order.ts';
import type { Position } from '../domain/portfolio.ts';
import type { LedgerEntry, LedgerEntryKind, LedgerStore } from '../stages/port/ledger-store.ts';
import type { SqliteConnection } from './connection.ts';

interface EntryDbRow {
  ts: number;
  correlation_id: string;
  kind: LedgerEntryKind;
  symbol: string | null;
  amount: number;
  price: number | null;
  fill_id: string | null;
  memo: string;
}

interface PositionDbRow {
  symbol: string;
  qty: number;
  avg_cost: number;
  mark: number;
  realized_pnl: number;
}

export class SqliteLedgerStore implements LedgerStore {
  private readonly conn: SqliteConnection;
  private readonly insertFill: Database.Statement;
  private readonly insertEntry: Database.Statement;
  private readonly upsertPosition: Database.Statement;
  private readonly selectFill: Database.Statement;
  private readonly selectEntries: Database.Statement;
  private readonly selectPositions: Database.Statement;
  private readonly commitTx: Database.Transaction<(fill: Fill, entries: LedgerEntry[], position: Position) => boolean>;
  private readonly appendTx: Database.Transaction<(entries: LedgerEntry[]) => void>;

  constructor(conn: SqliteConnection) {
    this.conn = conn;
    const db = conn.db;
    this.insertFill = db.prepare(
      `INSERT INTO fills (fill_id, client_order_id, symbol, side, qty, price, commission, ts, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fill_id) DO NOTHING`,
    );
    this.insertEntry = db.prepare(
      `INSERT INTO ledger_entries (ts, correlation_id, kind, symbol, amount, price, fill_id, memo, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.upsertPosition = db.prepare(
      `INSERT INTO positions (symbol, qty, avg_cost, mark, realized_pnl, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (symbol) DO UPDATE SET qty = excluded.qty, avg_cost = excluded.avg_cost, mark = excluded.mark,
         realized_pnl = excluded.realized_pnl, updated_at = excluded.updated_at`,
    );
    this.selectFill = db.prepare('SELECT 1 FROM fills WHERE fill_id = ?').pluck();
    this.selectEntries = db.prepare(
      'SELECT ts, correlation_id, kind, symbol, amount, price, fill_id, memo FROM ledger_entries ORDER BY id',
    );
    this.selectPositions = db.prepare('SELECT symbol, qty, avg_cost, mark, realized_pnl FROM positions ORDER BY symbol');

    this.commitTx = db.transaction((fill: Fill, entries: LedgerEntry[], position: Position) => {
      const now = this.conn.nowIso();
      const r = this.insertFill.run(fill.fillId, fill.clientOrderId, fill.symbol, fill.side, fill.qty, fill.price, fill.commission, fill.ts, now);
      if (r.changes === 0) return false;
      for (const e of entries) this.insertEntryRow(e, now);
      this.upsertPosition.run(position.symbol, position.qty, position.avgCost, position.mark, position.realizedPnl, now);
      return true;
    });
    this.appendTx = db.transaction((entries: LedgerEntry[]) => {
      const now = this.conn.nowIso();
      for (const e of entries) this.insertEntryRow(e, now);
    });
  }

  /**
   * Posts the fill, its entries and the resulting position together, or nothing (a NaN
   * amount, say, fails the NOT NULL columns and rolls the whole fill back). Returns false,
   * writing nothing, when the fill was already posted.
   */
  commitFill(fill: Fill, entries: LedgerEntry[], position: Position): boolean {
    return this.conn.write(`commit fill ${fill.fillId}`, () => this.commitTx.immediate(fill, entries, position));
  }

  hasFill(fillId: string): boolean {
    return this.conn.read(`look up fill ${fillId}`, () => this.selectFill.get(fillId) !== undefined);
  }

  appendEntries(entries: LedgerEntry[]): void {
    if (entries.length === 0) return;
    this.conn.write(`append ${entries.length} ledger entries`, () => this.appendTx.immediate(entries));
  }

  loadEntries(): LedgerEntry[] {
    return this.conn.read('load ledger entries', () =>
      (this.selectEntries.all() as EntryDbRow[]).map((r) => ({
        ts: r.ts,
        correlationId: r.correlation_id,
        kind: r.kind,
        symbol: r.symbol,
        amount: r.amount,
        price: r.price,
        fillId: r.fill_id,
        memo: r.memo,
      })),
    );
  }

  loadPositions(): Position[] {
    return this.conn.read('load positions', () =>
      (this.selectPositions.all() as PositionDbRow[]).map((r) => ({
        symbol: r.symbol,
        qty: r.qty,
        avgCost: r.avg_cost,
        mark: r.mark,
        realizedPnl: r.realized_pnl,
      })),
    );
  }

  private insertEntryRow(e: LedgerEntry, now: string): void {
    this.insertEntry.run(e.ts, e.correlationId, e.kind, e.symbol, e.amount, e.price, e.fillId, e.memo, now);
  }
}
