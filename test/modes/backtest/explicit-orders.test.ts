// Explicit orders from decide through the whole default pipeline, against backtrader 1.9.78
// (test/fixtures/backtrader/orders/nvda-explicit-orders.json, see the README there). The
// strategy reads its book and asks for orders itself: flat with nothing working, a buy limit
// 2% under the close for half of equity; a limit unfilled after 3 bars canceled; long, a sell
// stop 3% under the average price, and after 12 days a market sale of twice the position (a
// reversal in one order: two fills); short, a buy stop-limit (stop +3%, limit +4%), and after
// 12 days a market cover. Every fill, the value after every bar, final cash and value exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBarsFile } from '../../../src/adapters/data/csv-bars.ts';
import { defineStrategyPack, type Decision } from '../../../src/stages/sig/strategy-pack.ts';
import { DEFAULT_POLICY_CHAIN } from '../../../src/stages/risk/chain.ts';
import { runStrategy } from '../../../src/testing/run-strategy.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'backtrader', 'orders');
const DATA = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'backtrader');
const DAY_MS = 86_400_000;

interface BtOrder { date: string; side: 'buy' | 'sell'; size: number; type: string; status: string; fill_date?: string; fill_price?: number; commission?: number }
interface Fixture { data_file: string; cash: number; commission_pct: number; orders: BtOrder[]; values: number[]; final_cash: number; final_value: number; final_position: number }

interface Memory { bar: number; barOf: Map<number, number> }

const bookReader = defineStrategyPack({
  id: 'book-reader',
  version: '1.0.0',
  features: () => [{ kind: 'field', name: 'px', field: 'close' }],
  decide: (v, memory, _params, book): Decision | null => {
    const m = memory as unknown as Memory;
    m.bar = (m.bar ?? 0) + 1;
    (m.barOf ??= new Map()).set(v.ts, m.bar);
    const { qty, avgPrice, entryTs } = book.position;
    const working = book.openOrders;
    const close = v.features.px!;
    const cancelAll = working.map((o) => o.clientOrderId);
    const heldDays = entryTs === undefined ? 0 : (v.ts - entryTs) / DAY_MS;
    if (qty === 0) {
      if (working.length === 0) return { reason: 'dip', orders: [{ side: 'buy', type: 'limit', limitPrice: close * 0.98, equityFraction: 0.5 }] };
      return m.bar - m.barOf.get(working[0]!.ts)! >= 3 ? { reason: 'stale_limit', cancel: cancelAll } : null;
    }
    if (qty > 0) {
      if (heldDays >= 12) return { reason: 'flip_short', cancel: cancelAll, orders: [{ side: 'sell', qty: 2 * qty }] };
      return working.length === 0 ? { reason: 'protect', orders: [{ side: 'sell', type: 'stop', stopPrice: avgPrice * 0.97, qty }] } : null;
    }
    if (heldDays >= 12) return { reason: 'cover', cancel: cancelAll, orders: [{ side: 'buy', qty: -qty }] };
    return working.length === 0 ? { reason: 'protect_short', orders: [{ side: 'buy', type: 'stop_limit', stopPrice: avgPrice * 1.03, limitPrice: avgPrice * 1.04, qty: -qty }] } : null;
  },
});

test('NVDA, explicit limit / stop / stop-limit / market orders with cancels, reading the book: every fill, value and final cash as backtrader', async () => {
  const fx = JSON.parse(readFileSync(join(FIXTURES, 'nvda-explicit-orders.json'), 'utf8')) as Fixture;
  const bars = readBarsFile(join(DATA, fx.data_file), { symbol: 'X' }).bars;
  // backtrader has no drawdown guard: the default chain without it (this book falls more than 20%).
  const riskPolicies = DEFAULT_POLICY_CHAIN.filter((p) => p.id !== 'max-drawdown');
  const run = await runStrategy(bookReader, { bars, cash: fx.cash, commission: { kind: 'percent', percent: fx.commission_pct }, riskPolicies });
  assert.equal(run.result.status, 'ok');
  const completed = fx.orders.filter((o) => o.status === 'Completed');
  // A market sale through zero is one backtrader execution and two fills here (close, then open).
  const fills = run.fills;
  let k = 0;
  for (const [i, o] of completed.entries()) {
    let qty = 0;
    let commission = 0; // backtrader: closed part's commission + opened part's
    for (; qty < o.size; k++) {
      const f = fills[k]!;
      assert.equal(f.ts.slice(0, 10), o.fill_date, `order ${i} (${o.type}) fill date`);
      assert.equal(f.side, o.side, `order ${i} side`);
      assert.equal(f.price, o.fill_price, `order ${i} (${o.type} ${o.date}) price`);
      qty += f.qty;
      commission += f.commission;
    }
    assert.equal(qty, o.size, `order ${i} size`);
    assert.equal(commission, o.commission, `order ${i} commission`);
  }
  assert.equal(k, fills.length, 'no fill backtrader does not have');
  assert.ok(fills.length > completed.length, 'some market sales reversed the position in one order');
  assert.equal(run.result.orders, fx.orders.length, 'orders');
  assert.equal(run.result.finalCash, fx.final_cash, 'final cash');
  assert.equal(run.result.finalValue, fx.final_value, 'final value');
  // The value after each bar the run's curve keeps (every high and low of a long run).
  assert.equal(bars.length, fx.values.length);
  const barIndex = new Map(bars.map((b, i) => [b.ts, i]));
  assert.ok(run.equity.length > 1000);
  for (const p of run.equity) {
    const i = barIndex.get(p.ts)!;
    assert.equal(p.value, fx.values[i], `value after bar ${i} (${new Date(p.ts).toISOString().slice(0, 10)})`);
  }
});

