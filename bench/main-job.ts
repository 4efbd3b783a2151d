// mainJobMs: the README's main job as a user runs it — `ordinis backtest` with default flags,
// the whole process from exec to exit (start-up, CSV, the run, SQLite, the summary) — and
// `ordinis --help` alone, which is start-up only. Medians of several runs, each a fresh
// process and a fresh database file, alternated so the machine's load falls on both alike.
//
// The comparison with backtrader 1.9.78 is measured beside it by hand (README, "Figures"):
// the same strategy on the same file in a fresh `python3` process each run.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface MainJobFigures {
  backtestMs: number;
  helpMs: number;
  runs: number;
}

function timedRun(root: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'bin', 'ordinis.js'), ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`ordinis ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function benchMainJob(quick: boolean, root: string): MainJobFigures {
  const runs = quick ? 3 : 9;
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-main-job-'));
  try {
    // One unmeasured run of each: the first start compiles and fills the OS file cache.
    timedRun(root, ['--help']);
    timedRun(root, ['backtest', '--db', join(dir, 'warm.db')]);
    const backtest: number[] = [];
    const help: number[] = [];
    for (let i = 0; i < runs; i++) {
      backtest.push(timedRun(root, ['backtest', '--db', join(dir, `run-${i}.db`)]));
      help.push(timedRun(root, ['--help']));
    }
    return { backtestMs: Math.round(median(backtest)), helpMs: Math.round(median(help)), runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
