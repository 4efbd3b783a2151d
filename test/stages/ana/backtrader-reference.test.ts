// The two reference cases of ../shared/reference/backtest_cases.json (backtrader 1.9.78),
// run through RISK → EXEC (PaperBroker) → PORT → ANA → AUDIT by hand. The strategy side
// (SMA, crossover) is computed here, in the test, to the cases' definitions; everything
// after the signal is the product. Fills, cash, value, drawdown and trades must match.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Bar } from '../../../src/domain/market.ts';
import type { Signal } from '../../../src/domain/signal.ts';
import { Pipeline, signal } from '../exec/support.ts';

const SHARED = fileURLToPath(new URL('../../../../shared/', import.meta.url));
const CASES = `${SHARED}reference/backtest_cases.json`;

interface RefCase {
  id: string;
  data_files: string[];
  symbols: string[];
  starting_cash: number;
  expected: {
    orders: number;
    orders_filled: number;
    orders_rejected: number;
    orders_unfilled_at_end: number;
    fills: number;
    trades: number;
    final_cash: number;
    final_value: number;
    max_drawdown_pct: number;
    max_drawdown_money: number;
    max_drawdown_trough_date: string;
    total_return_pct: number;
    total_commission: number;
    open_positions_at_end: Record<string, { size: number; entry_price: number }>;
    all_fills: [string, string, string, number, number, number, string][];
    closed_trades: [string, string, string, null, number, number, number][];
  };
}

/** Exactly rounded sum (Shewchuk / Python math.fsum), as backtrader's SMA uses. */
function fsum(xs: readonly number[]): number {
  const partials: number[] = [];
  for (let x of xs) {
    let i = 0;
    for (let y of partials) {
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    partials.length = i;
    partials.push(x);
  }
  let n = partials.length;
  let hi = 0;
  if (n > 0) {
    hi = partials[--n];
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = partials[--n];
      hi = x + y;
      const yr = hi - x;
      lo = y - yr;
      if (lo !== 0) break;
    }
    if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
      const y = lo * 2;
      const x = hi + y;
      const yr = x - hi;
      if (y === yr) hi = x;
    }
  }
  return hi;
}

function sma(closes: number[], n: number): (number | undefined)[] {
  return closes.map((_, i) => (i + 1 < n ? undefined : fsum(closes.slice(i + 1 - n, i + 1)) / n));
}

/** backtrader CrossOver with the "last non-zero difference" memory. */
function crossover(a: (number | undefined)[], b: (number | undefined)[]): number[] {
  const out: number[] = a.map(() => 0);
  let nzd: number | undefined;
  for (let t = 0; t < a.length; t++) {
    const at = a[t];
    const bt = b[t];
    if (at === undefined || bt === undefined) continue;
    const diff = at - bt;
    if (nzd === undefined) {
      nzd = diff;
      continue;
    }
    if (nzd < 0 && at > bt) out[t] = 1;
    else if (nzd > 0 && at < bt) out[t] = -1;
    if (diff !== 0) nzd = diff;
  }
  return out;
}

function loadBars(file: string, symbol: string): Bar[] {
  const lines = readFileSync(`${SHARED}${file}`, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const col = (name: string) => header.indexOf(name);
  return lines.slice(1).map((line) => {
    const f = line.split(',');
    return { symbol, ts: Date.parse(`${f[col('Date')]}T00:00:00Z`), open: Number(f[col('Open')]), high: Number(f[col('High')]), low: Number(f[col('Low')]), close: Number(f[col('Close')]), volume: Number(f[col('Volume')]) };
  });
}

const day = (ts: number) => new Date(ts).toISOString().slice(0, 10);

function runCase(c: RefCase, cross: (closes: number[]) => number[], qty: number) {
  const symbol = c.symbols[0];
  const bars = loadBars(c.data_files[0], symbol);
  const x = cross(bars.map((b) => b.close));
  const p = new Pipeline({ startingCash: c.starting_cash, risk: { sizing: { kind: 'fixed', qty }, maxDrawdown: Number.POSITIVE_INFINITY } });
  const fills: [string, string, string, number, number, number, string][] = [];
  const decidedAt = new Map<string, number>();
  let last;
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i];
    const sigs: Signal[] = x[i] === 1 ? [signal(symbol, 'LONG', b.ts)] : x[i] === -1 ? [signal(symbol, 'FLAT', b.ts)] : [];
    last = p.step(b.ts, [b], sigs);
    for (const s of last.EXEC!.submitted) decidedAt.set(s.intent.clientOrderId, s.intent.ts);
    for (const r of last.EXEC!.resolved) for (const f of r.fills) fills.push([day(f.ts), f.symbol, f.side, f.qty, f.price, f.commission, day(decidedAt.get(f.clientOrderId)!)]);
  }
  return { p, fills, last: last! };
}

