// `ordinis backtest`: its options; the run itself is actions/backtest.ts, loaded when the
// command runs (so `--help` and a flag error load only commander).

import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.ts';
import { addPipelineOptions } from '../pipeline-options.ts';

export function registerBacktest(program: Command): void {
  addPipelineOptions(
    program.command('backtest').description('run a backtest of the default pipeline on CSV bars (default: the bundled ORCL sample)'),
    'starting cash',
    'SQLite file for the run record (default DB_PATH)',
  )
    .option('--report <file>', 'write a self-contained HTML report (interactive charts, opens offline)')
    .option('--benchmark <file>', "the report's benchmark: a CSV of bars bought and held (default: buy and hold of the traded symbols)")
    .option('--cycle-records <mode>', 'exceptions: a run row and CycleResult only for cycles that did not end ok; all: for every cycle; none: no cycle, counts only (sweeps). Same results either way', 'exceptions')
    .option('--cycle-telemetry', 'also trace every cycle (a span per bar and stage under the run\'s span) and meter it (per-cycle metrics)')
    .option('--json', 'print one JSON object on stdout')
    .action(lazyAction(async () => (await import('../actions/backtest.ts')).runBacktestCommand));
}
