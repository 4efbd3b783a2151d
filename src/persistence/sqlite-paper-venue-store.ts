// The simulated venue's own record on SQLite (`paper_venue_*`, migration v2). The paper
// broker commits each state change here before the call that made it returns, so after a
// crash the venue is rebuilt exactly as it stood at its last answer, like a real broker that
// kept running while we were down. These rows are the venue's, not ours: recovery reads the
// venue through the broker port and reconciles our `orders` and ledger against it.

import type Database from 'better-sqlite3';
import type { Bar } from '../domain/market.ts';
import type { ExecutionReport, Fill, OrderIntent } from '../domain/order.ts';
import type { OrdinisDatabase } from './database.ts';
import type { PaperVenueChange, PaperVenueOrder, PaperVenueState, PaperVenueStore } from '../adapters/venue/paper-broker.ts';
import { SqliteConnection } from './connection.ts';
import { systemClock, type Clock } from '../core/clock.ts';

interface AccountDbRow {
  cash: number;
  order_seq: number;
  starting_cash: number;
  created_at: string;
}

interface OrderDbRow {
  seq: number;
  resting: number;
  intent_json: string;
  report_json: string;
}

interface FillDbRow {
  fill_id: string;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  commission: number;
  ts: number;
}

export interface PaperVenueAccount {
  cash: number;
  seq: number;
  startingCash: number;
  createdAt: string;
}

export class SqlitePaperVenueStore implements PaperVenueStore {
  private readonly conn: SqliteConnection;
  private readonly selectAccount: Database.Statement;
  private readonly insertAccount: Database.Statement;
  private readonly updateAccount: Database.Statement;
  private readonly upsertOrder: Database.Statement;
  private readonly insertFill: Database.Statement;
  private readonly upsertPosition: Database.Statement;
  private readonly upsertMark: Database.Statement;
  private readonly selectOrders: Database.Statement;
  private readonly selectFills: Database.Statement;
  private readonly selectPositions: Database.Statement;
  private readonly selectMarks: Database.Statement;
  private readonly commitTx: Database.Transaction<(change: PaperVenueChange) => void>;

  /** The store on an open database's handle (it shares the handle and its transactions). */
  static on(db: OrdinisDatabase, wallClock: Clock = systemClock): SqlitePaperVenueStore {
    return new SqlitePaperVenueStore(new SqliteConnection(db.handle, db.path, wallClock));
  }

  constructor(conn: SqliteConnection) {
    this.conn = conn;
    const db = conn.db;
    this.selectAccount = db.prepare('SELECT cash, order_seq, starting_cash, created_at FROM paper_venue_account WHERE id = 1');
    this.insertAccount = db.prepare(
      'INSERT INTO paper_venue_account (id, cash, order_seq, starting_cash, created_at, updated_at) VALUES (1, ?, 0, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
    );
    this.updateAccount = db.prepare('UPDATE paper_venue_account SET cash = ?, order_seq = ?, updated_at = ? WHERE id = 1');
    this.upsertOrder = db.prepare(
      `INSERT INTO paper_venue_orders (seq, client_order_id, idempotency_key, venue_order_id, symbol, side, qty, status, resting, intent_json, report_json, created_at, updated_at)
       VALUES (@seq, @clientOrderId, @idempotencyKey, @venueOrderId, @symbol, @side, @qty, @status, @resting, @intentJson, @reportJson, @now, @now)
       ON CONFLICT (seq) DO UPDATE SET status = excluded.status, resting = excluded.resting, report_json = excluded.report_json, updated_at = excluded.updated_at`,
    );
    this.insertFill = db.prepare(
      `INSERT INTO paper_venue_fills (fill_id, client_order_id, symbol, side, qty, price, commission, ts, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fill_id) DO NOTHING`,
    );
    this.upsertPosition = db.prepare(
      `INSERT INTO paper_venue_positions (symbol, qty, avg_price, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (symbol) DO UPDATE SET qty = excluded.qty, avg_price = excluded.avg_price, updated_at = excluded.updated_at`,
    );
    this.upsertMark = db.prepare(
      `INSERT INTO paper_venue_marks (symbol, ts, bar_json, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (symbol) DO UPDATE SET ts = excluded.ts, bar_json = excluded.bar_json, updated_at = excluded.updated_at`,
    );
    this.selectOrders = db.prepare('SELECT seq, resting, intent_json, report_json FROM paper_venue_orders ORDER BY seq');
    this.selectFills = db.prepare(
      `SELECT f.fill_id, f.client_order_id, f.symbol, f.side, f.qty, f.price, f.commission, f.ts
       FROM paper_venue_fills f JOIN paper_venue_orders o ON o.client_order_id = f.client_order_id ORDER BY f.ts, o.seq, f.fill_id`,
    );
    this.selectPositions = db.prepare('SELECT symbol, qty, avg_price FROM paper_venue_positions ORDER BY symbol');
    this.selectMarks = db.prepare('SELECT bar_json FROM paper_venue_marks ORDER BY symbol').pluck();

    this.commitTx = db.transaction((change: PaperVenueChange) => {
      const now = this.conn.nowIso();
      const r = this.updateAccount.run(change.cash, change.seq, now);
      if (r.changes === 0) throw new Error('paper venue account missing: create() the venue before committing to it');
      for (const o of change.orders) {
        this.upsertOrder.run({
          seq: o.seq,
          clientOrderId: o.intent.clientOrderId,
          idempotencyKey: o.intent.idempotencyKey,
          venueOrderId: o.report.orderId,
          symbol: o.intent.symbol,
          side: o.intent.side,
          qty: o.intent.qty,
          status: o.report.status,
          resting: o.resting ? 1 : 0,
          intentJson: JSON.stringify(o.intent),
          reportJson: JSON.stringify(o.report),
          now,
        });
        for (const f of o.report.fills) {
          this.insertFill.run(f.fillId, f.clientOrderId, f.symbol, f.side, f.qty, f.price, f.commission, f.ts, now);
        }
      }
      for (const p of change.positions) this.upsertPosition.run(p.symbol, p.qty, p.avgPrice, now);
      for (const b of change.lastBars) this.upsertMark.run(b.symbol, b.ts, JSON.stringify(b), now);
    });
  }

