// `ordinis live`: its options; the work is actions/live.ts (paper's durable loop with a real
// broker), loaded when the command runs.

import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.ts';
import { addPipelineOptions } from '../pipeline-options.ts';

export function registerLive(program: Command): void {
  addPipelineOptions(
    program
      .command('live')
      .description('live trading through a broker (alpaca, or a crypto exchange through ccxt): refuses unless LIVE_ENABLED is true and the prod invariants hold; crash-safe, reconciled with the broker every LIVE_RECONCILE_EVERY cycles'),
    'ignored: a new live book opens with the broker account\'s cash',
    'SQLite file: the live book and run record (default DB_PATH)',
  )
    .option('--broker <name>', 'the broker the orders go to: alpaca (keys from ALPACA_* config: env or ALPACA_CREDENTIALS_FILE) or ccxt:EXCHANGE, e.g. ccxt:binance (keys from CCXT_* config: env or CCXT_CREDENTIALS_FILE)')
    .option('--feed <name>', 'where bars come from (default: the broker\'s own feed)')
    .option('--max-cycles <n>', 'stop after n cycles (this process)')
    .option('--serve', 'also serve the ops HTTP API on API_HOST:API_PORT')
    .option('--json', 'print the summary as one JSON object on stdout')
    .option('--events [patterns]', 'write bus events as JSON lines on stdout (comma-separated topic patterns); the summary goes to stderr')
    .option('--adopt', "take over this database's book although it was started with another strategy or symbols")
    .option('--allow-large-purge', 'let the start-up retention delete more than DB_RETENTION_MAX_PURGE_PCT of a table')
    .action(lazyAction(async () => (await import('../actions/live.ts')).runLiveCommand));
}
