// `ordinis serve`: its options; the ops server is actions/serve.ts, loaded when the command runs.

import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the ops HTTP API (health, readiness, metrics, status, runs, audit, kill switch) on API_HOST:API_PORT without running cycles')
    .option('--db <file>', 'SQLite file (default DB_PATH)')
    .action(lazyAction(async () => (await import('../actions/serve.ts')).runServeCommand));
}
