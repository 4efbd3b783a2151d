// A backtest recorded with `cycleRecords: 'exceptions'` (no run row or CycleResult for an ok
// cycle) must be the same backtest as the per-cycle path ('all'): every fill, the final cash
// and value, drawdown and KPIs, the equity curve and the closed trades, on the reference data
// (ORCL, the shared backtrader files) and on a seeded multi-symbol universe.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runBacktest, type BacktestConfig, type CycleRecords } from '../../../src/modes/backtest/backtest-driver.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { openDatabase } from '../../../src/persistence/database.ts';
import { SyntheticBarSource } from '../../../src/adapters/data/synthetic-bar-source.ts';

const config = loadConfig({ env: {} }).config;
const SAMPLES = join(import.meta.dirname, '..', '..', '..', 'samples');
const SHARED = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'backtrader');
const shared = (f: string): string => (existsSync(join(SHARED, f)) ? join(SHARED, f) : join(SAMPLES, f));

async function run(bt: () => BacktestConfig, cycleRecords: CycleRecords) {
  const db = openDatabase({ path: join(mkdtempSync(join(tmpdir(), 'ordinis-fastpath-')), 'bt.db') });
  try {
    const out = await runBacktest(bt(), { config, db, cycleRecords });
    const cycleRows = db.runs.listRuns({ parentRunId: out.result.runId, limit: 1000 });
    const snapshot = db.runs.getConfigSnapshot(out.result.runId)!.config;
    const summary = db.runs.listArtifacts(out.result.runId, 'backtest_summary')[0]!.content as { cycles: unknown };
    const curve = db.runs.listArtifacts(out.result.runId, 'equity_curve')[0]!.content;
    return { ...out, cycleRows, snapshot, summary, curve };
  } finally {
    db.close();
  }
}

const cases: [string, () => BacktestConfig][] = [
  [
    'reference case a: ORCL 1995-2014, sma-cross 15/30, 10 shares',
    () => ({ dataFiles: [join(SAMPLES, 'orcl-1995-2014.txt')], symbols: ['ORCL'], strategy: 'sma-cross', strategyParams: { fast: 15, slow: 30 }, sizing: { kind: 'fixed', qty: 10 }, cash: 10_000, commission: { kind: 'none' } }),
  ],
  [
    'ORCL + YHOO, weight sizing, 0.1% commission',
    () => ({
      dataFiles: [shared('orcl-1995-2014.txt'), shared('yhoo-1996-2014.txt')],
      symbols: ['ORCL', 'YHOO'],
      strategy: 'sma-cross',
      strategyParams: { fast: 10, slow: 30 },
      sizing: { kind: 'weight', weight: 0.3 },
      cash: 100_000,
      commission: { kind: 'percent', percent: 0.1 },
    }),
  ],
  [
    'synthetic universe: 25 symbols x 1500 bars',
    () => ({ dataFiles: [], source: new SyntheticBarSource({ symbols: 25, bars: 1500, seed: 9 }), strategy: 'sma-cross', strategyParams: { fast: 15, slow: 30 }, sizing: { kind: 'fixed', qty: 10 }, cash: 1_000_000, commission: { kind: 'none' } }),
  ],
];

describe("cycleRecords 'exceptions' is the same backtest as 'all'", () => {
  for (const [name, bt] of cases) {
    test(name, async () => {
      const all = await run(bt, 'all');
      const lean = await run(bt, 'exceptions');
      const a = all.result;
      const b = lean.result;
      assert.equal(a.status, 'ok');
      assert.ok(a.fills.length > 0, 'the case trades');
      assert.deepEqual(b.fills, a.fills, 'every fill');
      assert.equal(b.finalCash, a.finalCash);
      assert.equal(b.finalValue, a.finalValue);
      assert.equal(b.maxDrawdownPct, a.maxDrawdownPct);
      assert.deepEqual(b.kpis, a.kpis);
      assert.deepEqual(lean.artifacts.equity, all.artifacts.equity, 'equity curve');
      assert.deepEqual(lean.artifacts.closedTrades, all.artifacts.closedTrades, 'closed trades');
      assert.deepEqual(lean.curve, all.curve, 'stored equity curve');
      assert.deepEqual(b, a, 'the whole result, run id included');
      // What differs is only what is recorded per cycle: every cycle vs none (all were ok),
      // with the per-status counts in the summary either way.
      assert.equal(all.cycleRows.length, Math.min(1000, a.bars));
      assert.equal(lean.cycleRows.length, 0);
      assert.deepEqual(lean.summary.cycles, { ok: a.bars, degraded: 0, failed: 0, blocked: 0 });
      assert.deepEqual(lean.summary.cycles, all.summary.cycles);
      assert.equal(lean.snapshot.cycleRecords, 'exceptions');
      assert.equal(all.snapshot.cycleRecords, undefined, "the default 'all' leaves the snapshot as it was");
    });
  }
});
