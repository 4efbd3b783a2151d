// `ordinis audit verify`: walks the audit log's hash chain from the retention anchor to the
// head (read only). The verdict goes to stdout either way; a broken chain also prints an
// `error: E_AUDIT_CHAIN_BROKEN: ...` line on stderr and exits 1, so a script or a cron job
// can tell "tampered with" (1, verdict on stdout) from "could not check" (1, no verdict).

import type { Command } from 'commander';
import { OrdinisError } from '../../errors.ts';
import { cell, plural, renderFields, writeJson, writeText } from '../render.ts';
import { DB_OPTION_HELP, openForReading, opsContext, withDb, type DbFlags } from './ops-common.ts';

interface VerifyFlags extends DbFlags {
  json?: boolean;
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the audit log in the database');

  audit
    .command('verify')
    .description('verify the audit hash chain; exit code 1 when it is broken')
    .option('--db <file>', DB_OPTION_HELP)
    .option('--json', 'print one JSON object on stdout')
    .action((flags: VerifyFlags, cmd: Command) => {
      const ctx = opsContext(flags, cmd);
      withDb(openForReading(ctx), (db) => {
        const v = db.audit.verify();
        const head = db.audit.head();
        const anchor = db.audit.anchor();
        const answer = {
          ok: v.ok,
          checked: v.checked,
          ...(v.ok ? {} : { brokenAt: v.brokenAt ?? null, reason: v.reason ?? null }),
          head: { seq: head.seq, hash: head.hash },
          anchor: { seq: anchor.seq, hash: anchor.hash },
          database: db.path,
        };
        if (flags.json) writeJson(answer);
        else {
          const fields: [string, string][] = [
            ['audit chain', v.ok ? 'OK' : `BROKEN at seq ${v.brokenAt ?? '?'}`],
            ...(v.ok ? [] : [['reason', cell(v.reason)] as [string, string]]),
            ['checked', plural(v.checked, 'record')],
            ['head', `seq ${head.seq}  ${head.hash}`],
            ['anchor', anchor.seq === 0 ? 'genesis (nothing purged)' : `seq ${anchor.seq}  ${anchor.hash}`],
            ['database', cell(db.path)],
          ];
          writeText(renderFields(fields));
        }
        if (!v.ok) {
          const err = new OrdinisError('E_AUDIT_CHAIN_BROKEN', `audit chain broken at seq ${v.brokenAt ?? '?'}: ${v.reason ?? 'unknown reason'}`);
          process.stderr.write(`error: ${err.message}\n`);
          process.exitCode = 1;
        }
      });
    });
}
