// Two symbols, weight sizing and a percentage commission, checked against a small
// independent simulation of the reference semantics (written here as a plain loop, sharing
// only the exact SMA with the product). Also: the same run twice is bit-for-bit identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runBacktest, type BacktestConfig } from '../../../src/modes/backtest/backtest-driver.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { readBarsFile } from '../../../src/adapters/data/csv-bars.ts';
import { fsum } from '../../../src/stages/feat/fsum.ts';
import type { Bar } from '../../../src/domain/market.ts';

const DATA = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'backtrader');
const files = [join(DATA, 'yhoo-1996-2014.txt'), join(DATA, 'orcl-1995-2014.txt')];
const symbols = ['YHOO', 'ORCL'];
// The drawdown guard is RISK's, not the reference semantics': off for the comparison.
const config = loadConfig({ env: {}, overrides: { RISK_MAX_DRAWDOWN: 1 } }).config;
const bt: BacktestConfig = {
  dataFiles: files,
  symbols,
  strategy: 'sma-cross',
  strategyParams: { fast: 10, slow: 30 },
  sizing: { kind: 'weight', weight: 0.6 },
  cash: 10000,
  commission: { kind: 'percent', percent: 0.1 },
  from: '1996-04-12',
  to: '2001-12-31',
};

interface SimFill { ts: number; symbol: string; side: 'buy' | 'sell'; qty: number; price: number; commission: number }

function simulate(): { fills: SimFill[]; cash: number; value: number; orders: number; rejected: number } {
  const series = files.map((f, i) => readBarsFile(f, { symbol: symbols[i]!, from: bt.from!, to: bt.to! }).bars);
  const byTs = new Map<number, Map<string, Bar>>();
  for (const s of series) for (const b of s) (byTs.get(b.ts) ?? byTs.set(b.ts, new Map()).get(b.ts)!).set(b.symbol, b);
  const times = [...byTs.keys()].sort((a, b) => a - b);
  const closes = new Map<string, number[]>(symbols.map((s) => [s, []]));
  const nzd = new Map<string, number | undefined>();
  const pos = new Map<string, number>(symbols.map((s) => [s, 0]));
  const last = new Map<string, number>();
  let pending: { symbol: string; side: 'buy' | 'sell'; qty: number }[] = [];
  let cash = bt.cash;
  let orders = 0;
  let rejected = 0;
  const fills: SimFill[] = [];
  const comm = (qty: number, price: number) => qty * (0.1 / 100) * price;
  const sma = (xs: number[], n: number) => (xs.length >= n ? fsum(xs, xs.length - n, xs.length) / n : undefined);
  for (const ts of times) {
    const now = byTs.get(ts)!;
    // The venue: orders resting from the previous bar fill at this bar's open, in submission order.
    const still: typeof pending = [];
    for (const o of pending) {
      const bar = now.get(o.symbol);
      if (!bar) { still.push(o); continue; }
      const c = comm(o.qty, bar.open);
      if (o.side === 'buy') {
        if (o.qty * bar.open + c > cash) { rejected++; continue; }
        cash -= o.qty * bar.open; cash -= c; pos.set(o.symbol, pos.get(o.symbol)! + o.qty);
      } else {
        cash += o.qty * bar.open; cash -= c; pos.set(o.symbol, pos.get(o.symbol)! - o.qty);
      }
      fills.push({ ts, symbol: o.symbol, side: o.side, qty: o.qty, price: bar.open, commission: c });
    }
    pending = still;
    for (const [s, b] of now) { closes.get(s)!.push(b.close); last.set(s, b.close); }
    let value = cash;
    for (const s of symbols) value += pos.get(s)! * (last.get(s) ?? 0);
    // The strategy, then the submission cash check at this close, in symbol order.
    let running = cash;
    for (const s of symbols) {
      const bar = now.get(s);
      if (!bar) continue;
      const xs = closes.get(s)!;
      const f = sma(xs, 10), sl = sma(xs, 30);
      if (f === undefined || sl === undefined) continue;
      const diff = f - sl;
      const prev = nzd.get(s);
      nzd.set(s, diff !== 0 || prev === undefined ? diff : prev);
      if (prev === undefined) continue;
      const cross = prev < 0 && f > sl ? 1 : prev > 0 && f < sl ? -1 : 0;
      if (pending.some((o) => o.symbol === s)) continue;
      let order: (typeof pending)[number] | undefined;
      if (cross === 1 && pos.get(s) === 0) {
        const qty = Math.floor((0.6 * value) / bar.close);
        if (qty > 0) order = { symbol: s, side: 'buy', qty };
      } else if (cross === -1 && pos.get(s)! > 0) order = { symbol: s, side: 'sell', qty: pos.get(s)! };
      if (!order) continue;
      orders++;
      if (order.side === 'buy') running -= order.qty * bar.close; else running += order.qty * bar.close;
      running -= comm(order.qty, bar.close);
      if (running < 0) { rejected++; continue; }
      pending.push(order);
    }
  }
  let value = cash;
  for (const s of symbols) value += pos.get(s)! * last.get(s)!;
  return { fills, cash, value, orders, rejected };
}

test('two symbols, weight sizing, 0.1% commission: matches an independent simulation', async () => {
  const { result: r } = await runBacktest(bt, { config });
  const sim = simulate();
  assert.equal(r.status, 'ok');
  assert.ok(sim.fills.length > 20, `enough activity to mean something (${sim.fills.length} fills)`);
  assert.ok(sim.rejected > 0 || r.ordersRejected === 0);
  assert.equal(r.orders, sim.orders, 'orders');
  assert.equal(r.ordersRejected, sim.rejected, 'rejected');
  assert.equal(r.fills.length, sim.fills.length, 'fills');
  r.fills.forEach((f, i) => {
    const x = sim.fills[i]!;
    assert.deepEqual([Date.parse(f.ts), f.symbol, f.side, f.qty, f.price], [x.ts, x.symbol, x.side, x.qty, x.price], `fill ${i}`);
    assert.ok(Math.abs(f.commission - x.commission) < 1e-9, `fill ${i} commission`);
  });
  assert.ok(Math.abs(r.finalCash - sim.cash) < 1e-6, `cash ${r.finalCash} vs ${sim.cash}`);
  assert.ok(Math.abs(r.finalValue - sim.value) < 1e-6, `value ${r.finalValue} vs ${sim.value}`);
  assert.ok(Math.abs(r.totalCommission - sim.fills.reduce((s, f) => s + f.commission, 0)) < 1e-6);
});

test('the same backtest twice is bit-for-bit identical (results and equity curve)', async () => {
  const a = await runBacktest(bt, { config });
  const b = await runBacktest(bt, { config });
  assert.deepEqual(a.result, b.result);
  assert.deepEqual(a.artifacts.equity, b.artifacts.equity);
  assert.deepEqual(a.artifacts.closedTrades, b.artifacts.closedTrades);
});
