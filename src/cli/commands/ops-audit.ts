// `ordinis audit verify | head | seal | export`: their options; the work is in
// actions/ops-audit*.ts, loaded when a command runs.

import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.ts';
import { DB_OPTION_HELP, EXPECT_HEAD_HELP, VERIFY_FILE_HELP } from './option-help.ts';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the audit log in the database');

  audit
    .command('head')
    .description('print the audit chain head (seq and hash) to keep elsewhere; check it later with `audit verify --expect-head`')
    .option('--db <file>', DB_OPTION_HELP)
    .option('--json', 'print one JSON object on stdout')
    .action(lazyAction(async () => (await import('../actions/ops-audit-head.ts')).auditHeadCommand));

  audit
    .command('seal')
    .description('sign the audit anchor and head with AUDIT_MAC_KEY after checking the chain (a new or rotated key)')
    .option('--db <file>', DB_OPTION_HELP)
    .option('--expect-head <seq:hash>', EXPECT_HEAD_HELP)
    .option('--json', 'print one JSON object on stdout')
    .action(lazyAction(async () => (await import('../actions/ops-audit-head.ts')).sealAuditCommand));

  audit
    .command('export')
    .description('write the audit records not yet exported to a new JSON Lines file, sync it, then mark them exported (audit retention deletes only exported records)')
    .requiredOption('--out <file.jsonl>', 'the file to create (never overwritten)')
    .option('--all', 'every record still in the database, not only those since the last export')
    .option('--db <file>', DB_OPTION_HELP)
    .option('--json', 'print one JSON object on stdout')
    .action(lazyAction(async () => (await import('../actions/ops-audit-export.ts')).exportAuditCommand));

  audit
    .command('verify')
    .description('verify the audit hash chain; exit code 1 when it is broken')
    .option('--db <file>', DB_OPTION_HELP)
    .option('--json', 'print one JSON object on stdout')
    .option('--expect-head <seq:hash>', EXPECT_HEAD_HELP)
    .option('--file <export.jsonl>', VERIFY_FILE_HELP)
    .action(lazyAction(async () => (await import('../actions/ops-audit.ts')).verifyAuditCommand));
}
