// The Alpaca broker adapter against the fake Alpaca on 127.0.0.1: real HTTP, a real matching
// book, scripted failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderIntent } from '../../../../src/domain/order.ts';
import { isOrdinisError } from '../../../../src/errors.ts';
import { AlpacaBroker } from '../../../../src/adapters/venue/alpaca/alpaca-broker.ts';
import { FakeAlpacaServer } from '../../../support/fake-alpaca/fake-alpaca-server.ts';

const T0 = Date.UTC(2026, 0, 5, 14, 30);

function intent(id: string, over: Partial<OrderIntent> = {}): OrderIntent {
  return { clientOrderId: id, idempotencyKey: `k-${id}`, correlationId: 'c1', signalId: `s-${id}`, symbol: 'AAPL', side: 'buy', qty: 10, orderType: 'market', timeInForce: 'day', ts: T0, ...over };
}

function bar(symbol: string, minute: number, price: number): { symbol: string; ts: number; open: number; high: number; low: number; close: number; volume: number } {
  return { symbol, ts: T0 + minute * 60_000, open: price, high: price + 1, low: price - 1, close: price + 0.5, volume: 1000 };
}

async function withFake(fn: (fake: FakeAlpacaServer, broker: AlpacaBroker) => Promise<void>, opts: { maxFillQty?: number; timeoutMs?: number } = {}): Promise<void> {
  const fake = await FakeAlpacaServer.start({ cash: 100_000, ...(opts.maxFillQty !== undefined ? { maxFillQty: opts.maxFillQty } : {}) });
  try {
    const broker = new AlpacaBroker({ tradingUrl: fake.url, credentials: { keyId: fake.keyId, secretKey: fake.secretKey }, timeoutMs: opts.timeoutMs ?? 2000 });
    await fn(fake, broker);
  } finally {
    await fake.close();
  }
}

function orderPosts(fake: FakeAlpacaServer): number {
  return fake.requests.filter((r) => r === 'POST /v2/orders').length;
}

test('submit places the order under our client order id; it fills at the next bar, and the report carries the fill', async () => {
  await withFake(async (fake, broker) => {
    const placed = await broker.submit(intent('a1'));
    assert.equal(placed.status, 'submitted');
    assert.equal(placed.clientOrderId, 'a1');
    assert.equal(fake.book.byClientId('a1')?.qty, '10');
    fake.publishBar(bar('AAPL', 1, 150));
    const r = await broker.fetchOrder('a1');
    assert.equal(r?.status, 'filled');
    assert.equal(r?.filledQty, 10);
    assert.deepEqual(r?.fills.map((f) => [f.qty, f.price]), [[10, 150]]);
    assert.equal(r?.avgPrice, 150);
    assert.deepEqual([...(await broker.fetchPositions())], [['AAPL', 10]]);
    assert.equal((await broker.fetchAccount()).cash, 100_000 - 1500);
    assert.equal(await broker.fetchOrder('never-sent'), undefined);
  });
});

test('partial fills: each fill once, with a stable id, until the order is filled', async () => {
  await withFake(
    async (fake, broker) => {
      await broker.submit(intent('p1', { qty: 10 }));
      fake.publishBar(bar('AAPL', 1, 100));
      const first = await broker.fetchOrder('p1');
      assert.equal(first?.status, 'partial_fill');
      assert.equal(first?.filledQty, 4);
      assert.equal((await broker.fetchOpenOrders()).length, 1);
      fake.publishBar(bar('AAPL', 2, 101));
      fake.publishBar(bar('AAPL', 3, 102));
      const done = await broker.fetchOrder('p1');
      assert.equal(done?.status, 'filled');
      assert.deepEqual(done?.fills.map((f) => [f.qty, f.price]), [[4, 100], [4, 101], [2, 102]]);
      // The first fill is the same fill (same id) in both answers: posted once by the ledger.
      assert.equal(done?.fills[0]?.fillId, first?.fills[0]?.fillId);
      assert.equal(new Set(done?.fills.map((f) => f.fillId)).size, 3);
      assert.deepEqual(await broker.fetchOpenOrders(), []);
    },
    { maxFillQty: 4 },
  );
});

test('an order accepted but its answer lost is found by client order id, never sent twice', async () => {
  await withFake(async (fake, broker) => {
    fake.failNext({ method: 'POST', path: '/v2/orders' }, { kind: 'answer_lost' });
    const r = await broker.submit(intent('lost1'));
    assert.equal(r.clientOrderId, 'lost1');
    assert.equal(r.status, 'submitted');
    assert.equal(orderPosts(fake), 1);
    assert.equal(fake.book.orders.length, 1);
  });
});

test('a submit that timed out and never reached the book stays a retryable error; sending it again places it once', async () => {
  await withFake(
    async (fake, broker) => {
      fake.failNext({ method: 'POST', path: '/v2/orders' }, { kind: 'timeout' });
      await assert.rejects(broker.submit(intent('t1')), (e) => isOrdinisError(e) && e.code === 'E_EXEC_BROKER_TIMEOUT' && e.retryable);
      assert.equal(fake.book.orders.length, 0);
      const r = await broker.submit(intent('t1'));
      assert.equal(r.status, 'submitted');
      assert.equal(fake.book.orders.length, 1);
    },
    { timeoutMs: 300 },
  );
});

