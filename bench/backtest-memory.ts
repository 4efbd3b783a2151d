// backtestMemory: peak RSS of a long single-symbol backtest, 1 000 000 seeded synthetic bars
// (SyntheticBarSource), sma-cross 15/30, 10 shares, a SQLite file and metrics as in
// backtestSingle, results written at the end as `ordinis backtest` writes them. Run by
// bench/run.ts in a child process of its own, so the peak RSS (getrusage maxrss) is this
// run's and nothing else's. What it guards: memory stays flat in a run's length (the equity
// curve goes to SQLite as the run goes, not into the heap).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runBacktest, type CycleRecords } from '../src/backtest/backtest-driver.ts';
import { loadConfig } from '../src/config/load.ts';
import { createEngineObserver } from '../src/observability/engine-observer.ts';
import { createOrchMetrics } from '../src/observability/metrics.ts';
import { openDatabase } from '../src/persistence/database.ts';
import { SyntheticBarSource } from '../src/stages/ing/data-source.ts';

export interface BacktestMemoryResult {
  peakRssMb: number;
  bars: number;
}

export interface BacktestMemoryDetail extends BacktestMemoryResult {
  cycleRecords: CycleRecords;
  /** RSS when the run started (the process with everything loaded), for the growth. */
  startRssMb: number;
  seconds: number;
  fills: number;
}

export async function benchBacktestMemory(quick: boolean, cycleRecords: CycleRecords = 'exceptions'): Promise<BacktestMemoryDetail> {
  const bars = quick ? 20_000 : 1_000_000;
  const config = loadConfig({ env: {} }).config;
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-bench-memory-'));
  const db = openDatabase({ path: join(dir, 'memory.db') });
  try {
    const startRssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
    const t0 = performance.now();
    const { result } = await runBacktest(
      {
        dataFiles: [],
        source: new SyntheticBarSource({ symbols: 1, bars, seed: 42 }),
        strategy: 'sma-cross',
        strategyParams: { fast: 15, slow: 30 },
        sizing: { kind: 'fixed', qty: 10 },
        cash: 1_000_000,
        commission: { kind: 'none' },
      },
      { config, db, observer: createEngineObserver({ metrics: createOrchMetrics() }), cycleRecords },
    );
    const seconds = (performance.now() - t0) / 1000;
    if (result.status !== 'ok') throw new Error(`backtest failed: ${JSON.stringify(result.error)}`);
    return {
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      bars: result.bars,
      cycleRecords,
      startRssMb,
      seconds: Math.round(seconds * 1000) / 1000,
      fills: result.fills.length,
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
