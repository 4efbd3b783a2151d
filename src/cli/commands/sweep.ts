// `ordinis sweep`: its options; the work is actions/sweep.ts, loaded when the command runs.

import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.ts';
import { addPipelineOptions, collect } from '../pipeline-options.ts';

export function registerSweep(program: Command): void {
  addPipelineOptions(
    program
      .command('sweep')
      .description('run a backtest per parameter set of a grid (or a random sample of it) in parallel, rank them by an objective; results kept in SQLite'),
    'starting cash of each backtest',
    'SQLite file for the sweep and its results (default DB_PATH)',
  )
    .option('--grid <key=spec>', 'a swept parameter: key=from:to:step (inclusive) or key=a,b,c (repeatable; e.g. --grid fast=5:50:5 --grid slow=20,50,100)', collect, undefined)
    .option('--samples <n>', 'random search: run n distinct points of the grid, drawn with --seed (default ORCH_SEED)')
    .option('--objective <name>', 'rank by: sharpe | sortino | cagr | return | calmar | final-value | profit-factor | win-rate | max-drawdown (lowest first) (default sharpe)')
    .option('--jobs <n>', 'backtests run at once, each on a thread of its own (default: the number of cores)')
    .option('--queue <url>', 'run the backtests as BullMQ jobs on this Redis (redis://HOST:PORT), taken by `ordinis worker`s on any machine, instead of --jobs threads here')
    .option('--resume <sweepId>', 'finish a sweep that stopped: runs only the points that have no result yet, with the sweep\'s own definition')
    .option('--top <n>', 'rows of the table (default 20; --json lists every result)')
    .option('--report <file>', 'write an HTML page: the objective as a heatmap over the first two parameters, the best runs\' equity curves, the ranking')
    .option('--json', 'print one JSON object on stdout: { sweepId, objective, points, ran, results } best first')
    .action(lazyAction(async () => (await import('../actions/sweep.ts')).runSweepCommand));
}