test('a second submit of the same intent answers the existing order (Alpaca refuses the duplicate id); another order under the id is a conflict', async () => {
  await withFake(async (fake, broker) => {
    const a = await broker.submit(intent('d1'));
    const b = await broker.submit(intent('d1'));
    assert.equal(b.orderId, a.orderId);
    assert.equal(fake.book.orders.length, 1);
    await assert.rejects(broker.submit(intent('d1', { qty: 11 })), (e) => isOrdinisError(e) && e.code === 'E_EXEC_IDEMPOTENCY_CONFLICT');
  });
});

test('429 is E_EXEC_RATE_LIMITED with the server\'s Retry-After; 5xx is E_EXEC_BROKER_UNAVAILABLE, retryable', async () => {
  await withFake(async (fake, broker) => {
    fake.failNext({ method: 'GET', path: '/v2/positions' }, { kind: 'rate_limit', retryAfterSeconds: 3 });
    await assert.rejects(broker.fetchPositions(), (e) => isOrdinisError(e) && e.code === 'E_EXEC_RATE_LIMITED' && e.retryable && e.retryAfterMs === 3000);
    fake.failNext({ method: 'GET', path: '/v2/account' }, { kind: 'server_error', status: 503 });
    await assert.rejects(broker.fetchAccount(), (e) => isOrdinisError(e) && e.code === 'E_EXEC_BROKER_UNAVAILABLE' && e.retryable);
    assert.equal((await broker.fetchAccount()).cash, 100_000);
  });
});

test('a 5xx before the book saw the order stands as a retryable error; a lost answer after it took the order resolves to that order', async () => {
  await withFake(async (fake, broker) => {
    // The server errs before routing: the book never saw it, so the error stands.
    fake.failNext({ method: 'POST', path: '/v2/orders' }, { kind: 'server_error', status: 502 });
    await assert.rejects(broker.submit(intent('e1')), (e) => isOrdinisError(e) && e.code === 'E_EXEC_BROKER_UNAVAILABLE');
    assert.equal(fake.book.orders.length, 0);
    // A lost answer after the book took it: resolved, one order.
    fake.failNext({ method: 'POST', path: '/v2/orders' }, { kind: 'answer_lost' });
    fake.publishBar(bar('AAPL', 1, 99));
    assert.equal((await broker.submit(intent('e1'))).status, 'submitted');
    assert.equal(fake.book.orders.length, 1);
  });
});

test('the broker refusing an order (buying power) is a rejected report, not an error', async () => {
  await withFake(async (fake, broker) => {
    fake.publishBar(bar('AAPL', 1, 150));
    const r = await broker.submit(intent('big', { qty: 10_000 }));
    assert.equal(r.status, 'rejected');
    assert.match(r.rejectReason ?? '', /insufficient buying power/);
    assert.equal(fake.book.orders.length, 0);
  });
});

test('a stop-trail-limit is refused, never sent as something else: a rejected report naming the type, nothing at the broker', async () => {
  await withFake(async (fake, broker) => {
    fake.publishBar(bar('AAPL', 1, 150));
    const r = await broker.submit(intent('stl', { side: 'sell', orderType: 'stop_trail_limit', stopPrice: 150, limitPrice: 149, trailAmount: 2 }));
    assert.equal(r.status, 'rejected');
    assert.match(r.rejectReason ?? '', /order type stop_trail_limit is not supported by Alpaca \(its trailing_stop has no limit price\): not sent/);
    assert.equal(fake.book.orders.length, 0);
  });
});

test('cancel: a working order is canceled, keeping its partial fill; an unknown one is E_EXEC_ORDER_UNKNOWN', async () => {
  await withFake(
    async (fake, broker) => {
      await broker.submit(intent('c1', { orderType: 'limit', limitPrice: 90, qty: 10 }));
      fake.publishBar(bar('AAPL', 1, 89));
      const r = await broker.cancel('c1');
      assert.equal(r.status, 'canceled');
      assert.equal(r.filledQty, 5);
      assert.equal(r.fills.length, 1);
      assert.equal(fake.book.byClientId('c1')?.status, 'canceled');
      // Canceling it again answers its final report, no second DELETE.
      const deletes = fake.requests.filter((x) => x.startsWith('DELETE')).length;
      assert.equal((await broker.cancel('c1')).status, 'canceled');
      assert.equal(fake.requests.filter((x) => x.startsWith('DELETE')).length, deletes);
      await assert.rejects(broker.cancel('nope'), (e) => isOrdinisError(e) && e.code === 'E_EXEC_ORDER_UNKNOWN');
    },
    { maxFillQty: 5 },
  );
});

test('wrong keys are E_EXEC_BROKER_AUTH, not retryable; the secret is in no message', async () => {
  await withFake(async (fake) => {
    const broker = new AlpacaBroker({ tradingUrl: fake.url, credentials: { keyId: fake.keyId, secretKey: 'wrong-secret-123' }, timeoutMs: 2000 });
    await assert.rejects(broker.fetchAccount(), (e) => isOrdinisError(e) && e.code === 'E_EXEC_BROKER_AUTH' && !e.retryable && !e.message.includes('wrong-secret-123'));
  });
});

test('a short position and a position changed outside the engine show in positions', async () => {
  await withFake(async (fake, broker) => {
    fake.book.setPosition('MSFT', -5, 400);
    fake.book.setPosition('AAPL', 7, 150);
    assert.deepEqual(new Map(await broker.fetchPositions()), new Map([['MSFT', -5], ['AAPL', 7]]));
  });
});
