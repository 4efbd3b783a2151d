// Reconciliation: the pure diff, and the step against the fake Alpaca with a real SQLite book.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { systemClock } from '../../../src/core/clock.ts';
import type { OrderIntent } from '../../../src/domain/order.ts';
import { openDatabase } from '../../../src/persistence/database.ts';
import { KillSwitch } from '../../../src/kill-switch/kill-switch.ts';
import { AlpacaBroker } from '../../../src/adapters/venue/alpaca/alpaca-broker.ts';
import { describeDifferences, reconcile } from '../../../src/modes/live/reconcile.ts';
import { Reconciler } from '../../../src/modes/live/reconcile-step.ts';
import { FakeAlpacaServer } from '../../support/fake-alpaca/fake-alpaca-server.ts';
import { tempDir } from '../paper/paper-support.ts';

const TOL = { positionQty: 0, cash: 1 };

test('reconcile: equal books are clean; positions, cash beyond tolerance and unknown open orders differ', () => {
  const engine = { cash: 1000, positions: new Map([['A', 10]]), openOrders: new Set(['o1', 'o2']) };
  assert.deepEqual(reconcile(engine, { cash: 1000.5, positions: new Map([['A', 10]]), openOrders: ['o1'] }, TOL), { clean: true, differences: [] });
  const r = reconcile(engine, { cash: 990, positions: new Map([['A', 8], ['B', -2]]), openOrders: ['o1', 'x9'] }, TOL);
  assert.equal(r.clean, false);
  assert.deepEqual(r.differences, [
    { kind: 'position', symbol: 'A', engine: 10, broker: 8 },
    { kind: 'position', symbol: 'B', engine: 0, broker: -2 },
    { kind: 'cash', engine: 1000, broker: 990 },
    { kind: 'unknown_open_order', clientOrderId: 'x9' },
  ]);
  assert.equal(describeDifferences(r.differences), 'A: ledger 10 shares, broker 8; B: ledger 0 shares, broker -2; cash: ledger 1000, broker 990; order x9 works at the broker but not in the engine');
  // A share tolerance lets a small position difference through.
  assert.equal(reconcile(engine, { cash: 1000, positions: new Map([['A', 9]]), openOrders: [] }, { positionQty: 1, cash: 0 }).clean, true);
});

async function setup(t: import('node:test').TestContext, every = 1) {
  const fake = await FakeAlpacaServer.start({ cash: 100_000 });
  t.after(() => fake.close());
  const db = openDatabase({ path: join(tempDir(t, 'ordinis-live-'), 'live.db') });
  t.after(() => db.close());
  const broker = new AlpacaBroker({ tradingUrl: fake.url, credentials: { keyId: fake.keyId, secretKey: fake.secretKey }, timeoutMs: 2000 });
  const kill = new KillSwitch({ store: db.killSwitch, clock: systemClock, failSafe: true });
  const rec = new Reconciler({ broker, ledger: db.ledger, orders: db.orders, kill, startingCash: 100_000, every, tolerance: TOL });
  return { fake, db, broker, kill, rec };
}

function intent(id: string): OrderIntent {
  return { clientOrderId: id, idempotencyKey: `k-${id}`, correlationId: 'c1', signalId: `s-${id}`, symbol: 'AAPL', side: 'buy', qty: 10, orderType: 'market', timeInForce: 'day', ts: Date.UTC(2026, 0, 5) };
}

test('a clean book stays clean; every N cycles only', async (t) => {
  const { rec, kill } = await setup(t, 3);
  assert.equal(await rec.afterCycle('c1'), undefined);
  assert.equal(await rec.afterCycle('c2'), undefined);
  const r = await rec.afterCycle('c3');
  assert.deepEqual(r, { clean: true, differences: [], tripped: false });
  assert.equal(rec.runs, 1);
  assert.equal(kill.get().state, 'INACTIVE');
});

test('a fill the broker reported but PORT has not posted yet is no difference', async (t) => {
  const { rec, db, broker, fake, kill } = await setup(t);
  db.orders.insertIntent(intent('a1'));
  db.orders.recordReport('a1', await broker.submit(intent('a1')));
  fake.publishBar({ symbol: 'AAPL', ts: Date.UTC(2026, 0, 5, 14, 31), open: 100, high: 101, low: 99, close: 100, volume: 1 });
  db.orders.recordReport('a1', (await broker.fetchOrder('a1'))!);
  const r = await rec.check('c1');
  assert.equal(r.clean, true, describeDifferences(r.differences));
  assert.equal(kill.get().state, 'INACTIVE');
});

test('a fill that landed at the broker after EXEC last asked (our record still says submitted) is no difference', async (t) => {
  const { rec, db, broker, fake, kill } = await setup(t);
  db.orders.insertIntent(intent('late'));
  db.orders.recordReport('late', await broker.submit(intent('late')));
  fake.publishBar({ symbol: 'AAPL', ts: Date.UTC(2026, 0, 5, 14, 31), open: 100, high: 101, low: 99, close: 100, volume: 1 });
  assert.equal(db.orders.findByClientOrderId('late')?.lastReport?.status, 'submitted');
  const r = await rec.check('c1');
  assert.equal(r.clean, true, describeDifferences(r.differences));
  assert.equal(kill.get().state, 'INACTIVE');
});

test('a position changed outside the engine trips the kill switch, naming the difference', async (t) => {
  const { rec, fake, kill } = await setup(t);
  fake.book.setPosition('MSFT', 5, 400);
  const r = await rec.check('c7');
  assert.equal(r.tripped, true);
  assert.deepEqual(r.differences, [{ kind: 'position', symbol: 'MSFT', engine: 0, broker: 5 }]);
  const k = kill.get();
  assert.equal(k.state, 'ACTIVE');
  assert.match(k.reason ?? '', /reconciliation: .*MSFT: ledger 0 shares, broker 5/);
  assert.equal(k.actor, 'orch.reconcile');
  // Already active: a second finding reports, it does not activate again.
  assert.equal((await rec.check('c8')).tripped, false);
});

test('an order placed at the broker outside the engine, and cash moved beyond tolerance, trip it', async (t) => {
  const { rec, fake, kill } = await setup(t);
  fake.book.place({ symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '1', time_in_force: 'gtc', client_order_id: 'manual-1' });
  fake.book.cash -= 50;
  const r = await rec.check(null);
  assert.deepEqual(r.differences.map((d) => d.kind), ['cash', 'unknown_open_order']);
  assert.equal(kill.get().state, 'ACTIVE');
});
