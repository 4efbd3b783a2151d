// The ccxt adapter with the real ccxt library against a fake Binance spot venue on
// 127.0.0.1 (signed REST, a matching book with partial fills): orders by client order id,
// fills with the venue's trade ids, balances as the account, and each failure mode mapped to
// its error code, with an order whose answer was lost found again and never sent twice.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startCcxtVenue, T0, type CcxtVenue } from '../../../support/fake-exchange/ccxt-venue.ts';
import type { OrderIntent } from '../../../../src/domain/order.ts';
import { OrdinisError } from '../../../../src/errors.ts';
import { GuardedBroker } from '../../../../src/adapters/venue/guarded-broker.ts';
import { CircuitBreaker } from '../../../../src/adapters/resilience/circuit-breaker.ts';

function intent(id: string, o: Partial<OrderIntent> = {}): OrderIntent {
  return { clientOrderId: id, idempotencyKey: `key-${id}`, correlationId: 'c1', signalId: `sig-${id}`, symbol: 'BTC/USDT', side: 'buy', qty: 1, orderType: 'market', timeInForce: 'gtc', ts: T0, ...o };
}

async function venue(t: TestContext, opts: Parameters<typeof startCcxtVenue>[0] = {}): Promise<CcxtVenue> {
  const v = await startCcxtVenue(opts);
  t.after(() => v.close());
  return v;
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<OrdinisError> {
  let caught: unknown;
  await p.then(
    () => assert.fail(`expected ${code}, it resolved`),
    (e: unknown) => {
      caught = e;
    },
  );
  assert.ok(caught instanceof OrdinisError, `expected an OrdinisError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

test('a market order fills against two levels: fills carry the venue trade ids, the account moves', async (t) => {
  const v = await venue(t, { commissionRate: 0.001 });
  v.fake.book.setLiquidity('BTCUSDT', { asks: [{ price: 50_000, qty: 0.5 }, { price: 50_010, qty: 1 }] });
  const { broker } = await v.broker();
  const r = await broker.submit(intent('ord-m1'));
  assert.equal(r.status, 'filled');
  assert.equal(r.filledQty, 1);
  assert.equal(r.clientOrderId, 'ord-m1');
  assert.deepEqual(r.fills.map((f) => [f.fillId, f.qty, f.price]), [['binance:5000', 0.5, 50_000], ['binance:5001', 0.5, 50_010]]);
  assert.equal(r.avgPrice, 50_005);
  assert.ok(Math.abs(r.fees - 50_005 * 0.001) < 1e-6, `fees ${r.fees}`);
  const account = await broker.fetchAccount();
  assert.ok(Math.abs(account.cash - (100_000 - 50_005 - 50.005)) < 1e-6, `cash ${account.cash}`);
  assert.deepEqual([...account.positions], [['BTC/USDT', 1]]);
  assert.deepEqual([...(await broker.fetchPositions())], [['BTC/USDT', 1]]);
});

test('a limit order fills in parts: partial at the venue, then filled by an outside taker, the first fill keeps its id', async (t) => {
  const v = await venue(t);
  v.fake.book.setLiquidity('BTCUSDT', { asks: [{ price: 49_900, qty: 0.4 }, { price: 50_100, qty: 5 }] });
  const { broker } = await v.broker();
  const first = await broker.submit(intent('ord-l1', { orderType: 'limit', limitPrice: 50_000 }));
  assert.equal(first.status, 'partial_fill');
  assert.equal(first.filledQty, 0.4);
  assert.deepEqual(first.fills.map((f) => f.fillId), ['binance:5000']);
  const open = await broker.fetchOpenOrders();
  assert.deepEqual(open.map((o) => [o.clientOrderId, o.status, o.filledQty]), [['ord-l1', 'partial_fill', 0.4]]);
  // 0.6 left rests at 50 000 and locks 30 000 USDT.
  const resting = await broker.fetchAccount();
  assert.ok(Math.abs(resting.cash - (100_000 - 0.4 * 49_900)) < 1e-6, 'cash is the total balance, locked included');

  v.clock.advance(60_000);
  v.fake.book.takeResting('BTCUSDT', 'SELL', 50_000, 0.25);
  const second = await broker.fetchOrder('ord-l1');
  assert.equal(second?.status, 'partial_fill');
  assert.equal(second?.filledQty, 0.65);
  v.fake.book.takeResting('BTCUSDT', 'SELL', 49_950, 10);
  const done = await broker.fetchOrder('ord-l1');
  assert.equal(done?.status, 'filled');
  assert.deepEqual(done?.fills.map((f) => [f.fillId, f.qty, f.price]), [['binance:5000', 0.4, 49_900], ['binance:5001', 0.25, 50_000], ['binance:5002', 0.35, 50_000]]);
  assert.deepEqual(await broker.fetchOpenOrders(), []);
});

test('cancel: a resting order is canceled and its funds unlocked; a filled one reports filled; an unknown one is E_EXEC_ORDER_UNKNOWN', async (t) => {
  const v = await venue(t);
  v.fake.book.setLiquidity('ETHUSDT', { asks: [{ price: 3_000, qty: 1 }] });
  const { broker } = await v.broker();
  await broker.submit(intent('ord-c1', { symbol: 'ETH/USDT', qty: 2, orderType: 'limit', limitPrice: 2_500 }));
  const canceled = await broker.cancel('ord-c1');
  assert.equal(canceled.status, 'canceled');
  assert.equal(canceled.filledQty, 0);
  assert.deepEqual(v.fake.book.listBalances().find((b) => b.asset === 'USDT'), { asset: 'USDT', free: 100_000, locked: 0 });

  await broker.submit(intent('ord-c2', { symbol: 'ETH/USDT', qty: 1 }));
  const filled = await broker.cancel('ord-c2');
  assert.equal(filled.status, 'filled');

  await rejectsWith(broker.cancel('ord-never-sent'), 'E_EXEC_ORDER_UNKNOWN');
});

test('a restarted adapter finds orders by client order id alone; an id never sent is undefined', async (t) => {
  const v = await venue(t);
  const { broker } = await v.broker();
  await broker.submit(intent('ord-r1', { symbol: 'ETH/USDT', orderType: 'limit', limitPrice: 1_000 }));
  const { broker: restarted } = await v.broker();
  const found = await restarted.fetchOrder('ord-r1');
  assert.equal(found?.symbol, 'ETH/USDT');
  assert.equal(found?.status, 'submitted');
  assert.equal(await restarted.fetchOrder('ord-nobody'), undefined);
  // Unknown symbol: each traded market is asked.
  assert.equal(v.fake.count('GET', 'order') >= 3, true);
});

test('submit is idempotent on the client order id: the same intent twice is one order; another order under it is a conflict', async (t) => {
  const v = await venue(t);
  const { broker } = await v.broker();
  const a = await broker.submit(intent('ord-d1', { orderType: 'limit', limitPrice: 40_000 }));
  const b = await broker.submit(intent('ord-d1', { orderType: 'limit', limitPrice: 40_000 }));
  assert.equal(b.orderId, a.orderId);
  assert.equal(v.fake.book.orderCount('ord-d1'), 1);
  await rejectsWith(broker.submit(intent('ord-d1', { orderType: 'limit', limitPrice: 41_000 })), 'E_EXEC_IDEMPOTENCY_CONFLICT');
  assert.equal(v.fake.book.orderCount('ord-d1'), 1);
});

test('refusals are rejected reports: insufficient funds at the venue; a stop or a day order never sent', async (t) => {
  const v = await venue(t, { usdt: 1_000 });
  v.fake.book.setLiquidity('BTCUSDT', { asks: [{ price: 50_000, qty: 5 }] });
  const { broker } = await v.broker();
  const poor = await broker.submit(intent('ord-f1'));
  assert.equal(poor.status, 'rejected');
  assert.match(poor.rejectReason ?? '', /insufficient balance/);
  assert.equal(v.fake.book.orderCount('ord-f1'), 0);

  const posts = v.fake.count('POST', 'order');
  const stop = await broker.submit(intent('ord-f2', { orderType: 'stop', stopPrice: 51_000 }));
  assert.equal(stop.status, 'rejected');
  assert.match(stop.rejectReason ?? '', /order type stop is not supported/);
  const day = await broker.submit(intent('ord-f3', { orderType: 'limit', limitPrice: 1, timeInForce: 'day' }));
  assert.match(day.rejectReason ?? '', /time in force day/);
  assert.equal(v.fake.count('POST', 'order'), posts, 'nothing was sent');
});

test('an order accepted but its answer lost: found by client order id, posted exactly once', async (t) => {
  const v = await venue(t);
  v.fake.book.setLiquidity('BTCUSDT', { asks: [{ price: 50_000, qty: 2 }] });
  const { broker } = await v.broker();
  v.fake.inject({ method: 'POST', path: 'order', fault: { kind: 'lose-answer' } });
  const r = await broker.submit(intent('ord-x1'));
  assert.equal(r.status, 'filled');
  assert.equal(r.clientOrderId, 'ord-x1');
  assert.equal(v.fake.count('POST', 'order'), 1);
  assert.equal(v.fake.book.orderCount('ord-x1'), 1);
  assert.deepEqual(v.fake.log.map((e) => `${e.method} ${e.path}${e.fault ? ` (${e.fault})` : ''}`).slice(-3), ['POST order (lose-answer)', 'GET order', 'GET myTrades']);
});

test('answer lost and the lookup failing too: retryable, outcome unknown; the next fetchOrder settles it; still one order', async (t) => {
  const v = await venue(t);
  v.fake.book.setLiquidity('BTCUSDT', { asks: [{ price: 50_000, qty: 2 }] });
  const { broker } = await v.broker();
  v.fake.inject({ method: 'POST', path: 'order', fault: { kind: 'lose-answer' } });
  v.fake.inject({ method: 'GET', path: 'order', fault: { kind: 'status', status: 503 } });
  const e = await rejectsWith(broker.submit(intent('ord-x2')), 'E_EXEC_BROKER_UNAVAILABLE');
  assert.equal(e.retryable, true);
  assert.equal(e.details?.outcome, 'unknown');
  const later = await broker.fetchOrder('ord-x2');
  assert.equal(later?.status, 'filled');
  assert.equal(v.fake.count('POST', 'order'), 1);
});

test('a timeout: the order never reached the venue, so E_EXEC_BROKER_TIMEOUT (retryable) and no order; a query timeout too', async (t) => {
  const v = await venue(t);
  const { broker } = await v.broker({ timeoutMs: 300 });
  v.fake.inject({ method: 'POST', path: 'order', fault: { kind: 'timeout' } });
  const e = await rejectsWith(broker.submit(intent('ord-t1', { orderType: 'limit', limitPrice: 10_000 })), 'E_EXEC_BROKER_TIMEOUT');
  assert.equal(e.retryable, true);
  assert.equal(e.details?.outcome, 'not at the venue');
  assert.equal(v.fake.book.orderCount('ord-t1'), 0);
  v.fake.inject({ method: 'GET', path: 'account', fault: { kind: 'timeout' } });
  await rejectsWith(broker.fetchAccount(), 'E_EXEC_BROKER_TIMEOUT');
});

test('429 with Retry-After is E_EXEC_RATE_LIMITED carrying the delay, and nothing is looked up or sent again', async (t) => {
  const v = await venue(t);
  const { broker } = await v.broker();
  await broker.fetchAccount();
  v.fake.inject({ method: 'POST', path: 'order', fault: { kind: 'status', status: 429, headers: { 'Retry-After': '7' }, body: { code: -1003, msg: 'Too many requests.' } } });
  const e = await rejectsWith(broker.submit(intent('ord-q1', { orderType: 'limit', limitPrice: 10_000 })), 'E_EXEC_RATE_LIMITED');
  assert.equal(e.retryable, true);
  assert.equal(e.retryAfterMs, 7_000);
  assert.equal(v.fake.count('POST', 'order'), 1);
  assert.equal(v.fake.count('GET', 'order'), 0);
  assert.equal(v.fake.book.orderCount('ord-q1'), 0);
});

test('5xx is E_EXEC_BROKER_UNAVAILABLE (retryable), and the GuardedBroker circuit opens after repeated failures', async (t) => {
  const v = await venue(t);
  const { broker } = await v.broker();
  v.fake.inject({ method: 'GET', path: 'openOrders', fault: { kind: 'status', status: 503, body: { code: -1000, msg: 'An unknown error occured while processing the request.' } } });
  const e = await rejectsWith(broker.fetchOpenOrders(), 'E_EXEC_BROKER_UNAVAILABLE');
  assert.equal(e.retryable, true);

  v.fake.inject({ method: 'GET', path: 'account', fault: { kind: 'status', status: 502 }, times: 2 });
  const guarded = new GuardedBroker(broker, { breaker: new CircuitBreaker({ clock: v.clock, failureThreshold: 2, resetTimeoutMs: 60_000 }) });
  await rejectsWith(guarded.fetchAccount() as Promise<unknown>, 'E_EXEC_BROKER_UNAVAILABLE');
  await rejectsWith(guarded.fetchAccount() as Promise<unknown>, 'E_EXEC_BROKER_UNAVAILABLE');
  const before = v.fake.count('GET', 'account');
  await rejectsWith(Promise.resolve().then(() => guarded.fetchAccount()), 'E_EXEC_CIRCUIT_OPEN');
  assert.equal(v.fake.count('GET', 'account'), before, 'the open circuit sent nothing');
});

test('a balance changed outside the engine shows in the account as the venue holds it', async (t) => {
  const v = await venue(t);
  const { broker } = await v.broker();
  assert.deepEqual([...(await broker.fetchAccount()).positions], []);
  v.fake.book.setBalance('ETH', 3.5);
  v.fake.book.setBalance('USDT', 90_000);
  const account = await broker.fetchAccount();
  assert.equal(account.cash, 90_000);
  assert.deepEqual([...account.positions], [['ETH/USDT', 3.5]]);
});

test('a wrong secret is E_EXEC_BROKER_AUTH, not retryable, and the secret is in no message', async (t) => {
  const v = await venue(t);
  const { broker } = await v.broker({ secret: 'not-the-secret-xyz' });
  const e = await rejectsWith(broker.fetchAccount(), 'E_EXEC_BROKER_AUTH');
  assert.equal(e.retryable, false);
  assert.ok(!JSON.stringify(e.toJSON()).includes('not-the-secret-xyz'));
  assert.ok(!e.message.includes('not-the-secret-xyz'));
});

test('an amount past the market precision goes out rounded, and a duplicate of it is still the same order', async (t) => {
  const v = await venue(t);
  const { broker } = await v.broker();
  const odd = intent('ord-p1', { qty: 0.123456789, orderType: 'limit', limitPrice: 40_000.004 });
  const a = await broker.submit(odd);
  assert.equal(a.qty, 0.12345, 'LOT_SIZE step 0.00001');
  const b = await broker.submit(odd);
  assert.equal(b.orderId, a.orderId);
  assert.equal(v.fake.book.orderCount('ord-p1'), 1);
});
