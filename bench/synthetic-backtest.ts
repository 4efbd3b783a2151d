// The backtest the synthetic benchmarks share (backtestUniverse, backtestMemory): seeded
// SyntheticBarSource bars, sma-cross 15/30, 10 shares per order, a SQLite file in a temporary
// directory and metrics as in backtestSingle. Each benchmark says only how many symbols and
// bars, and reads its own figures off what comes back.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runBacktest, type CycleRecords } from '../src/modes/backtest/backtest-driver.ts';
import { loadConfig } from '../src/config/load.ts';
import { createEngineObserver } from '../src/observability/engine-observer.ts';
import { createOrchMetrics } from '../src/observability/metrics.ts';
import { openDatabase } from '../src/persistence/database.ts';
import { SyntheticBarSource } from '../src/adapters/data/synthetic-bar-source.ts';

export interface SyntheticBacktestRun {
  /** Bars per symbol the run went through. */
  bars: number;
  fills: number;
  seconds: number;
  /** RSS when the run started (everything loaded), and the process's peak RSS after it. */
  startRssMb: number;
  peakRssMb: number;
}

export async function runSyntheticBacktest(opts: { name: string; symbols: number; bars: number; cycleRecords: CycleRecords }): Promise<SyntheticBacktestRun> {
  const config = loadConfig({ env: {} }).config;
  const dir = mkdtempSync(join(tmpdir(), `ordinis-bench-${opts.name}-`));
  const db = openDatabase({ path: join(dir, `${opts.name}.db`) });
  try {
    const source = new SyntheticBarSource({ symbols: opts.symbols, bars: opts.bars, seed: 42 });
    const startRssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
    const t0 = performance.now();
    const { result } = await runBacktest(
      {
        dataFiles: [],
        source,
        strategy: 'sma-cross',
        strategyParams: { fast: 15, slow: 30 },
        sizing: { kind: 'fixed', qty: 10 },
        cash: 1_000_000,
        commission: { kind: 'none' },
      },
      { config, db, observer: createEngineObserver({ metrics: createOrchMetrics() }), cycleRecords: opts.cycleRecords },
    );
    const seconds = (performance.now() - t0) / 1000;
    if (result.status !== 'ok') throw new Error(`backtest failed: ${JSON.stringify(result.error)}`);
    return { bars: result.bars, fills: result.fills.length, seconds, startRssMb, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
