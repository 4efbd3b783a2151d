// `ordinis audit export`: writes audit records to a JSON Lines file (format in
// governance/audit-export.ts), makes it durable, and only then moves the database's export
// mark (`audit_export`) to the last record written. Retention never deletes past that mark,
// so a record leaves the database only after a synced file holds it.
//
// Order of effects, each a guard for the next:
// 1. the file is created exclusively (an existing file is never overwritten: it may be the
//    only copy of records already purged);
// 2. the records are read in one read transaction (a snapshot: a concurrent append or purge
//    cannot tear the range) and checked with the chain functions as they are written, so a
//    broken chain is refused rather than exported as if it were whole;
// 3. fsync of the file, then of its directory (the name must survive a power loss too);
// 4. the mark moves forward. A crash before 4 leaves a complete file and the old mark: the
//    next export writes those records again, to a new file, which is harmless.
// Any failure before 4 removes the partial file and leaves the mark where it was.

import { closeSync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { verifyChain, type AuditRecord } from '../governance/audit-chain.ts';
import { EXPORT_FORMAT, EXPORT_VERSION, exportHeaderLine, exportRecordLine, type ExportHeader } from '../governance/audit-export.ts';
import { OrdinisError } from '../errors.ts';
import type { OrdinisDatabase } from './database.ts';
import type { AuditExportMark, ChainPoint } from './sqlite-audit-store.ts';

export interface AuditExportOptions {
  /** The file to create; it must not exist. */
  out: string;
  /** Every record still in the database (from the retention anchor), not only those since the last export. */
  all?: boolean;
  /** Wall-clock time of the export, for the header. Default: now. */
  exportedAt?: string;
}

export interface AuditExportResult {
  path: string;
  /** The chain point the file starts from, and its last record's. */
  from: ChainPoint;
  to: ChainPoint;
  count: number;
  /** The export mark before and after. */
  markBefore: AuditExportMark;
  markAfter: AuditExportMark;
}

const PAGE = 1000;
const FLUSH_AT = 1 << 20;

export function exportAuditLog(db: OrdinisDatabase, options: AuditExportOptions): AuditExportResult {
  const path = resolve(options.out);
  const fd = createExclusive(path, options.out);
  let header: ExportHeader;
  let markBefore: AuditExportMark;
  try {
    // A read snapshot for the whole range (deferred: takes no write lock, trading goes on).
    db.handle.exec('BEGIN');
    try {
      const head = db.audit.head();
      const anchor = db.audit.anchor();
      markBefore = db.audit.exportMark();
      const from = options.all || markBefore.seq < anchor.seq ? anchor : { seq: markBefore.seq, hash: markBefore.hash };
      header = {
        format: EXPORT_FORMAT,
        version: EXPORT_VERSION,
        from: { seq: from.seq, hash: from.hash },
        to: { seq: head.seq, hash: head.hash },
        count: head.seq - from.seq,
        exportedAt: options.exportedAt ?? new Date().toISOString(),
        database: db.path,
      };
      writeRecords(db, fd, path, header);
    } finally {
      if (db.handle.inTransaction) db.handle.exec('COMMIT');
    }
    try {
      fsyncSync(fd);
    } catch (e) {
      throw writeFailed(path, 'sync', e);
    }
  } catch (e) {
    closeQuietly(fd);
    removeQuietly(path);
    throw e;
  }
  closeSync(fd);
  syncDirectory(dirname(path));
  const to = { seq: header.to.seq, hash: header.to.hash };
  const markAfter = header.count > 0 ? db.audit.markExported(to, path) : markBefore;
  return { path, from: header.from, to, count: header.count, markBefore, markAfter };
}

/** Writes the header and the records (from, to], checking their chain as they go. */
function writeRecords(db: OrdinisDatabase, fd: number, path: string, header: ExportHeader): void {
  let buf = exportHeaderLine(header);
  const flush = (): void => {
    writeAll(fd, path, buf);
    buf = '';
  };
  let last: AuditRecord | undefined;
  const records = (function* (): Generator<AuditRecord> {
    let after = header.from.seq;
    while (after < header.to.seq) {
      const page = db.audit.exportPage(after, header.to.seq, PAGE);
      if (page.length === 0) return;
      for (const stored of page) {
        // recordedAt is not chained: the record without it is what the hash covers.
        const { recordedAt, ...rec } = stored;
        buf += exportRecordLine(rec, recordedAt);
        if (buf.length >= FLUSH_AT) flush();
        last = rec;
        yield rec;
      }
      after = page[page.length - 1]!.seq;
    }
  })();
  const v = verifyChain(records, { hash: header.from.hash, seq: header.from.seq + 1 });
  const endHash = last?.hashSelf ?? header.from.hash;
  if (!v.ok || v.checked !== header.count || endHash !== header.to.hash) {
    const at = v.brokenAt ?? header.from.seq + v.checked + 1;
    const reason = v.reason ?? (v.checked !== header.count ? `the log ends at seq ${header.from.seq + v.checked} but the head records seq ${header.to.seq}` : "the last record's hash does not match the head");
    throw new OrdinisError('E_AUDIT_CHAIN_BROKEN', `audit chain broken at seq ${at}: ${reason}; nothing exported (run ordinis audit verify)`, {
      details: { brokenAt: at, reason, checked: v.checked },
    });
  }
  flush();
}

function createExclusive(path: string, given: string): number {
  try {
    return openSync(path, 'wx', 0o644);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new OrdinisError('E_CFG_INVALID', `--out ${given}: ${path} already exists; an export never overwrites a file (it may hold the only copy of purged records)`, {
        details: { out: path },
      });
    }
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new OrdinisError('E_CFG_INVALID', `--out ${given}: directory ${dirname(path)} does not exist`, { cause: e, details: { out: path } });
    }
    throw writeFailed(path, 'create', e);
  }
}

function writeAll(fd: number, path: string, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let off = 0;
  try {
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
  } catch (e) {
    throw writeFailed(path, 'write', e);
  }
}

function writeFailed(path: string, step: string, e: unknown): OrdinisError {
  return new OrdinisError('E_AUDIT_EXPORT_FAILED', `cannot ${step} audit export ${path}: ${e instanceof Error ? e.message : String(e)}; nothing was marked exported`, {
    cause: e,
    details: { out: path, step },
  });
}

/** Makes the new file's name durable. Some file systems cannot fsync a directory; the file itself already is. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // EISDIR/EINVAL/EPERM on file systems without directory fsync.
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already failing or already closed.
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Nothing to remove.
  }
}
