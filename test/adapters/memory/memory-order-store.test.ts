import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecutionReport, OrderIntent } from '../../../src/domain/order.ts';
import { OrdinisError } from '../../../src/errors.ts';
import { MemoryOrderStore } from '../../../src/adapters/memory/memory-order-store.ts';
import { T0 } from '../../stages/exec/support.ts';

function intent(i: number, extra: Partial<OrderIntent> = {}): OrderIntent {
  return { clientOrderId: `c${i}`, idempotencyKey: `k${i}`, correlationId: 'x', signalId: `s${i}`, symbol: 'X', side: 'buy', qty: 1, orderType: 'market', timeInForce: 'gtc', ts: T0, ...extra };
}

function report(id: string, status: ExecutionReport['status']): ExecutionReport {
  return { orderId: `b-${id}`, clientOrderId: id, symbol: 'X', side: 'buy', status, qty: 1, filledQty: status === 'filled' ? 1 : 0, fills: [], fees: 0, slippage: 0, ts: T0 };
}

test('an intent is inserted once per idempotency key; a second insert returns the record on file', () => {
  const s = new MemoryOrderStore();
  const a = s.insertIntent(intent(1));
  assert.equal(a.inserted, true);
  assert.equal(a.record.status, 'pending');
  const b = s.insertIntent(intent(1));
  assert.equal(b.inserted, false);
  assert.equal(b.record.intent.clientOrderId, 'c1');
  assert.equal(s.listAll().length, 1);
});

test('a client order id reused under another key is a constraint violation', () => {
  const s = new MemoryOrderStore();
  s.insertIntent(intent(1));
  assert.throws(() => s.insertIntent(intent(2, { clientOrderId: 'c1' })), (e: unknown) => e instanceof OrdinisError && e.code === 'E_DB_CONSTRAINT');
});

test('open orders are pending or working ones, in insertion order; final answers close them', () => {
  const s = new MemoryOrderStore();
  for (let i = 1; i <= 3; i++) s.insertIntent(intent(i));
  s.recordReport('c2', report('c2', 'submitted'));
  s.recordReport('c1', report('c1', 'filled'));
  assert.deepEqual(s.listOpen().map((r) => r.intent.clientOrderId), ['c2', 'c3']);
  s.recordReport('c2', report('c2', 'rejected'));
  assert.deepEqual(s.listOpen().map((r) => r.intent.clientOrderId), ['c3']);
  const c1 = s.findByClientOrderId('c1')!;
  assert.equal(c1.status, 'filled');
  assert.equal(c1.brokerOrderId, 'b-c1');
  s.setAuditRef('c1', 7);
  assert.equal(s.findByIdempotencyKey('k1')!.auditRef, 7);
  assert.throws(() => s.recordReport('nope', report('nope', 'filled')), (e: unknown) => e instanceof OrdinisError && e.code === 'E_DB_CONSTRAINT');
});

test('records are copies', () => {
  const s = new MemoryOrderStore();
  const r = s.insertIntent(intent(1)).record;
  r.status = 'filled';
  r.intent.qty = 99;
  assert.equal(s.findByClientOrderId('c1')!.status, 'pending');
  assert.equal(s.findByClientOrderId('c1')!.intent.qty, 1);
});

test('listed records and their reports are copies: neither a caller nor the reporter can change the store', () => {
  const s = new MemoryOrderStore();
  s.insertIntent(intent(1));
  const rep: ExecutionReport = { ...report('c1', 'partial_fill'), fills: [{ fillId: 'f1', clientOrderId: 'c1', symbol: 'X', side: 'buy', qty: 1, price: 5, commission: 0, ts: T0 }], avgPrice: 5 };
  s.recordReport('c1', rep);
  rep.fills[0]!.qty = 7;
  rep.status = 'filled';
  const [open] = s.listOpen();
  assert.deepEqual(open!.lastReport, { ...report('c1', 'partial_fill'), fills: [{ fillId: 'f1', clientOrderId: 'c1', symbol: 'X', side: 'buy', qty: 1, price: 5, commission: 0, ts: T0 }], avgPrice: 5 });
  assert.deepEqual(Object.keys(open!.lastReport!), Object.keys(rep));
  open!.lastReport!.fills[0]!.price = 0;
  open!.lastReport!.fills.push(open!.lastReport!.fills[0]!);
  open!.intent.symbol = 'Y';
  const [all] = s.listAll();
  assert.equal(all!.lastReport!.fills.length, 1);
  assert.equal(all!.lastReport!.fills[0]!.price, 5);
  assert.equal(all!.intent.symbol, 'X');
});
