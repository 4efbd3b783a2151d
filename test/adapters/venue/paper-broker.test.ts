import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderIntent } from '../../../src/domain/order.ts';
import { OrdinisError } from '../../../src/errors.ts';
import { PaperBroker } from '../../../src/adapters/venue/paper-broker.ts';
import { DAY, T0, bar } from '../../stages/exec/support.ts';

let n = 0;
function intent(symbol: string, side: 'buy' | 'sell', qty: number, ts: number, extra: Partial<OrderIntent> = {}): OrderIntent {
  n += 1;
  return { clientOrderId: `cid-${n}`, idempotencyKey: `key-${n}`, correlationId: 'c', signalId: `s-${n}`, symbol, side, qty, orderType: 'market', timeInForce: 'gtc', ts, ...extra };
}

test('defaults: 100000 cash, next-open fills, no commission', () => {
  const b = new PaperBroker();
  assert.equal(b.fetchAccount().cash, 100000);
  assert.equal(b.fillTiming, 'next_open');
  assert.deepEqual(b.commission, { kind: 'none' });
});

test('a market order decided on bar t fills at the open of bar t+1, not on bar t', () => {
  const b = new PaperBroker({ startingCash: 1000 });
  b.onBar(bar('X', T0, 10, 11));
  const r = b.submit(intent('X', 'buy', 10, T0));
  assert.equal(r.status, 'submitted');
  assert.equal(r.orderId, 'paper-1');
  b.onBar(bar('X', T0, 10, 11)); // the same bar again: no fill
  assert.equal(b.fetchOrder(r.clientOrderId)?.status, 'submitted');
  b.onBar(bar('Y', T0 + DAY, 50, 50)); // another symbol's bar: no fill
  assert.equal(b.fetchOrder(r.clientOrderId)?.status, 'submitted');
  assert.equal(b.fetchOpenOrders().length, 1);
  b.onBar(bar('X', T0 + DAY, 12, 13));
  const f = b.fetchOrder(r.clientOrderId)!;
  assert.equal(f.status, 'filled');
  assert.equal(f.avgPrice, 12);
  assert.equal(f.filledQty, 10);
  assert.deepEqual(f.fills, [{ fillId: 'paper-1-1', clientOrderId: r.clientOrderId, symbol: 'X', side: 'buy', qty: 10, price: 12, commission: 0, ts: T0 + DAY }]);
  assert.equal(b.fetchAccount().cash, 1000 - 10 * 12);
  assert.equal(b.fetchAccount().positions.get('X'), 10);
  assert.equal(b.fetchOpenOrders().length, 0);
});

test("fill timing 'close' fills at submission at the decision bar's close", () => {
  const b = new PaperBroker({ startingCash: 1000, fillTiming: 'close' });
  b.onBar(bar('X', T0, 10, 11));
  const r = b.submit(intent('X', 'buy', 10, T0));
  assert.equal(r.status, 'filled');
  assert.equal(r.avgPrice, 11);
  assert.equal(r.fills[0].ts, T0);
  assert.equal(b.fetchAccount().cash, 1000 - 110);
  const none = new PaperBroker({ fillTiming: 'close' }).submit(intent('Z', 'buy', 1, T0));
  assert.equal(none.status, 'rejected');
  assert.match(none.rejectReason!, /no bar/);
});

test('cash check at the fill: a buy costing more than cash (commission included) is rejected', () => {
  const b = new PaperBroker({ startingCash: 1000, commission: { kind: 'fixed', perFill: 1 } });
  b.onBar(bar('X', T0, 10, 10));
  const ok = b.submit(intent('X', 'buy', 99, T0)); // 990 + 1 <= 1000
  const tooMuch = b.submit(intent('X', 'buy', 1, T0)); // 10 + 1 > 9 left
  b.onBar(bar('X', T0 + DAY, 10, 10));
  assert.equal(b.fetchOrder(ok.clientOrderId)!.status, 'filled');
  const rej = b.fetchOrder(tooMuch.clientOrderId)!;
  assert.equal(rej.status, 'rejected');
  assert.match(rej.rejectReason!, /insufficient cash/);
  assert.equal(b.fetchAccount().cash, 1000 - 990 - 1);
  assert.equal(b.fetchAccount().positions.get('X'), 99);
});

