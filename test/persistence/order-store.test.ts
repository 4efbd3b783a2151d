import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecutionReport, OrderIntent } from '../../src/domain/order.ts';
import { expectCode, openTempDatabase } from './temp-database.ts';

function intent(n: number, overrides: Partial<OrderIntent> = {}): OrderIntent {
  return {
    clientOrderId: `co-${n}`,
    idempotencyKey: `idem-${n}`,
    correlationId: 'run-1',
    signalId: `sig-${n}`,
    symbol: 'AAPL',
    side: 'buy',
    qty: 10 * n,
    orderType: 'limit',
    limitPrice: 187.5,
    timeInForce: 'day',
    ts: 1_735_700_000_000 + n,
    ...overrides,
  };
}

function report(clientOrderId: string, status: ExecutionReport['status'], filledQty = 0): ExecutionReport {
  return {
    orderId: `brk-${clientOrderId}`,
    clientOrderId,
    symbol: 'AAPL',
    side: 'buy',
    status,
    qty: 10,
    filledQty,
    fills: filledQty ? [{ fillId: `f-${clientOrderId}`, clientOrderId, symbol: 'AAPL', side: 'buy', qty: filledQty, price: 187.4, commission: 1, ts: 1 }] : [],
    avgPrice: filledQty ? 187.4 : undefined,
    fees: filledQty ? 1 : 0,
    slippage: 0,
    ts: 1_735_700_001_000,
  };
}

test('an intent is stored pending; the same idempotency key returns the record on file', (t) => {
  const temp = openTempDatabase(t);
  const first = temp.db.orders.insertIntent(intent(1));
  assert.deepEqual(first, { inserted: true, record: { intent: intent(1), status: 'pending', brokerOrderId: null, lastReport: null, auditRef: null } });

  const again = temp.reopen().orders.insertIntent(intent(1));
  assert.deepEqual(again, { inserted: false, record: first.record });
  // Same key, different order: the store hands back what is on file; EXEC decides it is a conflict.
  const conflicting = temp.db.orders.insertIntent(intent(1, { clientOrderId: 'co-other', qty: 999 }));
  assert.equal(conflicting.inserted, false);
  assert.deepEqual(conflicting.record.intent, intent(1));
  assert.equal(temp.db.orders.listAll().length, 1);
});

test('a client order id reused under another idempotency key is refused', (t) => {
  const { db } = openTempDatabase(t);
  db.orders.insertIntent(intent(1));
  expectCode(() => db.orders.insertIntent(intent(2, { clientOrderId: 'co-1' })), 'E_DB_CONSTRAINT');
  assert.equal(db.orders.listAll().length, 1);
});

test('broker answers and audit refs are recorded; open orders exclude final ones', (t) => {
  const temp = openTempDatabase(t);
  const { orders } = temp.db;
  for (let i = 1; i <= 4; i++) orders.insertIntent(intent(i));
  orders.recordReport('co-1', report('co-1', 'filled', 10));
  orders.recordReport('co-2', report('co-2', 'submitted'));
  orders.recordReport('co-3', report('co-3', 'rejected'));
  orders.setAuditRef('co-1', 42);

  const reopened = temp.reopen().orders;
  const co1 = reopened.findByClientOrderId('co-1');
  assert.equal(co1?.status, 'filled');
  assert.equal(co1?.brokerOrderId, 'brk-co-1');
  assert.deepEqual(co1?.lastReport, JSON.parse(JSON.stringify(report('co-1', 'filled', 10))));
  assert.equal(co1?.auditRef, 42);
  assert.deepEqual(reopened.findByIdempotencyKey('idem-1'), co1);
  assert.deepEqual(reopened.listOpen().map((o) => [o.intent.clientOrderId, o.status]), [['co-2', 'submitted'], ['co-4', 'pending']]);
  assert.deepEqual(reopened.listAll().map((o) => o.intent.clientOrderId), ['co-1', 'co-2', 'co-3', 'co-4']);
  assert.equal(reopened.findByClientOrderId('nope'), undefined);
  assert.equal(reopened.findByIdempotencyKey('nope'), undefined);
});

test('answers for an order that was never stored are refused', (t) => {
  const { db } = openTempDatabase(t);
  expectCode(() => db.orders.recordReport('ghost', report('ghost', 'filled', 1)), 'E_DB_CONSTRAINT');
  expectCode(() => db.orders.setAuditRef('ghost', 1), 'E_DB_CONSTRAINT');
});
