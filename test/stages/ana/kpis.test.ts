import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Fill } from '../../../src/domain/order.ts';
import { KpiAccumulator } from '../../../src/stages/ana/kpis.ts';
import { TradeTracker } from '../../../src/stages/ana/trades.ts';
import { OrdinisError } from '../../../src/errors.ts';

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));

test('KPIs on a hand-computed series', () => {
  const k = new KpiAccumulator({ startingValue: 100, periodsPerYear: 4 });
  const values = [110, 99, 121, 121];
  values.forEach((v, i) => k.observeBar(i + 1, v, i % 2 === 0));
  k.observeFill(1000, 1.5);
  k.observeFill(-500, 0.5);
  for (const pnl of [5, -2, 1]) k.observeTrade(pnl);
  const { kpis, quality } = k.snapshot();

  const r = [0.1, 99 / 110 - 1, 121 / 99 - 1, 0];
  const mean = r.reduce((a, b) => a + b, 0) / 4;
  const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
  const downside = Math.sqrt(((99 / 110 - 1) ** 2) / 4);

  assert.ok(close(kpis.totalReturnPct, 21));
  assert.ok(close(kpis.annualizedReturnPct!, 21), 'one year of quarterly bars: annualized = total');
  assert.ok(close(kpis.volatilityPct!, sd * 2 * 100));
  assert.ok(close(kpis.sharpe!, (mean / sd) * 2));
  assert.ok(close(kpis.sortino!, (mean / downside) * 2));
  assert.ok(close(kpis.maxDrawdownPct, 10)); // 110 → 99
  assert.ok(close(kpis.maxDrawdownMoney, 11));
  assert.ok(close(kpis.calmar!, 2.1));
  assert.ok(close(kpis.winRatePct!, 200 / 3));
  assert.equal(kpis.profitFactor, 3);
  assert.equal(kpis.exposurePct, 50);
  assert.ok(close(kpis.turnover, 1500 / ((110 + 99 + 121 + 121) / 4)));
  assert.equal(kpis.fees, 2);
  assert.equal(kpis.trades, 3);
  assert.equal(kpis.bars, 4);
  assert.deepEqual(quality, ['TOO_FEW_BARS', 'TOO_FEW_TRADES']);
  assert.equal(k.drawdown().troughTs, 2);
});

test("drawdown is backtrader's: running peak over all bars, percent and money maximised independently", () => {
  const k = new KpiAccumulator({ startingValue: 100 });
  [100, 50, 1000, 900].forEach((v, i) => k.observeBar(i, v, false));
  const dd = k.drawdown();
  assert.equal(dd.maxPct, 50);
  assert.equal(dd.maxMoney, 100);
  assert.equal(dd.troughTs, 1);
  assert.equal(dd.currentPct, (100.0 * (1000 - 900)) / 1000);
  // The starting value is not a peak: only observed bar values are (warm-up bars included).
  const k2 = new KpiAccumulator({ startingValue: 1000 });
  k2.observeBar(0, 900, false);
  assert.equal(k2.drawdown().maxPct, 0);
});

test('currentDrawdownPct is drawdown().currentPct at every bar (what ANA puts on the equity curve)', () => {
  const k = new KpiAccumulator({ startingValue: 100 });
  for (const [i, v] of [100, 50, 1000, 900, 901.5, 1200, 0.5].entries()) {
    k.observeBar(i, v, false);
    assert.equal(k.currentDrawdownPct, k.drawdown().currentPct);
  }
});

test('undefined KPIs are null and flagged, never garbage', () => {
  const empty = new KpiAccumulator({ startingValue: 100 }).snapshot();
  assert.equal(empty.kpis.annualizedReturnPct, null);
  assert.equal(empty.kpis.volatilityPct, null);
  assert.equal(empty.kpis.sharpe, null);
  assert.equal(empty.kpis.sortino, null);
  assert.equal(empty.kpis.calmar, null);
  assert.equal(empty.kpis.winRatePct, null);
  assert.equal(empty.kpis.profitFactor, null);
  assert.equal(empty.kpis.totalReturnPct, 0);
  assert.deepEqual(empty.quality, ['TOO_FEW_BARS', 'NO_TRADES']);

  const flat = new KpiAccumulator({ startingValue: 100, minBars: 2 });
  for (let i = 0; i < 40; i++) flat.observeBar(i, 100, false);
  flat.observeTrade(3);
  const s = flat.snapshot();
  assert.equal(s.kpis.volatilityPct, 0);
  assert.equal(s.kpis.sharpe, null);
  assert.equal(s.kpis.sortino, null);
  assert.equal(s.kpis.calmar, null, 'no drawdown: Calmar undefined');
  assert.equal(s.kpis.profitFactor, null, 'no losing trade: profit factor undefined');
  assert.deepEqual(s.quality, ['TOO_FEW_TRADES', 'ZERO_VOLATILITY', 'NO_LOSSES']);

  assert.throws(() => new KpiAccumulator({ startingValue: 0 }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_ANA_COMPUTE_FAILED');
  assert.throws(() => new KpiAccumulator({ startingValue: 1 }).observeBar(0, Number.NaN, false), (e: unknown) => e instanceof OrdinisError && e.code === 'E_ANA_COMPUTE_FAILED');
});

let seq = 0;
function fill(side: 'buy' | 'sell', qty: number, price: number, commission = 0): Fill {
  seq += 1;
  return { fillId: `f${seq}`, clientOrderId: `c${seq}`, symbol: 'X', side, qty, price, commission, ts: seq };
}

test('round trips: average cost, closed when the position returns to zero, net of every commission', () => {
  const t = new TradeTracker();
  assert.equal(t.onFill(fill('buy', 10, 100, 1)), null);
  assert.equal(t.onFill(fill('buy', 10, 110, 1)), null);
  assert.equal(t.onFill(fill('sell', 5, 120, 1)), null, 'a partial close does not end the trade');
  assert.deepEqual(t.openTrades(), [{ symbol: 'X', qty: 15, entryPrice: 105, openTs: seq - 2 }]);
  const done = t.onFill(fill('sell', 15, 100, 1))!;
  assert.equal(done.direction, 'long');
  assert.equal(done.entryPrice, 105);
  assert.equal(done.maxQty, 20);
  assert.equal(done.pnlGross, 5 * 15 + 15 * -5);
  assert.equal(done.commission, 4);
  assert.equal(done.pnlNet, -4);
  assert.deepEqual(t.openTrades(), []);
});

test('a fill through zero closes one trade and opens the next with the remainder', () => {
  const t = new TradeTracker();
  t.onFill(fill('buy', 10, 10, 2));
  const done = t.onFill(fill('sell', 15, 12, 3))!;
  assert.equal(done.pnlGross, 20);
  assert.equal(done.commission, 2 + 2); // two thirds of the reversing fill's 3
  assert.deepEqual(t.openTrades().map((o) => [o.qty, o.entryPrice]), [[-5, 12]]);
  const short = t.onFill(fill('buy', 5, 11, 0))!;
  assert.equal(short.direction, 'short');
  assert.equal(short.pnlGross, 5);
  assert.equal(short.commission, 1);
});