test('exactly enough cash fills (cash may reach zero, not below)', () => {
  const b = new PaperBroker({ startingCash: 100 });
  b.onBar(bar('X', T0, 10, 10));
  const r = b.submit(intent('X', 'buy', 10, T0));
  b.onBar(bar('X', T0 + DAY, 10, 10));
  assert.equal(b.fetchOrder(r.clientOrderId)!.status, 'filled');
  assert.equal(b.fetchAccount().cash, 0);
});

test('orders fill in submission order: a sale earlier in the queue funds a later buy', () => {
  const b = new PaperBroker({ startingCash: 100 });
  b.onBars([bar('A', T0, 10, 10), bar('B', T0, 10, 10)]);
  const buyA = b.submit(intent('A', 'buy', 10, T0));
  b.onBars([bar('A', T0 + DAY, 10, 10), bar('B', T0 + DAY, 10, 10)]);
  assert.equal(b.fetchOrder(buyA.clientOrderId)!.status, 'filled');
  const sellA = b.submit(intent('A', 'sell', 10, T0 + DAY));
  const buyB = b.submit(intent('B', 'buy', 10, T0 + DAY));
  // Both bars arrive together: the sale (submitted first) fills first and funds the buy.
  b.onBars([bar('B', T0 + 2 * DAY, 10, 10), bar('A', T0 + 2 * DAY, 10, 10)]);
  assert.equal(b.fetchOrder(sellA.clientOrderId)!.status, 'filled');
  assert.equal(b.fetchOrder(buyB.clientOrderId)!.status, 'filled');
  assert.equal(b.fetchAccount().positions.get('B'), 10);
});

test('sells use backtrader cash arithmetic: cash += qty*avg + qty*(price-avg), then -= commission', () => {
  const b = new PaperBroker({ startingCash: 10000, commission: { kind: 'percent', percent: 0.1 } });
  b.onBar(bar('X', T0, 2.518518, 2.6));
  b.submit(intent('X', 'buy', 10, T0));
  b.onBar(bar('X', T0 + DAY, 2.518518, 2.7));
  b.submit(intent('X', 'buy', 5, T0 + DAY));
  b.onBar(bar('X', T0 + 2 * DAY, 3.1, 2.9));
  const avg = (2.518518 * 10 + 5 * 3.1) / 15;
  assert.equal(b.averagePrice('X'), avg);
  const s = b.submit(intent('X', 'sell', 15, T0 + 2 * DAY));
  const before = b.fetchAccount().cash;
  b.onBar(bar('X', T0 + 3 * DAY, 2.814815, 2.8));
  let expected = before;
  expected += 15 * avg + 15 * (2.814815 - avg);
  expected -= 15 * (0.1 / 100) * 2.814815;
  assert.equal(b.fetchAccount().cash, expected);
  assert.equal(b.fetchOrder(s.clientOrderId)!.fees, 15 * (0.1 / 100) * 2.814815);
  assert.equal(b.fetchAccount().positions.has('X'), false);
  assert.equal(b.averagePrice('X'), 0);
});

test('a sale larger than the position is rejected (no short selling)', () => {
  const b = new PaperBroker();
  b.onBar(bar('X', T0, 10, 10));
  const r = b.submit(intent('X', 'sell', 1, T0));
  b.onBar(bar('X', T0 + DAY, 10, 10));
  assert.equal(b.fetchOrder(r.clientOrderId)!.status, 'rejected');
  assert.match(b.fetchOrder(r.clientOrderId)!.rejectReason!, /short selling/);
});

test('slippage applies at the fill: buys pay up, sells receive down', () => {
  const b = new PaperBroker({ startingCash: 10000, slippageBps: 10 });
  b.onBar(bar('X', T0, 100, 100));
  const buy = b.submit(intent('X', 'buy', 10, T0));
  b.onBar(bar('X', T0 + DAY, 100, 100, { high: 110, low: 90 }));
  const f = b.fetchOrder(buy.clientOrderId)!;
  assert.equal(f.avgPrice, 100 * (1 + 0.001));
  assert.ok(Math.abs(f.slippage - 1) < 1e-9);
  const sell = b.submit(intent('X', 'sell', 10, T0 + DAY));
  b.onBar(bar('X', T0 + 2 * DAY, 100, 100, { high: 110, low: 90 }));
  assert.equal(b.fetchOrder(sell.clientOrderId)!.avgPrice, 100 * (1 - 0.001));
});

