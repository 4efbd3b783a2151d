// backtestSingle: the default pipeline on one symbol of real daily data, as `ordinis
// backtest` runs it (runBacktest, sma-cross 15/30, 10 shares, a SQLite file, metrics through
// the engine observer), on the ORCL sample repeated to at least 500 000 bars.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runBacktest, type BacktestConfig, type CycleRecords } from '../src/modes/backtest/backtest-driver.ts';
import { loadConfig } from '../src/config/load.ts';
import { createEngineObserver } from '../src/observability/engine-observer.ts';
import { createOrchMetrics } from '../src/observability/metrics.ts';
import { openDatabase } from '../src/persistence/database.ts';
import { orclDataFile, writeRepeatedCsv } from './lib/repeat-csv.ts';
import { median } from './lib/stats.ts';

export interface BacktestSingleResult {
  barsPerSec: number;
  /** Bars per second of the process's own CPU time (user + system). */
  barsPerCpuSec: number;
  bars: number;
  runs: number;
}

export interface BacktestSingleDetail extends BacktestSingleResult {
  cycleRecords: CycleRecords;
  secondsPerRun: number[];
}

export async function benchBacktestSingle(quick: boolean, projectRoot: string, cycleRecords: CycleRecords = 'exceptions'): Promise<BacktestSingleDetail> {
  const minRows = quick ? 5_000 : 500_000;
  const runs = quick ? 1 : 3;
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-bench-single-'));
  try {
    const csv = join(dir, 'orcl-repeated.csv');
    writeRepeatedCsv(orclDataFile(projectRoot), csv, minRows);
    const config = loadConfig({ env: {} }).config;
    const bt: BacktestConfig = {
      dataFiles: [csv],
      symbols: ['ORCL'],
      strategy: 'sma-cross',
      strategyParams: { fast: 15, slow: 30 },
      sizing: { kind: 'fixed', qty: 10 },
      cash: 10_000,
      commission: { kind: 'none' },
    };
    const seconds: number[] = [];
    // CPU time too: on a shared machine the wall time says as much about the neighbours.
    const cpuSeconds: number[] = [];
    let bars = 0;
    for (let i = 0; i < runs; i++) {
      const db = openDatabase({ path: join(dir, `run-${i}.db`) });
      try {
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        const { result } = await runBacktest(bt, { config, db, observer: createEngineObserver({ metrics: createOrchMetrics() }), cycleRecords });
        seconds.push((performance.now() - t0) / 1000);
        const cpu = process.cpuUsage(cpu0);
        cpuSeconds.push((cpu.user + cpu.system) / 1e6);
        if (result.status !== 'ok') throw new Error(`backtest failed: ${JSON.stringify(result.error)}`);
        bars = result.bars;
      } finally {
        db.close();
      }
    }
    return { barsPerSec: Math.round(bars / median(seconds)), barsPerCpuSec: Math.round(bars / median(cpuSeconds)), bars, runs, cycleRecords, secondsPerRun: seconds.map((s) => Math.round(s * 1000) / 1000) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
