import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderIntent } from '../../../src/domain/order.ts';
import { OrdinisError } from '../../../src/errors.ts';
import { PaperBroker, type PaperVenueChange } from '../../../src/adapters/venue/paper-broker.ts';
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

test('a sale larger than the position sells short: cash rises by the proceeds, a buy covers', () => {
  const b = new PaperBroker({ startingCash: 1000, commission: { kind: 'per_share', perShare: 0.5 } });
  b.onBar(bar('X', T0, 10, 10));
  const short = b.submit(intent('X', 'sell', 4, T0));
  b.onBar(bar('X', T0 + DAY, 10, 10));
  assert.equal(b.fetchOrder(short.clientOrderId)!.status, 'filled');
  assert.equal(b.fetchAccount().cash, 1000 + 40 - 2);
  assert.equal(b.fetchAccount().positions.get('X'), -4);
  assert.equal(b.averagePrice('X'), 10);
  const cover = b.submit(intent('X', 'buy', 4, T0 + DAY));
  b.onBar(bar('X', T0 + 2 * DAY, 8, 8));
  assert.equal(b.fetchOrder(cover.clientOrderId)!.status, 'filled');
  assert.equal(b.fetchAccount().cash, 1038 - 32 - 2); // gained 2 a share on the short
  assert.equal(b.fetchAccount().positions.get('X'), undefined);
});

test('one order through zero is two fills, closing then opening, each with its commission', () => {
  const b = new PaperBroker({ startingCash: 1000, commission: { kind: 'per_share', perShare: 1 } });
  b.onBar(bar('X', T0, 10, 10));
  b.submit(intent('X', 'buy', 3, T0));
  b.onBar(bar('X', T0 + DAY, 10, 10));
  const flip = b.submit(intent('X', 'sell', 5, T0 + DAY));
  b.onBar(bar('X', T0 + 2 * DAY, 12, 12));
  const r = b.fetchOrder(flip.clientOrderId)!;
  assert.equal(r.status, 'filled');
  assert.deepEqual(r.fills.map((f) => [f.fillId, f.qty, f.price, f.commission]), [['paper-2-1', 3, 12, 3], ['paper-2-2', 2, 12, 2]]);
  assert.equal(r.filledQty, 5);
  assert.equal(r.fees, 5);
  assert.equal(b.fetchAccount().positions.get('X'), -2);
  assert.equal(b.averagePrice('X'), 12);
  assert.equal(b.fetchAccount().cash, 1000 - 30 - 3 + 36 - 3 + 24 - 2);
});

