// listOpen() runs in every paper cycle (EXEC and AUDIT each ask for the working orders). With
// a long history almost every row is final, so the query must walk the partial index
// `orders_open` (only the rows that are not filled/rejected/canceled), never the table.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderIntent } from '../../src/domain/order.ts';
import { SELECT_OPEN_ORDERS_SQL } from '../../src/persistence/sqlite-order-store.ts';
import { openTempDatabase } from './temp-database.ts';

function fillOrders(db: import('better-sqlite3').Database, n: number, open: ReadonlySet<number>): void {
  const insert = db.prepare(
    `INSERT INTO orders (client_order_id, idempotency_key, correlation_id, symbol, side, qty, intent_json, status, created_at, updated_at)
     VALUES (?, ?, 'run-1', 'AAPL', 'buy', 10, ?, ?, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z')`,
  );
  db.transaction(() => {
    for (let i = 1; i <= n; i++) {
      const intent = { clientOrderId: `co-${i}`, idempotencyKey: `idem-${i}` } as Partial<OrderIntent>;
      const status = open.has(i) ? (i % 2 === 0 ? 'submitted' : 'pending') : (['filled', 'rejected', 'canceled'] as const)[i % 3]!;
      insert.run(`co-${i}`, `idem-${i}`, JSON.stringify(intent), status);
    }
  })();
}

function planOf(db: import('better-sqlite3').Database, sql: string): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail);
}

test('listOpen uses the partial index orders_open, not a scan of the orders table', (t) => {
  const { db } = openTempDatabase(t);
  fillOrders(db.handle, 5000, new Set([17, 4000, 4999]));
  const plan = planOf(db.handle, SELECT_OPEN_ORDERS_SQL);
  assert.ok(plan.some((d) => /USING (COVERING )?INDEX orders_open\b/.test(d)), `plan: ${plan.join(' | ')}`);
  assert.ok(!plan.some((d) => /^SCAN orders$/.test(d)), `full table scan in plan: ${plan.join(' | ')}`);
  // Planner statistics (ANALYZE) must not talk it back into a scan.
  db.handle.exec('ANALYZE');
  const analyzed = planOf(db.handle, SELECT_OPEN_ORDERS_SQL);
  assert.ok(analyzed.some((d) => /INDEX orders_open\b/.test(d)), `plan after ANALYZE: ${analyzed.join(' | ')}`);
});

test('listOpen returns exactly the working orders, in insertion order', (t) => {
  const { db } = openTempDatabase(t);
  fillOrders(db.handle, 300, new Set([250, 3, 120]));
  assert.deepEqual(
    db.orders.listOpen().map((r) => [r.intent.clientOrderId, r.status]),
    [
      ['co-3', 'pending'],
      ['co-120', 'submitted'],
      ['co-250', 'submitted'],
    ],
  );
});
