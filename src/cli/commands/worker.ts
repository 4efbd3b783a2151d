// `ordinis worker`: its options; the work is actions/worker.ts, loaded when the command runs.

import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.ts';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description("take sweep backtests from a queue (BullMQ on Redis) and run them; results go back to the sweep's coordinator")
    .requiredOption('--queue <url>', 'the Redis of the queue: redis://HOST:PORT')
    .option('--concurrency <n>', 'backtests at once (default 1)')
    .option('--lock-ms <ms>', "job lock duration and stalled-check interval: must exceed the longest backtest; a killed worker's job moves on after about twice this (default 30000)")
    .option('--cache-dir <dir>', 'where fetched data files are kept (default: ordinis-bars in the temp directory)')
    .action(lazyAction(async () => (await import('../actions/worker.ts')).runWorkerCommand));
}