test('an opening part cash cannot pay for is refused: the closing part executes, the order is rejected', () => {
  const b = new PaperBroker({ startingCash: 100 });
  b.onBar(bar('X', T0, 10, 10));
  b.submit(intent('X', 'sell', 5, T0));
  b.onBar(bar('X', T0 + DAY, 10, 10)); // short 5, cash 150
  const flip = b.submit(intent('X', 'buy', 30, T0 + DAY));
  b.onBar(bar('X', T0 + 2 * DAY, 20, 20)); // covering costs 100; 25 more at 20 would need 500
  const r = b.fetchOrder(flip.clientOrderId)!;
  assert.equal(r.status, 'rejected');
  assert.match(r.rejectReason!, /insufficient cash at fill.*closing 5 executed/);
  assert.deepEqual(r.fills.map((f) => [f.qty, f.price]), [[5, 20]]);
  assert.equal(b.fetchAccount().positions.get('X'), undefined);
  assert.equal(b.fetchAccount().cash, 50);
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

test('invalid orders are rejected at submission, naming what is wrong; cancel removes a working order', () => {
  const b = new PaperBroker();
  assert.equal(b.submit(intent('X', 'buy', 0, T0)).status, 'rejected');
  assert.match(b.submit(intent('X', 'buy', 1, T0, { orderType: 'limit' })).rejectReason!, /limit order needs limitPrice > 0 \(got undefined\)/);
  assert.match(b.submit(intent('X', 'buy', 1, T0, { orderType: 'stop', stopPrice: -1 })).rejectReason!, /stop order needs stopPrice > 0/);
  assert.match(b.submit(intent('X', 'buy', 1, T0, { orderType: 'stop_limit', stopPrice: 10 })).rejectReason!, /stop_limit order needs limitPrice > 0/);
  assert.match(b.submit(intent('X', 'buy', 1, T0, { orderType: 'trailing' as never })).rejectReason!, /order type trailing is not market, limit, stop, stop_limit, stop_trail or stop_trail_limit/);
  const w = b.submit(intent('X', 'buy', 1, T0));
  assert.equal(b.cancel(w.clientOrderId).status, 'canceled');
  b.onBar(bar('X', T0 + DAY, 10, 10));
  assert.equal(b.fetchOrder(w.clientOrderId)!.status, 'canceled');
  assert.throws(() => b.cancel('nope'), (e: unknown) => e instanceof OrdinisError && e.code === 'E_EXEC_ORDER_UNKNOWN');
  assert.equal(b.fetchOrder('nope'), undefined);
});

test('a stop-limit touched but not filled works as a limit from then on, across a restart from its store', () => {
  const changes: PaperVenueChange[] = [];
  const b = new PaperBroker({ startingCash: 1000, store: { commit: (c) => void changes.push(c) } });
  b.onBar(bar('X', T0, 10, 10));
  // Buy stop 11, limit 10.5: the bar touches 11 and closes at 11.5 (open < close): triggered, no fill.
  const o = b.submit(intent('X', 'buy', 1, T0, { orderType: 'stop_limit', stopPrice: 11, limitPrice: 10.5 }));
  b.onBar(bar('X', T0 + DAY, 10.8, 11.5, { high: 11.6, low: 10.7 }));
  const r = b.fetchOrder(o.clientOrderId)!;
  assert.equal(r.status, 'submitted');
  assert.equal(r.triggered, true);
  const again = new PaperBroker({ state: b.exportState() });
  // Now a plain limit at 10.5: a bar whose low reaches it fills there, though it never trades at 11.
  again.onBar(bar('X', T0 + 2 * DAY, 10.9, 10.6, { high: 10.95, low: 10.4 }));
  assert.equal(again.fetchOrder(o.clientOrderId)!.status, 'filled');
  assert.equal(again.fetchOrder(o.clientOrderId)!.avgPrice, 10.5);
  assert.ok(changes.some((c) => c.orders.some((x) => x.report.triggered === true)), 'the trigger reached the store');
});

test('a day order expires unfilled at the first bar of a later day; a market order never expires', () => {
  const b = new PaperBroker();
  b.onBar(bar('X', T0, 10, 10));
  const day = b.submit(intent('X', 'buy', 1, T0, { orderType: 'limit', limitPrice: 20, timeInForce: 'day' }));
  const mkt = b.submit(intent('X', 'buy', 1, T0, { timeInForce: 'day' }));
  b.onBar(bar('X', T0 + DAY, 10, 10));
  assert.equal(b.fetchOrder(day.clientOrderId)!.status, 'canceled');
  assert.match(b.fetchOrder(day.clientOrderId)!.rejectReason!, /^expired: a day order decided on/);
  assert.equal(b.fetchOrder(mkt.clientOrderId)!.status, 'filled');
});

test('ioc is rejected by the paper venue, naming it (backtrader has no immediate-or-cancel); nothing rests or fills', () => {
  const b = new PaperBroker({ startingCash: 1000 });
  b.onBar(bar('X', T0, 10, 10));
  const r = b.submit(intent('X', 'buy', 1, T0, { orderType: 'limit', limitPrice: 20, timeInForce: 'ioc' }));
  assert.equal(r.status, 'rejected');
  assert.equal(r.rejectReason, 'time in force ioc is not simulated by the paper venue (gtc or day; ioc is for a live broker)');
  b.onBar(bar('X', T0 + DAY, 10, 10));
  assert.deepEqual([b.fetchOrder(r.clientOrderId)!.status, b.fetchOrder(r.clientOrderId)!.fills, b.fetchOpenOrders()], ['rejected', [], []]);
  assert.equal(b.fetchAccount().cash, 1000);
});

test('a stop-trail-limit needs the price it trails from and a limit: its limit keeps its distance to the stop as the stop trails, until triggered', () => {
  const b = new PaperBroker({ startingCash: 1000 });
  b.onBar(bar('X', T0, 10, 10));
  const noStop = b.submit(intent('X', 'sell', 1, T0, { orderType: 'stop_trail_limit', limitPrice: 9, trailAmount: 1 }));
  assert.deepEqual([noStop.status, noStop.rejectReason], ['rejected', 'a stop_trail_limit order needs stopPrice > 0 (got undefined)']);
  const r = b.submit(intent('X', 'sell', 1, T0, { orderType: 'stop_trail_limit', stopPrice: 10, limitPrice: 9.5, trailAmount: 1 }));
  // backtrader: the stop starts at 10 - 1, the limit 0.5 under it.
  assert.deepEqual([r.trailStop, r.trailLimit], [9, 8.5]);
  b.onBar(bar('X', T0 + DAY, 12, 12));
  assert.deepEqual([b.fetchOrder(r.clientOrderId)!.trailStop, b.fetchOrder(r.clientOrderId)!.trailLimit], [11, 10.5], 'trailed up with the close, the limit with it');
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

test('a trailing stop starts a trail from the close, follows a rising close, never loosens, and fills where it stands', () => {
  const changes: PaperVenueChange[] = [];
  const b = new PaperBroker({ startingCash: 1000, store: { commit: (c) => void changes.push(c) } });
  b.onBar(bar('X', T0, 10, 10));
  b.submit(intent('X', 'buy', 5, T0));
  b.onBar(bar('X', T0 + DAY, 10, 10));
  const trail = b.submit(intent('X', 'sell', 5, T0 + DAY, { orderType: 'stop_trail', trailAmount: 1 }));
  assert.equal(trail.trailStop, 9, 'close 10 - 1');
  b.onBar(bar('X', T0 + 2 * DAY, 10, 12, { low: 9.5 })); // not touched; the close 12 lifts it to 11
  assert.equal(b.fetchOrder(trail.clientOrderId)!.trailStop, 11);
  b.onBar(bar('X', T0 + 3 * DAY, 12, 11.5, { low: 11.2 })); // a lower close does not lower it
  assert.equal(b.fetchOrder(trail.clientOrderId)!.trailStop, 11);
  assert.equal(new PaperBroker({ state: b.exportState() }).fetchOrder(trail.clientOrderId)!.trailStop, 11, 'kept in the venue record');
  b.onBar(bar('X', T0 + 4 * DAY, 11.6, 10.5, { low: 10.4 })); // touched inside the bar: fills at the stop
  const r = b.fetchOrder(trail.clientOrderId)!;
  assert.equal(r.status, 'filled');
  assert.equal(r.avgPrice, 11);
  assert.ok(changes.some((c) => c.orders.some((o) => o.report.trailStop === 11)));
  const pct = b.submit(intent('X', 'buy', 1, T0 + 4 * DAY, { orderType: 'stop_trail', trailPercent: 0.1, stopPrice: 20 }));
  assert.equal(pct.trailStop, 22, 'a buy trails above its start: 20 + 10%');
  assert.match(b.submit(intent('X', 'sell', 1, T0, { orderType: 'stop_trail', trailAmount: 1, trailPercent: 0.1 })).rejectReason!, /one of trailAmount, trailPercent/);
  assert.match(b.submit(intent('X', 'sell', 1, T0, { orderType: 'stop_trail', trailPercent: 1.5 })).rejectReason!, /trailPercent in \(0, 1\)/);
});

test('a bracket: children work from the bar after the parent fills, one cancels the other, a canceled member takes the rest with it', () => {
  const b = new PaperBroker({ startingCash: 10_000 });
  b.onBar(bar('X', T0, 10, 10));
  b.submit(intent('X', 'buy', 5, T0, { clientOrderId: 'p', idempotencyKey: 'p' }));
  b.submit(intent('X', 'sell', 5, T0, { clientOrderId: 'sl', idempotencyKey: 'sl', orderType: 'stop', stopPrice: 9, parentId: 'p' }));
  b.submit(intent('X', 'sell', 5, T0, { clientOrderId: 'tp', idempotencyKey: 'tp', orderType: 'limit', limitPrice: 12, parentId: 'p' }));
  // The parent fills at this open; the bar also reaches the take-profit, but the children are not working yet.
  b.onBar(bar('X', T0 + DAY, 10, 12.5, { high: 13 }));
  assert.deepEqual(['p', 'sl', 'tp'].map((id) => b.fetchOrder(id)!.status), ['filled', 'submitted', 'submitted']);
  b.onBar(bar('X', T0 + 2 * DAY, 12.2, 12.1)); // the take-profit fills at the open (through its limit): the stop is canceled
  assert.deepEqual(['p', 'sl', 'tp'].map((id) => b.fetchOrder(id)!.status), ['filled', 'canceled', 'filled']);
  assert.match(b.fetchOrder('sl')!.rejectReason!, /^bracket p: tp filled/);
  assert.equal(b.fetchAccount().positions.get('X'), undefined);
  assert.equal(b.fetchOpenOrders().length, 0);

  // Canceling a child cancels the whole bracket (backtrader's _bracketize), the parent too.
  b.submit(intent('X', 'buy', 1, T0 + 2 * DAY, { clientOrderId: 'p2', idempotencyKey: 'p2', orderType: 'limit', limitPrice: 5 }));
  b.submit(intent('X', 'sell', 1, T0 + 2 * DAY, { clientOrderId: 'sl2', idempotencyKey: 'sl2', orderType: 'stop', stopPrice: 4, parentId: 'p2' }));
  b.cancel('sl2');
  assert.deepEqual(['p2', 'sl2'].map((id) => b.fetchOrder(id)!.status), ['canceled', 'canceled']);
  assert.match(b.fetchOrder('p2')!.rejectReason!, /^bracket p2: sl2 canceled/);
  // A child needs a working parent.
  assert.match(b.submit(intent('X', 'sell', 1, T0 + 2 * DAY, { orderType: 'stop', stopPrice: 4, parentId: 'p2' })).rejectReason!, /bracket parent p2 is not a working order/);
});

test('one-cancels-others: a member that fills cancels the rest of its group; a link to an unknown order is refused', () => {
  const b = new PaperBroker({ startingCash: 10_000 });
  b.onBar(bar('X', T0, 10, 10));
  b.submit(intent('X', 'buy', 1, T0, { clientOrderId: 'up', idempotencyKey: 'up', orderType: 'stop', stopPrice: 11 }));
  b.submit(intent('X', 'sell', 1, T0, { clientOrderId: 'down', idempotencyKey: 'down', orderType: 'stop', stopPrice: 9, ocoWith: 'up' }));
  b.submit(intent('X', 'sell', 1, T0, { clientOrderId: 'far', idempotencyKey: 'far', orderType: 'limit', limitPrice: 20, ocoWith: 'down' })); // joins up's group
  b.onBar(bar('X', T0 + DAY, 10, 11.5, { high: 11.6 }));
  assert.deepEqual(['up', 'down', 'far'].map((id) => b.fetchOrder(id)!.status), ['filled', 'canceled', 'canceled']);
  assert.match(b.fetchOrder('far')!.rejectReason!, /^oco up: up filled/);
  assert.match(b.submit(intent('X', 'buy', 1, T0 + DAY, { orderType: 'stop', stopPrice: 12, ocoWith: 'nope' })).rejectReason!, /oco order nope is unknown/);
});
