// `ordinis walkforward`: its options; the work is actions/walkforward.ts, loaded when it runs.

import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.ts';
import { addPipelineOptions, collect } from '../pipeline-options.ts';

export function registerWalkForward(program: Command): void {
  addPipelineOptions(
    program
      .command('walkforward')
      .description('walk-forward optimisation: sweep each in-sample window, run the best parameters on the out-of-sample window after it, stitch the out-of-sample curves'),
    'starting cash of each backtest',
    'SQLite file for the in-sample sweeps (default DB_PATH)',
  )
    .option('--grid <key=spec>', 'a swept parameter: key=from:to:step (inclusive) or key=a,b,c (repeatable)', collect, undefined)
    .option('--samples <n>', 'random search: n distinct points of the grid per window, drawn with --seed')
    .option('--objective <name>', 'rank by: sharpe | sortino | cagr | return | calmar | final-value | profit-factor | win-rate | max-drawdown (default sharpe)')
    .option('--in-sample <span>', 'in-sample window length: 2y, 18m, 90d', '2y')
    .option('--out-of-sample <span>', 'out-of-sample window length', '6m')
    .option('--step <span>', 'how far each window moves (default: --out-of-sample, so the out-of-sample windows tile)')
    .option('--anchored', 'every in-sample window starts at the first date and grows by --step (default: rolling)')
    .option('--jobs <n>', 'backtests run at once, each on a thread of its own (default: the number of cores)')
    .option('--json', 'print one JSON object on stdout')
    .action(lazyAction(async () => (await import('../actions/walkforward.ts')).runWalkForwardCommand));
}
