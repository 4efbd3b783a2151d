// `ordinis kill status | activate | deactivate`: their options and bounds; the change is
// actions/ops-kill.ts, loaded when a command runs.

import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.ts';
import { DB_OPTION_HELP } from './option-help.ts';

/** The same bounds as the ops API's kill routes. */
export const MAX_REASON_CHARS = 500;
export const MAX_ACTOR_CHARS = 100;

export function registerKill(program: Command): void {
  const kill = program.command('kill').description('the kill switch stored in the database: status, activate, deactivate (governed and audited)');

  kill
    .command('status')
    .description('show the stored kill-switch state')
    .option('--db <file>', DB_OPTION_HELP)
    .option('--json', 'print one JSON object on stdout')
    .action(lazyAction(async () => (await import('../actions/ops-kill.ts')).killStatusCommand));

  kill
    .command('activate')
    .description('stop trading: set the kill switch ACTIVE (refused if it already is)')
    .option('--reason <text>', `why (required, at most ${MAX_REASON_CHARS} characters)`)
    .option('--actor <name>', `who is doing this (required, at most ${MAX_ACTOR_CHARS} characters)`)
    .option('--db <file>', DB_OPTION_HELP)
    .option('--json', 'print one JSON object on stdout')
    .action(lazyAction(async () => (await import('../actions/ops-kill.ts')).activateKillCommand));

  kill
    .command('deactivate')
    .description('resume trading: set the kill switch INACTIVE (governed: machine actors are denied)')
    .option('--actor <name>', `who is doing this (required, at most ${MAX_ACTOR_CHARS} characters)`)
    .option('--db <file>', DB_OPTION_HELP)
    .option('--json', 'print one JSON object on stdout')
    .action(lazyAction(async () => (await import('../actions/ops-kill.ts')).deactivateKillCommand));
}
