// backtestUniverse: the default pipeline on 100 symbols x 10 000 bars of seeded synthetic
// data (the shared synthetic backtest, bench/synthetic-backtest.ts). Run by bench/run.ts in a
// child process of its own, so the peak RSS (getrusage maxrss) is this run's and nothing
// else's.

import type { CycleRecords } from '../src/modes/backtest/backtest-driver.ts';
import { runSyntheticBacktest } from './synthetic-backtest.ts';

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
  const run = await runSyntheticBacktest({ name: 'universe', symbols, bars: quick ? 1_000 : 10_000, cycleRecords });
  return {
    symbolBarsPerSec: Math.round((symbols * run.bars) / run.seconds),
    symbols,
    barsPerSymbol: run.bars,
    peakRssMb: run.peakRssMb,
    cycleRecords,
    seconds: Math.round(run.seconds * 1000) / 1000,
    fills: run.fills,
  };
}