test('a duplicate submit returns the same broker order; a different order under the same key conflicts', () => {
  const b = new PaperBroker();
  b.onBar(bar('X', T0, 10, 10));
  const i = intent('X', 'buy', 10, T0);
  const first = b.submit(i);
  const again = b.submit({ ...i });
  assert.equal(again.orderId, first.orderId);
  assert.equal(b.fetchOpenOrders().length, 1);
  assert.throws(
    () => b.submit({ ...i, qty: 11 }),
    (e: unknown) => e instanceof OrdinisError && e.code === 'E_EXEC_IDEMPOTENCY_CONFLICT' && /qty differs/.test(e.message),
  );
  assert.throws(() => b.submit({ ...i, idempotencyKey: 'other-key' }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_EXEC_IDEMPOTENCY_CONFLICT');
  // After the fill, a duplicate still answers with the (now filled) order.
  b.onBar(bar('X', T0 + DAY, 10, 10));
  assert.equal(b.submit({ ...i }).status, 'filled');
  assert.equal(b.fetchAccount().positions.get('X'), 10);
});

test('invalid and limit orders are rejected at submission; cancel removes a working order', () => {
  const b = new PaperBroker();
  assert.equal(b.submit(intent('X', 'buy', 0, T0)).status, 'rejected');
  assert.match(b.submit(intent('X', 'buy', 1, T0, { orderType: 'limit', limitPrice: 9 })).rejectReason!, /market only/);
  const w = b.submit(intent('X', 'buy', 1, T0));
  assert.equal(b.cancel(w.clientOrderId).status, 'canceled');
  b.onBar(bar('X', T0 + DAY, 10, 10));
  assert.equal(b.fetchOrder(w.clientOrderId)!.status, 'canceled');
  assert.throws(() => b.cancel('nope'), (e: unknown) => e instanceof OrdinisError && e.code === 'E_EXEC_ORDER_UNKNOWN');
  assert.equal(b.fetchOrder('nope'), undefined);
});

test('reports are copies: mutating one does not change the broker', () => {
  const b = new PaperBroker();
  const r = b.submit(intent('X', 'buy', 1, T0));
  r.status = 'filled';
  assert.equal(b.fetchOrder(r.clientOrderId)!.status, 'submitted');
});

test('invalid broker options are configuration errors', () => {
  assert.throws(() => new PaperBroker({ startingCash: -1 }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID');
  assert.throws(() => new PaperBroker({ slippageBps: -1 }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID');
  assert.throws(() => new PaperBroker({ fillTiming: 'open' as never }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID');
});

test("fills follow submission order even when ING delivers a step's bars one by one in another order", () => {
  const b = new PaperBroker({ startingCash: 100 });
  b.onBars([bar('A', T0, 10, 10), bar('B', T0, 10, 10)]);
  const buyA = b.submit(intent('A', 'buy', 10, T0));
  b.onBar(bar('A', T0 + DAY, 10, 10));
  b.onBar(bar('B', T0 + DAY, 10, 10));
  assert.equal(b.fetchOrder(buyA.clientOrderId)!.status, 'filled');
  const sellA = b.submit(intent('A', 'sell', 10, T0 + DAY));
  const buyB = b.submit(intent('B', 'buy', 10, T0 + DAY));
  b.onBar(bar('B', T0 + 2 * DAY, 10, 10)); // B's bar first
  b.onBar(bar('A', T0 + 2 * DAY, 10, 10));
  assert.equal(b.fetchAccount().cash, 0, 'the sale was applied before the buy');
  assert.equal(b.fetchOrder(sellA.clientOrderId)!.status, 'filled');
  assert.equal(b.fetchOrder(buyB.clientOrderId)!.status, 'filled');
});

test('several time steps delivered before a look are applied oldest first', () => {
  const b = new PaperBroker({ startingCash: 1000 });
  b.onBar(bar('X', T0, 10, 10));
  const buy = b.submit(intent('X', 'buy', 10, T0));
  b.onBar(bar('X', T0 + 2 * DAY, 30, 30));
  b.onBar(bar('X', T0 + DAY, 20, 20));
  assert.equal(b.fetchOrder(buy.clientOrderId)!.avgPrice, 20);
});
