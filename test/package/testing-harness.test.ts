// ordinis-orch/testing as a user's test uses it: bars without a file, and runStrategy over
// the real default pipeline, whose numbers are those of `ordinis backtest`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { barsFromCloses, barsFromRows, runStrategy } from '../../src/testing/index.ts';
import { defineStrategyPack, loadConfig, readBarsFile, runBacktest, smaCross, OrdinisError } from '../../src/index.ts';
import { toBacktestConfig } from '../../src/cli/pipeline-options.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const ORCL = join(ROOT, 'samples', 'orcl-1995-2014.txt');
const REFERENCE = join(ROOT, '..', 'shared', 'reference', 'backtest_cases.json');

test('runStrategy on the ORCL sample with sma-cross 15/30 gives ordinis backtest\'s numbers (reference case a)', async () => {
  const { bars } = readBarsFile(ORCL, { symbol: 'ORCL' });
  const run = await runStrategy(smaCross, { bars, params: { fast: 15, slow: 30 }, sizing: { kind: 'fixed', qty: 10 }, cash: 10_000 });
  // The CLI's path: its flags, its translation, the driver over the CSV file.
  const bt = toBacktestConfig({ data: [ORCL], symbols: 'ORCL', strategy: 'sma-cross', fast: '15', slow: '30', qty: '10', cash: '10000' } as never, 100_000);
  const { result: cli, artifacts } = await runBacktest(bt, { config: loadConfig({ env: {} }).config });
  assert.equal(run.result.status, 'ok');
  assert.deepEqual(run.fills, cli.fills);
  assert.deepEqual(run.kpis, cli.kpis);
  assert.deepEqual(run.closedTrades, artifacts.closedTrades);
  assert.deepEqual(run.equity, artifacts.equity);
  for (const k of ['bars', 'orders', 'ordersFilled', 'ordersRejected', 'trades', 'finalCash', 'finalValue', 'maxDrawdownPct', 'totalReturnPct'] as const) {
    assert.equal(run.result[k], cli[k], k);
  }
  // And both are backtrader's (the shared reference file, when this checkout has it beside it).
  let cases: { id: string; expected: { fills: number; final_cash: number; final_value: number; max_drawdown_pct: number; trades: number } }[] = [];
  try {
    cases = JSON.parse(readFileSync(REFERENCE, 'utf8'));
  } catch {
    return;
  }
  const e = cases.find((c) => c.id === 'a_smacross_15_30_orcl_nocomm')!.expected;
  assert.equal(run.fills.length, e.fills);
  assert.equal(run.closedTrades.length, e.trades);
  assert.ok(Math.abs(run.result.finalCash - e.final_cash) <= 1e-4);
  assert.ok(Math.abs(run.result.finalValue - e.final_value) <= 1e-4);
  assert.ok(Math.abs(run.result.maxDrawdownPct - e.max_drawdown_pct) <= 1e-6);
});

test('barsFromCloses: one bar a day from the start date, open = high = low = close', () => {
  const bars = barsFromCloses([10, 11.5, 9], { symbol: 'ACME', start: '2024-02-28' });
  assert.deepEqual(bars.map((b) => new Date(b.ts).toISOString().slice(0, 10)), ['2024-02-28', '2024-02-29', '2024-03-01']);
  assert.deepEqual(bars[1], { symbol: 'ACME', ts: Date.UTC(2024, 1, 29), open: 11.5, high: 11.5, low: 11.5, close: 11.5, volume: 0 });
  assert.equal(barsFromCloses([1, 2], { stepDays: 7 })[1]!.ts - barsFromCloses([1])[0]!.ts, 7 * 86_400_000);
  assert.equal(barsFromCloses([1])[0]!.symbol, 'TEST');
});

test('barsFromRows takes tuples and objects; bad rows and options are refused, naming them', () => {
  const bars = barsFromRows([[10, 11, 9.5, 10.5, 1000], { open: 10.5, high: 12, low: 10, close: 11.8 }]);
  assert.deepEqual(bars.map((b) => [b.open, b.high, b.low, b.close, b.volume]), [[10, 11, 9.5, 10.5, 1000], [10.5, 12, 10, 11.8, 0]]);
  const refused = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID' && re.test(e.message));
  refused(() => barsFromRows([[10, 11, 9, 10], [10, 9, 9.5, 10]]), /row 1 .*high and low must bound/);
  refused(() => barsFromCloses([10, Number.NaN]), /closes\[1\] = NaN: expected a positive finite number/);
  refused(() => barsFromCloses([10, -1]), /closes\[1\] = -1/);
  refused(() => barsFromRows([[10, Infinity, 9, 10]]), /row 0 \(\[10, Infinity, 9, 10\]\): high must be/);
  refused(() => barsFromRows([[10, 10, 10, 10, -5]]), /volume/);
  refused(() => barsFromCloses([10], { start: '2024-13-01' }), /start "2024-13-01"/);
  refused(() => barsFromCloses([10], { stepDays: 0.5 }), /stepDays/);
  refused(() => barsFromCloses([10], { symbol: '' }), /symbol/);
});

test('runStrategy on a few closes: the fills a test can assert on', async () => {
  const run = await runStrategy(smaCross, { bars: barsFromCloses([5, 4, 3, 4, 5, 6, 7, 6, 5, 4, 3]), params: { fast: 2, slow: 3 }, sizing: { kind: 'fixed', qty: 2 } });
  // Cross up at the 5th close (SMA2 4.5 > SMA3 4), filled at the next bar's open (6);
  // cross down at the 9th (5.5 < 6), filled at 4.
  assert.deepEqual(run.fills.map((f) => [f.ts.slice(0, 10), f.side, f.qty, f.price]), [['2020-01-06', 'buy', 2, 6], ['2020-01-10', 'sell', 2, 4]]);
  assert.equal(run.closedTrades.length, 1);
  assert.equal(run.result.finalValue, 10_000 - 4);
  assert.equal(run.equity.length, 11);
  assert.equal(run.kpis?.trades, 1);
});

test('runStrategy rejects with the run\'s error when the pack throws, and with E_CFG_INVALID for bad parameters', async () => {
  const broken = defineStrategyPack({
    id: 'broken',
    version: '1.0.0',
    features: () => [{ kind: 'sma', name: 's', period: 2 }],
    decide: () => {
      throw new Error('boom in decide');
    },
  });
  await assert.rejects(runStrategy(broken, { bars: barsFromCloses([1, 2, 3]) }), (e: unknown) => e instanceof OrdinisError && /boom in decide/.test(e.message));
  await assert.rejects(runStrategy(smaCross, { bars: barsFromCloses([1, 2, 3]), params: { fast: 5, slow: 3 } }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID' && /fast must be less than slow/.test(e.message));
  await assert.rejects(runStrategy(smaCross, {} as never), /options\.bars must be an array/);
});
