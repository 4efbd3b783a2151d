// Short sales and reversals through the whole default pipeline, against backtrader 1.9.78
// (test/fixtures/backtrader/orders/, see the README there): an SMA crossover that is always
// in the market (LONG on a cross up, SHORT on a cross down: a reversal is two orders, the
// close then the opening one) on ORCL with commission, and a short-only one (SHORT on a
// cross down, FLAT on a cross up: buy to cover) on YHOO. Every fill, the value after every
// bar and the final cash and value equal to backtrader's; `decide` is shown the book as the
// venue holds it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readBarsFile } from '../../../src/adapters/data/csv-bars.ts';
import { defineStrategyPack, type TradingView } from '../../../src/stages/sig/strategy-pack.ts';
import type { Direction } from '../../../src/domain/signal.ts';
import { runStrategy } from '../../../src/testing/run-strategy.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'backtrader', 'orders');
const DATA = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'backtrader');

interface BtOrder { date: string; side: 'buy' | 'sell'; size: number; status: string; fill_date: string; fill_price: number; commission: number }
interface LongShortFixture {
  data_file: string;
  mode: 'long_short' | 'short_only';
  fast: number;
  slow: number;
  stake: number;
  cash: number;
  commission_pct: number;
  orders: BtOrder[];
  /** broker.getvalue() in each `next`, from the first bar the crossover is defined on. */
  values: number[];
  final_cash: number;
  final_value: number;
  final_position: number;
  /** backtrader's TradeAnalyzer: closed trades, long and short, and their summed PnL. */
  trades_closed: number;
  trades_long: number;
  trades_short: number;
  trades_pnl_gross: number;
  trades_pnl_net: number;
}

interface Shown { ts: number; view: TradingView }

/** The crossover pack of the fixture; it records what `decide` is shown. */
function crossPack(mode: LongShortFixture['mode'], shown: Shown[]) {
  const up: Direction = mode === 'long_short' ? 'LONG' : 'FLAT';
  return defineStrategyPack({
    id: `sma-${mode.replace('_', '-')}`,
    version: '1.0.0',
    params: z.object({ fast: z.number().int(), slow: z.number().int() }),
    features: (p) => [
      { kind: 'sma', name: 'fast', period: p.fast },
      { kind: 'sma', name: 'slow', period: p.slow },
      { kind: 'crossover', name: 'cross', a: 'fast', b: 'slow' },
    ],
    decide: (v, _memory, _params, book) => {
      shown.push({ ts: v.ts, view: book });
      const c = v.features.cross;
      return c === 1 ? { direction: up, reason: 'cross_up' } : c === -1 ? { direction: 'SHORT', reason: 'cross_down' } : null;
    },
  });
}

async function replay(file: string): Promise<{ fx: LongShortFixture; reversals: number }> {
  const fx = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as LongShortFixture;
  const bars = readBarsFile(join(DATA, fx.data_file), { symbol: 'X' }).bars;
  const shown: Shown[] = [];
  const run = await runStrategy(crossPack(fx.mode, shown), {
    bars,
    params: { fast: fx.fast, slow: fx.slow },
    cash: fx.cash,
    sizing: { kind: 'fixed', qty: fx.stake },
    ...(fx.commission_pct ? { commission: { kind: 'percent', percent: fx.commission_pct } } : {}),
  });
  assert.equal(run.result.status, 'ok');
  assert.equal(run.result.orders, fx.orders.length, 'orders');
  assert.equal(run.fills.length, fx.orders.length, 'fills (every backtrader order completed)');
  fx.orders.forEach((o, i) => {
    const f = run.fills[i]!;
    assert.equal(f.ts.slice(0, 10), o.fill_date, `fill ${i} date`);
    assert.equal(f.side, o.side, `fill ${i} side`);
    assert.equal(f.qty, o.size, `fill ${i} size`);
    assert.equal(f.price, o.fill_price, `fill ${i} price`);
    assert.equal(f.commission, o.commission, `fill ${i} commission`);
  });
  assert.equal(run.result.finalCash, fx.final_cash, 'final cash');
  assert.equal(run.result.finalValue, fx.final_value, 'final value');

  // Round trips, short ones included, as backtrader's TradeAnalyzer counts and sums them.
  const trades = run.closedTrades;
  assert.equal(run.result.trades, fx.trades_closed, 'closed trades');
  assert.equal(trades.filter((t) => t.direction === 'long').length, fx.trades_long, 'long trades');
  assert.equal(trades.filter((t) => t.direction === 'short').length, fx.trades_short, 'short trades');
  // To the cent and far below, not to the bit: backtrader's Trade keeps its own entry price,
  // (0 + size × price) / size, an ulp off the fill price now and then (its broker's position,
  // which moves the cash, takes the price itself, as the ledger does).
  const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9;
  assert.ok(near(trades.reduce((a, t) => a + t.pnlGross, 0), fx.trades_pnl_gross), 'gross PnL of the closed trades');
  assert.ok(near(trades.reduce((a, t) => a + t.pnlNet, 0), fx.trades_pnl_net), 'net PnL of the closed trades');

  // What decide was shown: on the k-th decision bar the equity is backtrader's value at that bar,
  // and the position is what the fills up to that bar add up to.
  assert.equal(shown.length, fx.values.length, 'one decision per bar from the first warm one');
  let qty = 0;
  let avg = 0;
  let entry: number | undefined;
  let next = 0;
  let reversals = 0;
  shown.forEach(({ ts, view }, k) => {
    assert.equal(view.account.equity, fx.values[k], `equity shown on decision bar ${k}`);
    for (; next < run.fills.length && Date.parse(run.fills[next]!.ts) <= ts; next++) {
      const f = run.fills[next]!;
      const before = qty;
      qty += f.side === 'buy' ? f.qty : -f.qty;
      if (qty === 0) entry = undefined;
      else if (before === 0) ((entry = Date.parse(f.ts)), (avg = f.price));
    }
    assert.equal(view.position.qty, qty, `position shown at ${new Date(ts).toISOString()}`);
    assert.equal(view.position.entryTs, entry, `entry time shown at ${new Date(ts).toISOString()}`);
    assert.equal(view.position.avgPrice, qty === 0 ? 0 : avg);
    assert.deepEqual(view.openOrders, [], 'every order filled at the open before the decision');
    if (qty !== 0 && k > 0 && shown[k - 1]!.view.position.qty === -qty) reversals++;
  });
  assert.equal(qty, fx.final_position, 'final position');
  return { fx, reversals };
}

test('ORCL always in the market (LONG / SHORT reversals, 0.1% commission): every fill, value and final cash as backtrader', async () => {
  const { reversals } = await replay('orcl-sma-long-short.json');
  assert.ok(reversals > 100, `reversals through zero (${reversals})`);
});

test('YHOO short only (SHORT / FLAT: sell short, buy to cover): every fill, value and final cash as backtrader', async () => {
  const { fx } = await replay('yhoo-sma-short-only.json');
  assert.ok(fx.orders.every((o, i) => o.side === (i % 2 === 0 ? 'sell' : 'buy')), 'short sales and covers alternate');
});
