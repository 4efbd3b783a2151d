// `ordinis db migrate`: its options; the migration is actions/ops-db.ts, loaded when it runs.

import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.ts';
import { DB_OPTION_HELP } from './option-help.ts';

export function registerDb(program: Command): void {
  const db = program.command('db').description('the database file');

  db.command('migrate')
    .description("apply this build's schema migrations to an existing database file")
    .option('--db <file>', DB_OPTION_HELP)
    .option('--json', 'print one JSON object on stdout')
    .action(lazyAction(async () => (await import('../actions/ops-db.ts')).migrateDbCommand));
}