const bracketTrader = defineStrategyPack({
  id: 'bracket-trader',
  version: '1.0.0',
  features: () => [{ kind: 'field', name: 'px', field: 'close' }],
  decide: (v, memory, _params, book): Decision | null => {
    const m = memory as unknown as Memory;
    m.bar = (m.bar ?? 0) + 1;
    (m.barOf ??= new Map()).set(v.ts, m.bar);
    const { qty, entryTs } = book.position;
    const working = book.openOrders;
    const close = v.features.px!;
    if (qty === 0) {
      if (working.length === 0) {
        return { reason: 'dip', orders: [{ side: 'buy', type: 'limit', limitPrice: close * 0.98, equityFraction: 0.5, bracket: { stopLoss: close * 0.93, takeProfit: close * 1.08 } }] };
      }
      // The entry unfilled for 3 bars: cancel it, its children go with it.
      return m.bar - m.barOf.get(working[0]!.ts)! >= 3 ? { reason: 'stale_entry', cancel: [working[0]!.clientOrderId] } : null;
    }
    if (qty > 0 && (v.ts - entryTs!) / DAY_MS >= 20) return { reason: 'time_exit', cancel: working.map((o) => o.clientOrderId), orders: [{ side: 'sell', qty }] };
    return null;
  },
});

test('ORCL, brackets from decide (a limit entry for half of equity with a stop-loss and a take-profit, OCO), canceled entries, time exits: every fill, value and final cash as backtrader', async () => {
  const fx = JSON.parse(readFileSync(join(FIXTURES, 'orcl-bracket-orders.json'), 'utf8')) as Fixture;
  const bars = readBarsFile(join(DATA, fx.data_file), { symbol: 'X' }).bars;
  const riskPolicies = DEFAULT_POLICY_CHAIN.filter((p) => p.id !== 'max-drawdown');
  const run = await runStrategy(bracketTrader, { bars, cash: fx.cash, commission: { kind: 'percent', percent: fx.commission_pct }, riskPolicies });
  assert.equal(run.result.status, 'ok');
  const completed = fx.orders.filter((o) => o.status === 'Completed');
  assert.equal(run.fills.length, completed.length, 'fills');
  completed.forEach((o, i) => {
    const f = run.fills[i]!;
    assert.deepEqual([f.ts.slice(0, 10), f.side, f.qty, f.price, f.commission], [o.fill_date, o.side, o.size, o.fill_price, o.commission], `order ${i} (${o.type} ${o.date})`);
  });
  assert.equal(run.result.orders, fx.orders.length, 'orders (entries and both children)');
  assert.equal(run.result.finalCash, fx.final_cash, 'final cash');
  assert.equal(run.result.finalValue, fx.final_value, 'final value');
  const barIndex = new Map(bars.map((b, i) => [b.ts, i]));
  for (const p of run.equity) assert.equal(p.value, fx.values[barIndex.get(p.ts)!], `value on ${new Date(p.ts).toISOString().slice(0, 10)}`);
});

// As bracketTrader, but every third bar's entry asks for 1.5 times the cash: RISK's cash check
// rejects it, and its two children with it, as backtrader's broker does (Margin, Rejected, Rejected).
const overreachingBracketTrader = defineStrategyPack({
  ...bracketTrader,
  id: 'bracket-trader-overreaching',
  decide: (v, memory, params, book): Decision | null => {
    const m = memory as unknown as Memory;
    const d = bracketTrader.decide(v, memory, params, book) ?? null;
    const o = d?.orders?.[0];
    if (o?.bracket === undefined || o.limitPrice === undefined) return d;
    const { equityFraction: _f, ...rest } = o;
    return { ...d!, orders: [{ ...rest, qty: Math.floor((m.bar % 3 === 0 ? 1.5 : 0.5) * book.account.cash / o.limitPrice) }] };
  },
});