function check(c: RefCase, run: ReturnType<typeof runCase>): void {
  const e = c.expected;
  const { p, fills, last } = run;
  const stats = p.ana.orderStats();
  assert.deepEqual(
    [stats.orders, stats.filled, stats.rejected, stats.unfilled, stats.fills],
    [e.orders, e.orders_filled, e.orders_rejected, e.orders_unfilled_at_end, e.fills],
  );
  assert.equal(fills.length, e.all_fills.length);
  fills.forEach((f, i) => {
    const x = e.all_fills[i];
    assert.deepEqual([f[0], f[1], f[2], f[3], f[6]], [x[0], x[1], x[2], x[3], x[6]], `fill ${i}`);
    assert.ok(Math.abs(f[4] - x[4]) <= 1e-9, `fill ${i} price ${f[4]} vs ${x[4]}`);
    assert.equal(f[5], x[5]);
  });
  const port = last.PORT!;
  assert.ok(Math.abs(port.cash - e.final_cash) <= 1e-4, `final cash ${port.cash} vs ${e.final_cash}`);
  assert.ok(Math.abs(port.equity - e.final_value) <= 1e-4, `final value ${port.equity} vs ${e.final_value}`);
  assert.ok(Math.abs(p.broker.fetchAccount().cash - e.final_cash) <= 1e-4, 'the broker agrees');
  const kpis = last.ANA!.kpis;
  assert.ok(Math.abs(kpis.maxDrawdownPct - e.max_drawdown_pct) <= 1e-6, `max dd ${kpis.maxDrawdownPct} vs ${e.max_drawdown_pct}`);
  assert.ok(Math.abs(kpis.maxDrawdownMoney - e.max_drawdown_money) <= 1e-4, `max dd money ${kpis.maxDrawdownMoney} vs ${e.max_drawdown_money}`);
  assert.equal(day(p.ana.drawdown()!.troughTs!), e.max_drawdown_trough_date);
  assert.ok(Math.abs(kpis.totalReturnPct - e.total_return_pct) <= 1e-6);
  assert.equal(kpis.fees, e.total_commission);
  assert.equal(kpis.trades, e.trades);
  const trades = p.ana.closedTrades();
  assert.equal(trades.length, e.closed_trades.length);
  trades.forEach((t, i) => {
    const x = e.closed_trades[i];
    assert.deepEqual([t.symbol, day(t.openTs), day(t.closeTs)], [x[0], x[1], x[2]], `trade ${i}`);
    assert.ok(Math.abs(t.entryPrice - x[4]) <= 1e-9);
    assert.ok(Math.abs(t.pnlGross - x[5]) <= 1e-4, `trade ${i} gross ${t.pnlGross} vs ${x[5]}`);
    assert.ok(Math.abs(t.pnlNet - x[6]) <= 1e-4);
  });
  const open = Object.fromEntries(p.ana.openTrades().map((o) => [o.symbol, { size: o.qty, entry_price: o.entryPrice }]));
  assert.deepEqual(open, e.open_positions_at_end);
  assert.equal(p.breaches.length, 0);
  assert.equal(p.gov.submitAudits().length, e.orders - stats.riskRejected);
}

const available = existsSync(CASES);
const cases: RefCase[] = available ? (JSON.parse(readFileSync(CASES, 'utf8')) as RefCase[]) : [];

test('reference case a: SMA(15) x SMA(30) on ORCL 1995-2014, 10 shares, matches backtrader', { skip: !available && 'shared reference data not found' }, () => {
  const c = cases.find((x) => x.id === 'a_smacross_15_30_orcl_nocomm')!;
  check(c, runCase(c, (closes) => crossover(sma(closes, 15), sma(closes, 30)), 10));
});

test("reference case e: Close x SMA(15) on 2006-day-001, 1 unit (backtrader's own test), matches backtrader", { skip: !available && 'shared reference data not found' }, () => {
  const c = cases.find((x) => x.id === 'e_bt_test_strategy_unoptimized_stocklike')!;
  check(c, runCase(c, (closes) => crossover(closes, sma(closes, 15)), 1));
});
