// backtestUniverse: the default pipeline on 100 symbols x 10 000 bars of seeded synthetic
// data (SyntheticBarSource), sma-cross 15/30, 10 shares per order, a SQLite file and metrics
// as in backtestSingle. Run by bench/run.ts in a child process of its own, so the peak RSS
// (getrusage maxrss) is this run's and nothing else's.

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

export interface BacktestUniverseResult {
  symbolBarsPerSec: number;
  symbols: number;
  barsPerSymbol: number;
  peakRssMb: number;
}

export interface BacktestUniverseDetail extends BacktestUniverseResult {
  cycleRecords: CycleRecords;
  seconds: number;
  fills: number;
}

export async function benchBacktestUniverse(quick: boolean, cycleRecords: CycleRecords = 'exceptions'): Promise<BacktestUniverseDetail> {
  const symbols = quick ? 20 : 100;
  const barsPerSymbol = quick ? 1_000 : 10_000;
  const config = loadConfig({ env: {} }).config;
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-bench-universe-'));
  const db = openDatabase({ path: join(dir, 'universe.db') });
  try {
    const source = new SyntheticBarSource({ symbols, bars: barsPerSymbol, seed: 42 });
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
      { config, db, observer: createEngineObserver({ metrics: createOrchMetrics() }), cycleRecords },
    );
    const seconds = (performance.now() - t0) / 1000;
    if (result.status !== 'ok') throw new Error(`backtest failed: ${JSON.stringify(result.error)}`);
    return {
      symbolBarsPerSec: Math.round((symbols * result.bars) / seconds),
      symbols,
      barsPerSymbol: result.bars,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      cycleRecords,
      seconds: Math.round(seconds * 1000) / 1000,
      fills: result.fills.length,
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
