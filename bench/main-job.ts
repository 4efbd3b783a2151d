// mainJobMs: the README's main job as a user runs it — `ordinis backtest` with default flags
// from the built package (bin/ordinis.js over dist/, as after `npm install`), the whole process
// from exec to exit (start-up, CSV, the run, SQLite, the summary) — and `ordinis --help` alone,
// which is start-up only. Medians of several runs, each a fresh process and a fresh database
// file, alternated so the machine's load falls on both alike.
//
// The comparison with backtrader 1.9.78 is measured beside it by hand (README, "Figures"):
// the same strategy on the same file in a fresh `python3` process each run.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, timedOrdinis } from './lib/built-cli.ts';
import { median } from './lib/stats.ts';

export interface MainJobFigures {
  backtestMs: number;
  helpMs: number;
  runs: number;
}

export function benchMainJob(quick: boolean, root: string): MainJobFigures {
  process.stderr.write(`mainJobMs: ${ensureBuilt(root)}\n`);
  const runs = quick ? 3 : 9;
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-main-job-'));
  try {
    // One unmeasured run of each: the first start fills the OS file cache.
    timedOrdinis(root, ['--help']);
    timedOrdinis(root, ['backtest', '--db', join(dir, 'warm.db')]);
    const backtest: number[] = [];
    const help: number[] = [];
    for (let i = 0; i < runs; i++) {
      backtest.push(timedOrdinis(root, ['backtest', '--db', join(dir, `run-${i}.db`)]));
      help.push(timedOrdinis(root, ['--help']));
    }
    return { backtestMs: Math.round(median(backtest)), helpMs: Math.round(median(help)), runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