test('ORCL, brackets whose entry the cash check rejects (every third one asks for 1.5x the cash): the children are rejected with it, order counts, fills, value and final cash as backtrader', async () => {
  const fx = JSON.parse(readFileSync(join(FIXTURES, 'orcl-bracket-rejected.json'), 'utf8')) as Fixture;
  const bars = readBarsFile(join(DATA, fx.data_file), { symbol: 'X' }).bars;
  const riskPolicies = DEFAULT_POLICY_CHAIN.filter((p) => p.id !== 'max-drawdown');
  const run = await runStrategy(overreachingBracketTrader, { bars, cash: fx.cash, commission: { kind: 'percent', percent: fx.commission_pct }, riskPolicies });
  assert.equal(run.result.status, 'ok');
  const completed = fx.orders.filter((o) => o.status === 'Completed');
  assert.equal(run.fills.length, completed.length, 'fills');
  completed.forEach((o, i) => {
    const f = run.fills[i]!;
    assert.deepEqual([f.ts.slice(0, 10), f.side, f.qty, f.price, f.commission], [o.fill_date, o.side, o.size, o.fill_price, o.commission], `order ${i} (${o.type} ${o.date})`);
  });
  const rejected = fx.orders.filter((o) => o.status === 'Margin' || o.status === 'Rejected').length;
  assert.equal(rejected, 3 * 302, 'the fixture: 302 entries Margin, each with its two children Rejected');
  assert.equal(run.result.orders, fx.orders.length, 'orders (entries and both children, the rejected ones too)');
  assert.equal(run.result.ordersRejected, rejected, 'rejected: each refused entry and its two children');
  assert.equal(run.result.finalCash, fx.final_cash, 'final cash');
  assert.equal(run.result.finalValue, fx.final_value, 'final value');
  const barIndex = new Map(bars.map((b, i) => [b.ts, i]));
  for (const p of run.equity) assert.equal(p.value, fx.values[barIndex.get(p.ts)!], `value on ${new Date(p.ts).toISOString().slice(0, 10)}`);
});

// Flat with nothing working: buy 10 at market; long with nothing working: protect it with a
// trailing stop-limit from the close (its limit 1% under the close, trailing 3%).
const trailLimitProtector = defineStrategyPack({
  id: 'trail-limit-protector',
  version: '1.0.0',
  features: () => [{ kind: 'field', name: 'px', field: 'close' }],
  decide: (v, _memory, _params, book): Decision | null => {
    if (book.openOrders.length > 0) return null;
    const close = v.features.px!;
    const { qty } = book.position;
    if (qty === 0) return { reason: 'enter', orders: [{ side: 'buy', qty: 10 }] };
    return { reason: 'protect', orders: [{ side: 'sell', type: 'stop_trail_limit', stopPrice: close, limitPrice: close * 0.99, trailPercent: 0.03, qty }] };
  },
});

test('ORCL, a trailing stop-limit from decide protecting each position: every fill, value and final cash as backtrader', async () => {
  const fx = JSON.parse(readFileSync(join(FIXTURES, 'orcl-trail-limit-orders.json'), 'utf8')) as Fixture;
  const bars = readBarsFile(join(DATA, fx.data_file), { symbol: 'X' }).bars;
  const riskPolicies = DEFAULT_POLICY_CHAIN.filter((p) => p.id !== 'max-drawdown');
  const run = await runStrategy(trailLimitProtector, { bars, cash: fx.cash, commission: { kind: 'percent', percent: fx.commission_pct }, riskPolicies });
  assert.equal(run.result.status, 'ok');
  const completed = fx.orders.filter((o) => o.status === 'Completed');
  assert.ok(completed.filter((o) => o.type === 'stop_trail_limit').length > 800);
  assert.equal(run.fills.length, completed.length, 'fills');
  completed.forEach((o, i) => {
    const f = run.fills[i]!;
    assert.deepEqual([f.ts.slice(0, 10), f.side, f.qty, f.price, f.commission], [o.fill_date, o.side, o.size, o.fill_price, o.commission], `order ${i} (${o.type} ${o.date})`);
  });
  assert.equal(run.result.orders, fx.orders.length, 'orders');
  assert.equal(run.result.finalCash, fx.final_cash, 'final cash');
  assert.equal(run.result.finalValue, fx.final_value, 'final value');
  const barIndex = new Map(bars.map((b, i) => [b.ts, i]));
  for (const p of run.equity) assert.equal(p.value, fx.values[barIndex.get(p.ts)!], `value on ${new Date(p.ts).toISOString().slice(0, 10)}`);
});

