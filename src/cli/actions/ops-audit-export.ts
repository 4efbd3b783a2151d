// `ordinis audit export --out FILE [--all]` and `ordinis audit verify --file FILE`.
//
// export: the records since the last export (default) or every record still in the database
// (`--all`) go to a new JSON Lines file, synced, and only then does the database's export
// mark move to the last one; audit retention deletes only records at or below that mark.
// verify --file: the file's chain checked standing alone (no database), with the same
// verdict conventions as `audit verify`: stdout carries the verdict, a broken file also
// prints `error: E_AUDIT_CHAIN_BROKEN: ...` on stderr and exits 1.

import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { OrdinisError } from '../../errors.ts';
import { verifyExportLines, type ExportVerification } from '../../governance/audit-export.ts';
import { exportAuditLog } from '../../persistence/audit-export-file.ts';
import { cell, plural, renderFields, writeJson, writeText } from '../render.ts';
import { opsContext, withDb, type DbFlags } from './ops-common.ts';

interface ExportFlags extends DbFlags {
  out?: string;
  all?: boolean;
  json?: boolean;
}

export function exportAuditCommand(flags: ExportFlags, cmd: Command): void {
  const out = flags.out ?? '';
  if (out.trim() === '') throw new OrdinisError('E_CFG_INVALID', '--out must name a file');
  const ctx = opsContext(flags, cmd);
  withDb(ctx.openDb(), (db) => {
    const r = exportAuditLog(db, { out, ...(flags.all ? { all: true } : {}) });
    ctx.logger.info({ audit_export: { path: r.path, from: r.from, to: r.to, count: r.count } }, 'audit records exported');
    const answer = {
      file: r.path,
      count: r.count,
      from: r.from,
      to: r.to,
      exportMark: { seq: r.markAfter.seq, hash: r.markAfter.hash },
      database: db.path,
    };
    if (flags.json) writeJson(answer);
    else {
      writeText(
        renderFields([
          ['exported', r.count === 0 ? 'nothing new (the file holds the header only)' : `${plural(r.count, 'record')}, seq ${r.from.seq + 1}..${r.to.seq}`],
          ['from', `seq ${r.from.seq}  ${r.from.hash}`],
          ['to', `seq ${r.to.seq}  ${r.to.hash}`],
          ['export mark', `seq ${r.markAfter.seq}`],
          ['file', cell(r.path)],
          ['database', cell(db.path)],
        ]),
      );
    }
  });
}

/** `audit verify --file FILE [--json]`: sets the exit code, prints the verdict. */
export function verifyExportFileCommand(file: string, json: boolean): void {
  const path = resolve(file);
  const v = verifyExportLines(readLines(path, file));
  const where = v.brokenAt !== undefined ? `seq ${v.brokenAt}${v.line !== undefined ? ` (line ${v.line})` : ''}` : v.line !== undefined ? `line ${v.line}` : '?';
  if (json) {
    writeJson({
      ok: v.ok,
      checked: v.checked,
      ...(v.ok ? {} : { brokenAt: v.brokenAt ?? null, line: v.line ?? null, reason: v.reason ?? null }),
      from: v.header?.from ?? null,
      to: v.header?.to ?? null,
      count: v.header?.count ?? null,
      file: path,
    });
  } else {
    writeText(renderFields(verdictFields(v, where, path)));
  }
  if (!v.ok) {
    const err = new OrdinisError('E_AUDIT_CHAIN_BROKEN', `audit export ${path} broken at ${where}: ${v.reason ?? 'unknown reason'}`);
    process.stderr.write(`error: ${err.message}\n`);
    process.exitCode = 1;
  }
}

function verdictFields(v: ExportVerification, where: string, path: string): [string, string][] {
  return [
    ['audit export', v.ok ? 'OK' : `BROKEN at ${where}`],
    ...(v.ok ? [] : [['reason', cell(v.reason)] as [string, string]]),
    ['checked', plural(v.checked, 'record')],
    ...(v.header
      ? ([
          ['from', `seq ${v.header.from.seq}  ${v.header.from.hash}`],
          ['to', `seq ${v.header.to.seq}  ${v.header.to.hash}`],
          ['exported at', cell(v.header.exportedAt)],
        ] as [string, string][])
      : []),
    ['file', cell(path)],
  ];
}

/** The file's lines without their newlines, read in chunks: an export may be larger than memory wants. */
function* readLines(path: string, given: string): Generator<string> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new OrdinisError('E_CFG_INVALID', `--file ${given}: cannot open ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, {
      cause: e,
      details: { file: path },
    });
  }
  try {
    const chunk = Buffer.alloc(1 << 20);
    let rest = Buffer.alloc(0);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      let buf = Buffer.concat([rest, chunk.subarray(0, n)]);
      let nl = buf.indexOf(10);
      while (nl >= 0) {
        yield buf.toString('utf8', 0, nl);
        buf = buf.subarray(nl + 1);
        nl = buf.indexOf(10);
      }
      rest = Buffer.from(buf);
    }
    if (rest.length > 0) yield rest.toString('utf8');
  } finally {
    closeSync(fd);
  }
}
