// `ordinis config print`: its options; the view is actions/ops-config.ts, loaded when it runs.

import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.ts';
import { DB_OPTION_HELP } from './option-help.ts';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('the effective configuration');

  config
    .command('print')
    .description('print the effective configuration (secrets redacted)')
    .option('--show-sources', 'show which layer set each key: default | profile | file | env | override')
    .option('--db <file>', `${DB_OPTION_HELP}; shown as DB_PATH`)
    .option('--json', 'print one JSON object on stdout')
    .action(lazyAction(async () => (await import('../actions/ops-config.ts')).printConfigCommand));
}