  /** Opens a new venue account with its starting cash; a no-op when the venue already exists. */
  create(startingCash: number): void {
    this.conn.write('create paper venue account', () => {
      const now = this.conn.nowIso();
      this.insertAccount.run(startingCash, startingCash, now, now);
    });
  }

  account(): PaperVenueAccount | undefined {
    return this.conn.read('read paper venue account', () => {
      const row = this.selectAccount.get() as AccountDbRow | undefined;
      return row ? { cash: row.cash, seq: row.order_seq, startingCash: row.starting_cash, createdAt: row.created_at } : undefined;
    });
  }

  /** The venue as it stood at its last committed change, or undefined when none was ever created. */
  load(): PaperVenueState | undefined {
    return this.conn.read('load paper venue', () => {
      const acc = this.selectAccount.get() as AccountDbRow | undefined;
      if (!acc) return undefined;
      return {
        cash: acc.cash,
        seq: acc.order_seq,
        orders: this.readOrders(),
        positions: (this.selectPositions.all() as { symbol: string; qty: number; avg_price: number }[]).map((p) => ({
          symbol: p.symbol,
          qty: p.qty,
          avgPrice: p.avg_price,
        })),
        lastBars: (this.selectMarks.all() as string[]).map((j) => JSON.parse(j) as Bar),
      };
    });
  }

  commit(change: PaperVenueChange): void {
    this.conn.write(`commit paper venue change (${change.orders.length} orders)`, () => this.commitTx.immediate(change));
  }

  /** Every order the venue accepted, in submission order. */
  listOrders(): PaperVenueOrder[] {
    return this.conn.read('list paper venue orders', () => this.readOrders());
  }

  /** Every fill the venue executed, in execution order. */
  listFills(): Fill[] {
    return this.conn.read('list paper venue fills', () =>
      (this.selectFills.all() as FillDbRow[]).map((f) => ({
        fillId: f.fill_id,
        clientOrderId: f.client_order_id,
        symbol: f.symbol,
        side: f.side,
        qty: f.qty,
        price: f.price,
        commission: f.commission,
        ts: f.ts,
      })),
    );
  }

  private readOrders(): PaperVenueOrder[] {
    return (this.selectOrders.all() as OrderDbRow[]).map((r) => ({
      seq: r.seq,
      intent: JSON.parse(r.intent_json) as OrderIntent,
      report: JSON.parse(r.report_json) as ExecutionReport,
      resting: r.resting === 1,
    }));
  }
}
