// The pure translations between Alpaca's JSON and our domain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderIntent } from '../../../../src/domain/order.ts';
import { isOrdinisError } from '../../../../src/errors.ts';
import { barOf, orderRequestOf, positionsOf, reportOf, sameOrder, statusOf, type AlpacaFillActivity, type AlpacaOrder } from '../../../../src/adapters/venue/alpaca/alpaca-wire.ts';
import { restFailure, retryAfterMsOf } from '../../../../src/adapters/venue/alpaca/alpaca-rest.ts';

const intent: OrderIntent = { clientOrderId: 'cid-1', idempotencyKey: 'k', correlationId: 'c', signalId: 's', symbol: 'AAPL', side: 'sell', qty: 3, orderType: 'stop_limit', limitPrice: 99.5, stopPrice: 100, timeInForce: 'gtc', ts: 0 };

function order(over: Partial<AlpacaOrder> = {}): AlpacaOrder {
  return { id: 'o1', client_order_id: 'cid-1', created_at: '2026-01-05T14:30:00Z', symbol: 'AAPL', qty: '3', filled_qty: '0', filled_avg_price: null, type: 'stop_limit', side: 'sell', time_in_force: 'gtc', limit_price: '99.5', stop_price: '100', status: 'new', ...over };
}

function activity(id: string, qty: string, price: string, time: string, orderId = 'o1'): AlpacaFillActivity {
  return { id, activity_type: 'FILL', transaction_time: time, type: 'partial_fill', price, qty, side: 'sell', symbol: 'AAPL', leaves_qty: '0', order_id: orderId, cum_qty: qty };
}

test('an intent becomes the POST /v2/orders body: decimal strings, our client order id, Alpaca\'s type names', () => {
  assert.deepEqual(orderRequestOf(intent), { symbol: 'AAPL', qty: '3', side: 'sell', type: 'stop_limit', time_in_force: 'gtc', client_order_id: 'cid-1', limit_price: '99.5', stop_price: '100' });
  const trail = orderRequestOf({ ...intent, orderType: 'stop_trail', limitPrice: undefined, stopPrice: 101, trailPercent: 0.02 } as OrderIntent);
  assert.equal(trail.type, 'trailing_stop');
  assert.equal(trail.trail_percent, '2');
  assert.equal(trail.stop_price, undefined);
});

test('sameOrder: the order on file under the id is this intent only with the same symbol, side, size and prices', () => {
  assert.equal(sameOrder(order(), intent), true);
  assert.equal(sameOrder(order({ qty: '4' }), intent), false);
  assert.equal(sameOrder(order({ limit_price: '99.50' }), intent), true);
  assert.equal(sameOrder(order({ limit_price: '98' }), intent), false);
  assert.equal(sameOrder(order({ side: 'buy' }), intent), false);
});

test('statuses: working states are submitted (partial once something filled), ended ones canceled or rejected', () => {
  assert.equal(statusOf({ status: 'accepted', filled_qty: '0' }), 'submitted');
  assert.equal(statusOf({ status: 'pending_cancel', filled_qty: '1' }), 'partial_fill');
  assert.equal(statusOf({ status: 'expired', filled_qty: '1' }), 'canceled');
  assert.equal(statusOf({ status: 'rejected', filled_qty: '0' }), 'rejected');
  assert.equal(statusOf({ status: 'filled', filled_qty: '3' }), 'filled');
});

test('a report carries the order\'s own fills, oldest first, commission-free', () => {
  const r = reportOf(order({ status: 'filled', filled_qty: '3', filled_avg_price: '99.8' }), [
    activity('f2', '1', '99.5', '2026-01-05T14:32:00Z'),
    activity('x', '9', '1', '2026-01-05T14:31:00Z', 'other-order'),
    activity('f1', '2', '100', '2026-01-05T14:31:00Z'),
  ]);
  assert.equal(r.status, 'filled');
  assert.deepEqual(r.fills.map((f) => [f.fillId, f.qty, f.price, f.commission]), [['f1', 2, 100, 0], ['f2', 1, 99.5, 0]]);
  assert.equal(r.filledQty, 3);
  assert.equal(r.avgPrice, 99.8);
});

test('an order whose fills are not all listed yet stays working: no final report with a fill missing', () => {
  const r = reportOf(order({ status: 'filled', filled_qty: '3', filled_avg_price: '100' }), [activity('f1', '2', '100', '2026-01-05T14:31:00Z')]);
  assert.equal(r.status, 'partial_fill');
  assert.equal(r.filledQty, 2);
  assert.equal(reportOf(order({ status: 'filled', filled_qty: '3' }), []).status, 'submitted');
});

test('positions are signed (short negative), flat ones dropped; a bar is stamped with its close (Alpaca\'s t is its start)', () => {
  assert.deepEqual([...positionsOf([{ symbol: 'A', qty: '-5', side: 'short', avg_entry_price: '1' }, { symbol: 'B', qty: '0', side: 'long', avg_entry_price: '0' }, { symbol: 'C', qty: '2', side: 'long', avg_entry_price: '3' }])], [['A', -5], ['C', 2]]);
  assert.deepEqual(barOf('AAPL', { o: 1, h: 2, l: 0.5, c: 1.5, v: 10, t: '2026-01-05T14:31:00Z' }), { symbol: 'AAPL', ts: Date.UTC(2026, 0, 5, 14, 32), open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 });
});

test('malformed numbers and times from the broker are errors, never NaN in the books', () => {
  assert.throws(() => reportOf(order({ filled_qty: 'abc' }), []), (e) => isOrdinisError(e) && e.code === 'E_EXEC_BROKER_UNAVAILABLE');
  assert.throws(() => barOf('A', { o: 1, h: 1, l: 1, c: 1, v: 1, t: 'yesterday' }), (e) => isOrdinisError(e));
});

test('HTTP failures map to codes: 429 with Retry-After seconds, 5xx retryable, 401 auth, 403/422 rejected', () => {
  const f = (status: number, retryAfter: string | null = null) => restFailure({ status, body: '{"code":1,"message":"m"}', retryAfter, what: 'GET /x', downCode: 'E_EXEC_BROKER_UNAVAILABLE' });
  assert.equal(f(429, '2').retryAfterMs, 2000);
  assert.equal(f(429).retryAfterMs, undefined);
  assert.equal(f(429).code, 'E_EXEC_RATE_LIMITED');
  assert.deepEqual([f(500).code, f(500).retryable], ['E_EXEC_BROKER_UNAVAILABLE', true]);
  assert.equal(f(401).code, 'E_EXEC_BROKER_AUTH');
  assert.deepEqual([f(403).code, f(422).code, f(403).retryable], ['E_EXEC_BROKER_REJECTED', 'E_EXEC_BROKER_REJECTED', false]);
  assert.equal(retryAfterMsOf('Wed, 21 Oct 2015 07:28:00 GMT'), undefined);
  assert.equal(retryAfterMsOf(' 1.5 '), 1500);
});
