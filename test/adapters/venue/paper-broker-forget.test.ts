import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderIntent } from '../../../src/domain/order.ts';
import { OrdinisError } from '../../../src/errors.ts';
import { PaperBroker, type PaperVenueStore } from '../../../src/adapters/venue/paper-broker.ts';
import { DAY, T0, bar } from '../../stages/exec/support.ts';

function intent(symbol: string, side: 'buy' | 'sell', qty: number, ts: number, n: number): OrderIntent {
  return {
    clientOrderId: `c${n}`,
    idempotencyKey: `k${n}`,
    correlationId: `corr${n}`,
    signalId: `s${n}`,
    symbol,
    side,
    qty,
    orderType: 'market',
    timeInForce: 'gtc',
    ts,
  };
}

test('forgetFinished drops filled and rejected orders, keeps working ones, and leaves the book as it was', () => {
  const b = new PaperBroker({ startingCash: 10_000 });
  b.onBar(bar('A', T0, 10, 10));
  b.onBar(bar('B', T0, 20, 20));
  b.submit(intent('A', 'buy', 10, T0, 1));
  b.submit(intent('B', 'buy', 1000, T0, 2)); // rejected at the fill: 21 000 > the cash
  b.onBars([bar('A', T0 + DAY, 11, 12), bar('B', T0 + DAY, 21, 22)]);
  b.submit(intent('A', 'sell', 10, T0 + DAY, 3)); // working until the next bar
  assert.equal(b.fetchOrder('c1')?.status, 'filled');
  assert.equal(b.fetchOrder('c2')?.status, 'rejected');
  const account = b.fetchAccount();

  assert.equal(b.forgetFinished(['c1', 'c3', 'nope']), 1); // c3 is working: kept
  assert.equal(b.fetchOrder('c1'), undefined);
  assert.equal(b.fetchOrder('c3')?.status, 'submitted');
  assert.equal(b.forgetFinished(), 1); // every finished one: c2
  assert.equal(b.ordersHeld, 1);
  assert.deepEqual(b.fetchAccount(), account);

  b.onBar(bar('A', T0 + 2 * DAY, 13, 13));
  assert.equal(b.fetchOrder('c3')?.status, 'filled');
  assert.equal(b.fetchAccount().cash, 10_000 - 110 + 130);
});

test('a venue with a durable store refuses to forget orders', () => {
  const store: PaperVenueStore = { commit: () => {} };
  const b = new PaperBroker({ startingCash: 1000, store });
  assert.throws(() => b.forgetFinished(), (e: unknown) => e instanceof OrdinisError && e.code === 'E_INTERNAL');
});

test('fetchPositions hands out a new map after a fill and never changes one it handed out', () => {
  const b = new PaperBroker({ startingCash: 10_000 });
  b.onBar(bar('A', T0, 10, 10));
  const before = b.fetchPositions();
  assert.equal(b.fetchPositions(), before);
  b.submit(intent('A', 'buy', 3, T0, 1));
  b.onBar(bar('A', T0 + DAY, 10, 10));
  const after = b.fetchPositions();
  assert.equal(before.size, 0);
  assert.deepEqual([...after], [['A', 3]]);
});

test('bars of several time steps settle step by step; bars of one step in one pass, a later bar of a symbol winning', () => {
  const b = new PaperBroker({ startingCash: 10_000 });
  b.onBar(bar('A', T0, 10, 10));
  b.onBar(bar('B', T0, 10, 10));
  b.submit(intent('A', 'buy', 1, T0, 1));
  b.submit(intent('B', 'buy', 1, T0, 2));
  // One step, A twice: the later A bar is the one filled on.
  b.onBars([bar('A', T0 + DAY, 11, 11), bar('B', T0 + DAY, 12, 12), bar('A', T0 + DAY, 13, 13)]);
  assert.equal(b.fetchOrder('c1')?.fills[0]?.price, 13);
  assert.equal(b.fetchOrder('c2')?.fills[0]?.price, 12);
  // Two steps at once: the sell fills on the first step after its decision.
  b.submit(intent('A', 'sell', 1, T0 + DAY, 3));
  b.onBars([bar('A', T0 + 2 * DAY, 14, 14), bar('A', T0 + 3 * DAY, 15, 15)]);
  assert.equal(b.fetchOrder('c3')?.fills[0]?.price, 14);
});
