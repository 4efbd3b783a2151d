// `ordinis runs list | show | compare`: their options and limits; the queries are actions/ops-runs.ts,
// loaded when a command runs.

import type { Command } from 'commander';
import type { RunRow, RunStatus } from '../../kernel/run-store.ts';
import { lazyAction } from '../lazy-action.ts';
import { DB_OPTION_HELP } from './option-help.ts';

export const MAX_LIST_LIMIT = 1000;
export const DEFAULT_LIST_LIMIT = 50;

// Records, so a new RunStatus or kind that is not listed here fails to compile.
export const RUN_STATUSES: Record<RunStatus, true> = { running: true, ok: true, degraded: true, failed: true, blocked: true, aborted: true };
export const RUN_KINDS: Record<RunRow['kind'], true> = { cycle: true, backtest: true };

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('inspect the run history (cycles and backtests) in the database');

  runs
    .command('list')
    .description('list runs, newest first (top-level runs unless --all or --parent)')
    .option('--limit <n>', `how many runs, 1..${MAX_LIST_LIMIT}`, String(DEFAULT_LIST_LIMIT))
    .option('--status <status>', `only runs with this status: ${Object.keys(RUN_STATUSES).join(' | ')}`)
    .option('--kind <kind>', `only runs of this kind: ${Object.keys(RUN_KINDS).join(' | ')}`)
    .option('--all', "include backtests' cycles")
    .option('--parent <runId>', "only this backtest's cycles")
    .option('--db <file>', DB_OPTION_HELP)
    .option('--json', 'print one JSON object on stdout')
    .action(lazyAction(async () => (await import('../actions/ops-runs.ts')).listRunsCommand));

  runs
    .command('show')
    .description("one run in detail: its row, config snapshot, a cycle's stage timeline, a backtest's summary")
    .argument('<runId>', 'the run id (as `runs list` shows it)')
    .option('--db <file>', DB_OPTION_HELP)
    .option('--json', 'print one JSON object on stdout')
    .action(lazyAction(async () => (await import('../actions/ops-runs.ts')).showRunCommand));

  runs
    .command('compare')
    .description('two runs side by side: what they ran, how they did, when by the wall clock, and every setting that differs')
    .argument('<runA>', 'a run id (as `runs list` shows it)')
    .argument('<runB>', 'another run id')
    .option('--db <file>', DB_OPTION_HELP)
    .option('--json', 'print one JSON object on stdout')
    .action(lazyAction(async () => (await import('../actions/ops-runs-compare.ts')).compareRunsCommand));
}
