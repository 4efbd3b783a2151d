// EXEC's OrderStore on SQLite (`orders`). The intent is committed before the broker call and
// the broker's answer after it (two transactions, never one spanning the call), so recovery
// finds every order we may have sent. Unique idempotency_key and client_order_id make a
// replayed insert return the order already on file instead of creating a second one.

import type Database from 'better-sqlite3';
import type { ExecutionReport, OrderIntent } from '../domain/order.ts';
import type { InsertIntentResult, OrderRecord, OrderRecordStatus, OrderStore } from '../stages/exec/order-store.ts';
import { OrdinisError } from '../errors.ts';
import type { SqliteConnection } from './connection.ts';

interface OrderDbRow {
  intent_json: string;
  status: OrderRecordStatus;
  broker_order_id: string | null;
  last_report_json: string | null;
  audit_ref: number | null;
}

const ORDER_COLUMNS = 'intent_json, status, broker_order_id, last_report_json, audit_ref';

/**
 * The working orders, asked for in every paper cycle. The WHERE clause is the partial index
 * `orders_open`'s own, so the index can serve it, and INDEXED BY makes SQLite use it: left
 * to itself the planner scans the whole table in id order to skip a sort, which costs 9 ms
 * a call at 17k orders (a handful of open rows sorted by id costs nothing).
 */
export const SELECT_OPEN_ORDERS_SQL = `SELECT ${ORDER_COLUMNS} FROM orders INDEXED BY orders_open
  WHERE status NOT IN ('filled', 'rejected', 'canceled') ORDER BY id`;

export class SqliteOrderStore implements OrderStore {
  private readonly conn: SqliteConnection;
  private readonly insertOrder: Database.Statement;
  private readonly selectByKey: Database.Statement;
  private readonly selectByClientId: Database.Statement;
  private readonly selectOpen: Database.Statement;
  private readonly selectAll: Database.Statement;
  private readonly updateReport: Database.Statement;
  private readonly updateAuditRef: Database.Statement;
  private readonly insertTx: Database.Transaction<(intent: OrderIntent) => InsertIntentResult>;

  constructor(conn: SqliteConnection) {
    this.conn = conn;
    const db = conn.db;
    this.insertOrder = db.prepare(
      `INSERT INTO orders (client_order_id, idempotency_key, correlation_id, symbol, side, qty, intent_json, status, created_at, updated_at)
       VALUES (@clientOrderId, @idempotencyKey, @correlationId, @symbol, @side, @qty, @intentJson, 'pending', @now, @now)
       ON CONFLICT DO NOTHING`,
    );
    this.selectByKey = db.prepare(`SELECT ${ORDER_COLUMNS} FROM orders WHERE idempotency_key = ?`);
    this.selectByClientId = db.prepare(`SELECT ${ORDER_COLUMNS} FROM orders WHERE client_order_id = ?`);
    this.selectOpen = db.prepare(SELECT_OPEN_ORDERS_SQL);
    this.selectAll = db.prepare(`SELECT ${ORDER_COLUMNS} FROM orders ORDER BY id`);
    this.updateReport = db.prepare(
      `UPDATE orders SET status = ?, broker_order_id = ?, last_report_json = ?, updated_at = ? WHERE client_order_id = ?`,
    );
    this.updateAuditRef = db.prepare('UPDATE orders SET audit_ref = ?, updated_at = ? WHERE client_order_id = ?');

    this.insertTx = db.transaction((intent: OrderIntent): InsertIntentResult => {
      const r = this.insertOrder.run({
        clientOrderId: intent.clientOrderId,
        idempotencyKey: intent.idempotencyKey,
        correlationId: intent.correlationId,
        symbol: intent.symbol,
        side: intent.side,
        qty: intent.qty,
        intentJson: JSON.stringify(intent),
        now: this.conn.nowIso(),
      });
      const existing = this.selectByKey.get(intent.idempotencyKey) as OrderDbRow | undefined;
      if (existing) return { inserted: r.changes === 1, record: toOrderRecord(existing) };
      // Not inserted and no row with this key: the client order id belongs to another key.
      throw new OrdinisError(
        'E_DB_CONSTRAINT',
        `client order id ${intent.clientOrderId} is already used by an order with another idempotency key`,
        { details: { clientOrderId: intent.clientOrderId, idempotencyKey: intent.idempotencyKey } },
      );
    });
  }

  /**
   * Inserts the intent as 'pending', or returns the record already stored under its
   * idempotency key (inserted: false). Comparing the two intents, and raising
   * E_EXEC_IDEMPOTENCY_CONFLICT when they differ, is the caller's job.
   */
  insertIntent(intent: OrderIntent): InsertIntentResult {
    return this.conn.write(`insert order intent ${intent.clientOrderId}`, () => this.insertTx.immediate(intent));
  }

  recordReport(clientOrderId: string, report: ExecutionReport): void {
    this.conn.write(`record ${report.status} report for order ${clientOrderId}`, () => {
      const r = this.updateReport.run(report.status, report.orderId, JSON.stringify(report), this.conn.nowIso(), clientOrderId);
      if (r.changes === 0) throw unknownOrder(clientOrderId);
    });
  }

  setAuditRef(clientOrderId: string, auditRef: number): void {
    this.conn.write(`set audit ref of order ${clientOrderId}`, () => {
      const r = this.updateAuditRef.run(auditRef, this.conn.nowIso(), clientOrderId);
      if (r.changes === 0) throw unknownOrder(clientOrderId);
    });
  }

  /**
   * The audit append (through `appendRecord`, on this same connection: it becomes a
   * savepoint) and the audit_ref update in one IMMEDIATE transaction.
   */
  attachAuditRecord(clientOrderId: string, appendRecord: () => number): number {
    return this.conn.transaction(() => {
      const ref = appendRecord();
      this.setAuditRef(clientOrderId, ref);
      return ref;
    }, `audit order ${clientOrderId}`);
  }

  findByIdempotencyKey(key: string): OrderRecord | undefined {
    return this.conn.read('find order by idempotency key', () => {
      const row = this.selectByKey.get(key) as OrderDbRow | undefined;
      return row ? toOrderRecord(row) : undefined;
    });
  }

  findByClientOrderId(clientOrderId: string): OrderRecord | undefined {
    return this.conn.read(`find order ${clientOrderId}`, () => {
      const row = this.selectByClientId.get(clientOrderId) as OrderDbRow | undefined;
      return row ? toOrderRecord(row) : undefined;
    });
  }

  listOpen(): OrderRecord[] {
    return this.conn.read('list open orders', () => (this.selectOpen.all() as OrderDbRow[]).map(toOrderRecord));
  }

  listAll(): OrderRecord[] {
    return this.conn.read('list orders', () => (this.selectAll.all() as OrderDbRow[]).map(toOrderRecord));
  }
}

function unknownOrder(clientOrderId: string): OrdinisError {
  return new OrdinisError('E_DB_CONSTRAINT', `no order with client order id ${clientOrderId}`, { details: { clientOrderId } });
}

function toOrderRecord(row: OrderDbRow): OrderRecord {
  return {
    intent: JSON.parse(row.intent_json) as OrderIntent,
    status: row.status,
    brokerOrderId: row.broker_order_id,
    lastReport: row.last_report_json === null ? null : (JSON.parse(row.last_report_json) as ExecutionReport),
    auditRef: row.audit_ref,
  };
}
