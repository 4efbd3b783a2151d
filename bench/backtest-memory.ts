// backtestMemory: peak RSS of a long single-symbol backtest, 1 000 000 seeded synthetic bars
// (the shared synthetic backtest, bench/synthetic-backtest.ts), results written at the end as
// `ordinis backtest` writes them. Run by bench/run.ts in a child process of its own, so the
// peak RSS (getrusage maxrss) is this run's and nothing else's. What it guards: memory stays
// flat in a run's length (the equity curve goes to SQLite as the run goes, not into the heap).

import type { CycleRecords } from '../src/modes/backtest/backtest-driver.ts';
import { runSyntheticBacktest } from './synthetic-backtest.ts';

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
  const run = await runSyntheticBacktest({ name: 'memory', symbols: 1, bars: quick ? 20_000 : 1_000_000, cycleRecords });
  return {
    peakRssMb: run.peakRssMb,
    bars: run.bars,
    cycleRecords,
    startRssMb: run.startRssMb,
    seconds: Math.round(run.seconds * 1000) / 1000,
    fills: run.fills,
  };
}