const breakout = defineStrategyPack({
  id: 'oco-breakout',
  version: '1.0.0',
  features: () => [{ kind: 'field', name: 'px', field: 'close' }],
  decide: (v, memory, _params, book): Decision | null => {
    const m = memory as unknown as Memory;
    m.bar = (m.bar ?? 0) + 1;
    (m.barOf ??= new Map()).set(v.ts, m.bar);
    const { qty, entryTs } = book.position;
    const working = book.openOrders;
    const close = v.features.px!;
    if (qty === 0) {
      if (working.length === 0) {
        return { reason: 'straddle', orders: [
          { side: 'buy', type: 'stop', stopPrice: close * 1.03, qty: 10, ocoGroup: 'breakout' },
          { side: 'sell', type: 'stop', stopPrice: close * 0.97, qty: 10, ocoGroup: 'breakout' },
        ] };
      }
      return m.bar - m.barOf.get(working[0]!.ts)! >= 5 ? { reason: 'stale', cancel: [working[0]!.clientOrderId] } : null;
    }
    return (v.ts - entryTs!) / DAY_MS >= 10 ? { reason: 'time_exit', orders: [{ side: qty > 0 ? 'sell' : 'buy', qty: Math.abs(qty) }] } : null;
  },
});

test('YHOO, a one-cancels-other breakout from decide (a buy stop above, a sell stop below), canceled stale pairs, time exits: every fill, value and final cash as backtrader', async () => {
  const fx = JSON.parse(readFileSync(join(FIXTURES, 'yhoo-oco-breakout.json'), 'utf8')) as Fixture;
  const bars = readBarsFile(join(DATA, fx.data_file), { symbol: 'X' }).bars;
  const run = await runStrategy(breakout, { bars, cash: fx.cash, commission: { kind: 'percent', percent: fx.commission_pct }, riskPolicies: DEFAULT_POLICY_CHAIN.filter((p) => p.id !== 'max-drawdown') });
  assert.equal(run.result.status, 'ok');
  const completed = fx.orders.filter((o) => o.status === 'Completed');
  assert.equal(run.fills.length, completed.length, 'fills');
  completed.forEach((o, i) => {
    const f = run.fills[i]!;
    assert.deepEqual([f.ts.slice(0, 10), f.side, f.qty, f.price, f.commission], [o.fill_date, o.side, o.size, o.fill_price, o.commission], `order ${i} (${o.type} ${o.date})`);
  });
  assert.equal(run.result.orders, fx.orders.length, 'orders');
  assert.equal(run.result.finalCash, fx.final_cash, 'final cash');
  assert.equal(run.result.finalValue, fx.final_value, 'final value');
  const barIndex = new Map(bars.map((b, i) => [b.ts, i]));
  for (const p of run.equity) assert.equal(p.value, fx.values[barIndex.get(p.ts)!], `value on ${new Date(p.ts).toISOString().slice(0, 10)}`);
});

test('an OCO link to a working order of an earlier bar (ocoWith its client order id): the later stop cancels the resting limit when it fills, through the whole pipeline', async () => {
  // Bar 1: a buy limit far under the market. Bar 2: a buy stop just over the close, linked to it.
  const linked = defineStrategyPack({
    id: 'oco-with',
    version: '1.0.0',
    features: () => [{ kind: 'field', name: 'px', field: 'close' }],
    decide: (v, memory, _params, book): Decision | null => {
      const m = memory as { bar?: number };
      m.bar = (m.bar ?? 0) + 1;
      const close = v.features.px!;
      if (m.bar === 1) return { reason: 'far_limit', orders: [{ side: 'buy', type: 'limit', limitPrice: close * 0.5, qty: 1 }] };
      if (m.bar === 2) return { reason: 'stop_over', orders: [{ side: 'buy', type: 'stop', stopPrice: close * 1.001, qty: 1, ocoWith: book.openOrders[0]!.clientOrderId }] };
      return null;
    },
  });
  const bars = readBarsFile(join(DATA, 'orcl-1995-2014.txt'), { symbol: 'X' }).bars.slice(0, 60);
  const run = await runStrategy(linked, { bars, cash: 10_000 });
  assert.equal(run.result.status, 'ok');
  assert.equal(run.result.orders, 2);
  assert.equal(run.fills.length, 1, 'the stop filled once the market rose through it');
  assert.equal(run.result.ordersUnfilled, 0, 'the limit was canceled with it, not left working');
});
