// `ordinis audit verify`: walks the audit log's hash chain from the retention anchor to the
// head (read only). The verdict goes to stdout either way; a broken chain also prints an
// `error: E_AUDIT_CHAIN_BROKEN: ...` line on stderr and exits 1, so a script or a cron job
// can tell "tampered with" (1, verdict on stdout) from "could not check" (1, no verdict).
// `audit export` and `audit verify --file` (an export file, no database): ops-audit-export.ts.
// With AUDIT_MAC_KEY it also checks the keyed checkpoints; `--expect-head SEQ:HASH`, `audit
// head` and `audit seal`: ops-audit-head.ts.

import type { Command } from 'commander';
import { OrdinisError } from '../../errors.ts';
import { judgeCheckpoints } from '../../governance/audit-checkpoint.ts';
import { cell, plural, renderFields, writeJson, writeText } from '../render.ts';
import { openForReading, opsContext, withDb, type DbFlags } from './ops-common.ts';
import { verifyExportFileCommand } from './ops-audit-export.ts';
import { checkExpectHead, checkpointFields, parseExpectHead } from './ops-audit-head.ts';

interface VerifyFlags extends DbFlags {
  json?: boolean;
  file?: string;
  expectHead?: string;
}

export function verifyAuditCommand(flags: VerifyFlags, cmd: Command): void {
  if (flags.file !== undefined) {
    if (flags.expectHead !== undefined) throw new OrdinisError('E_CFG_INVALID', '--expect-head checks the database; with --file compare the file\'s "to" instead');
    opsContext(flags, cmd); // the global options still validate
    verifyExportFileCommand(flags.file, flags.json === true);
    return;
  }
  const expected = parseExpectHead(flags.expectHead);
  const ctx = opsContext(flags, cmd);
  withDb(openForReading(ctx), (db) => {
    const v = db.audit.verify();
    const head = db.audit.head();
    const anchor = db.audit.anchor();
    const expectedHead = expected ? checkExpectHead(db, expected) : undefined;
    const answer = {
      ok: v.ok && (expectedHead?.ok ?? true),
      checked: v.checked,
      ...(v.ok ? {} : { brokenAt: v.brokenAt ?? null, reason: v.reason ?? null }),
      head: { seq: head.seq, hash: head.hash },
      anchor: { seq: anchor.seq, hash: anchor.hash },
      // Without a key (or on a broken chain) no checkpoint was checked; say why in the same shape.
      checkpoints: v.checkpoints ?? judgeCheckpoints({ key: null, anchor, head, rows: [], hashAt: () => undefined, every: 1 }),
      ...(expectedHead ? { expectedHead } : {}),
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
        ...checkpointFields(v.checkpoints),
        ...(expectedHead ? [['expected head', expectedHead.ok ? `OK (seq ${expectedHead.seq})` : `MISMATCH: ${expectedHead.reason}`] as [string, string]] : []),
        ['database', cell(db.path)],
      ];
      writeText(renderFields(fields));
    }
    if (!v.ok) {
      const err = new OrdinisError('E_AUDIT_CHAIN_BROKEN', `audit chain broken at seq ${v.brokenAt ?? '?'}: ${v.reason ?? 'unknown reason'}`);
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = 1;
    }
    if (expectedHead && !expectedHead.ok) {
      const err = new OrdinisError('E_AUDIT_CHAIN_BROKEN', `expected head seq ${expectedHead.seq} not found: ${expectedHead.reason ?? 'unknown reason'}`);
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = 1;
    }
  });
}
