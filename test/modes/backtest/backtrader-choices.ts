// Reads the fixtures of test/fixtures/backtrader/choices/ (backtrader 1.9.78 runs of the SMA
// crossover; how they were made: test/fixtures/backtrader/README.md) and checks a backtest's
// result against one: counts, final cash and value, and every fill to the cent.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BacktestConfig, BacktestResult } from '../../../src/modes/backtest/backtest-driver.ts';

export const DATA = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'backtrader');

export interface ChoicesFixture {
  data: string[];
  symbols: string[];
  cash: number;
  qty: number;
  /** A fraction of notional (0.001 = 0.1 %), or null for none. */
  commission: number | null;
  fast: number;
  slow: number;
  toDate: string | null;
  firstDecisionDate: string;
  orders: number;
  ordersFilled: number;
  ordersRejected: number;
  ordersUnfilled: number;
  finalCash: number;
  finalValue: number;
  /** Orders as the strategy placed them: symbol, side, decision date, size. */
  submitted: { symbol: string; side: 'buy' | 'sell'; date: string; size: number }[];
  /** [date, symbol, side, size, price, commission] */
  fills: [string, string, 'buy' | 'sell', number, number, number][];
  /** [date of the check, symbol, side, date decided] */
  rejections: [string, string, 'buy' | 'sell', string][];
}

export function readChoicesFixture(name: string): ChoicesFixture {
  return JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'backtrader', 'choices', name), 'utf8')) as ChoicesFixture;
}

/** The fixture's run as a BacktestConfig (the sma-cross pack, fixed size). */
export function backtestOf(fx: ChoicesFixture): BacktestConfig {
  return {
    dataFiles: fx.data.map((f) => join(DATA, f)),
    symbols: fx.symbols,
    strategy: 'sma-cross',
    strategyParams: { fast: fx.fast, slow: fx.slow },
    sizing: { kind: 'fixed', qty: fx.qty },
    cash: fx.cash,
    commission: fx.commission === null ? { kind: 'none' } : { kind: 'percent', percent: fx.commission * 100 },
    ...(fx.toDate ? { to: fx.toDate } : {}),
  };
}

/** Every count, the final cash and value, and every fill (date, symbol, side, size, price, commission) as backtrader's. */
export function assertSameAsBacktrader(r: Pick<BacktestResult, 'status' | 'orders' | 'ordersFilled' | 'ordersRejected' | 'ordersUnfilled' | 'finalCash' | 'finalValue' | 'fills'>, fx: ChoicesFixture): void {
  assert.equal(r.status, 'ok');
  assert.deepEqual(
    { orders: r.orders, filled: r.ordersFilled, rejected: r.ordersRejected, unfilled: r.ordersUnfilled },
    { orders: fx.orders, filled: fx.ordersFilled, rejected: fx.ordersRejected, unfilled: fx.ordersUnfilled },
  );
  assert.equal(r.fills.length, fx.fills.length, 'fills');
  fx.fills.forEach(([date, symbol, side, size, price, commission], i) => {
    const f = r.fills[i]!;
    assert.deepEqual([f.ts.slice(0, 10), f.symbol, f.side, f.qty], [date, symbol, side, size], `fill ${i}`);
    assert.ok(Math.abs(f.price - price) < 1e-9, `fill ${i} price ${f.price} != ${price}`);
    assert.ok(Math.abs(f.commission - commission) < 1e-9, `fill ${i} commission ${f.commission} != ${commission}`);
  });
  assert.ok(Math.abs(r.finalCash - fx.finalCash) < 1e-6, `final cash ${r.finalCash} != ${fx.finalCash}`);
  assert.ok(Math.abs(r.finalValue - fx.finalValue) < 1e-6, `final value ${r.finalValue} != ${fx.finalValue}`);
}
