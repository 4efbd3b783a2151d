// `ordinis paper`: its options; the paper runtime is actions/paper.ts, loaded when the
// command runs.

import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.ts';
import { addPipelineOptions } from '../pipeline-options.ts';

export function registerPaper(program: Command): void {
  addPipelineOptions(
    program
      .command('paper')
      .description('paper trading against a durable simulated venue, replaying CSV bars (default: the bundled ORCL sample); crash-safe and resumable'),
    'starting cash of a new paper account',
    'SQLite file: paper book, venue and run record (default DB_PATH)',
  )
    .option('--speed <bars/s>', 'replay speed in bars per second; 0 = as fast as possible', '0')
    .option('--feed <name>', 'trade the simulated venue on live bars from a venue instead of files: alpaca (with --symbols; keys from ALPACA_* config) or ccxt:EXCHANGE (with --symbols like BTC/USDT; no keys needed)')
    .option('--max-cycles <n>', 'stop after n cycles (this process)')
    .option('--serve', 'also serve the ops HTTP API on API_HOST:API_PORT')
    .option('--json', 'print the summary as one JSON object on stdout')
    .option('--events [patterns]', 'write bus events as JSON lines on stdout (comma-separated topic patterns, e.g. ordinis.ops.cycle.*; default all); the summary goes to stderr')
    .option('--adopt', "take over this database's paper book although it was started with another strategy, data or cash (its positions are listed and audited)")
    .option('--new-book', 'start a fresh paper book in this database (refused unless the old book is flat; its history stays; the account keeps its cash)')
    .option('--allow-large-purge', 'let the start-up retention delete more than DB_RETENTION_MAX_PURGE_PCT of a table (after checking the wall clock)')
    .action(lazyAction(async () => (await import('../actions/paper.ts')).runPaperCommand));
}
