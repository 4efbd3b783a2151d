// The audit export file (`ordinis audit export`), as pure functions: how a header and a
// record are written as JSON lines, and how a file's lines are checked standing alone, with
// no database, by the same chain functions as the log itself (audit-chain.ts).
//
// Format (JSON Lines, UTF-8):
//   line 1   {"format":"ordinis.audit.export","version":1,"from":{"seq","hash"},"to":{"seq","hash"},"count",...}
//            `from` is the chain point the first record extends (seq 0 + GENESIS_HASH for a
//            log's beginning), `to` the last record's; `count` = to.seq - from.seq.
//   line 2.. one record each: seq, every hashed field (ts, kind, component, action, actor,
//            correlationId, policyVersion, decision, subjectRef, payload), hashPrev, hashSelf,
//            and recordedAt (when the database stored it; NOT covered by the hash).
// Consecutive exports chain: a file's `from` is the previous file's `to`.

import { verifyChain, type AuditRecord } from './audit-chain.ts';

export const EXPORT_FORMAT = 'ordinis.audit.export';
export const EXPORT_VERSION = 1;

export interface ExportPoint {
  seq: number;
  hash: string;
}

export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  from: ExportPoint;
  to: ExportPoint;
  count: number;
  /** Wall-clock time of the export (RFC 3339). */
  exportedAt: string;
  /** The database file it came from (informative). */
  database: string;
}

export function exportHeaderLine(header: ExportHeader): string {
  return `${JSON.stringify({
    format: header.format,
    version: header.version,
    from: { seq: header.from.seq, hash: header.from.hash },
    to: { seq: header.to.seq, hash: header.to.hash },
    count: header.count,
    exportedAt: header.exportedAt,
    database: header.database,
  })}\n`;
}

export function exportRecordLine(rec: AuditRecord, recordedAt: string | null): string {
  return `${JSON.stringify({
    seq: rec.seq,
    ts: rec.ts,
    kind: rec.kind,
    component: rec.component,
    action: rec.action,
    actor: rec.actor,
    correlationId: rec.correlationId,
    policyVersion: rec.policyVersion,
    decision: rec.decision,
    subjectRef: rec.subjectRef,
    payload: rec.payload,
    hashPrev: rec.hashPrev,
    hashSelf: rec.hashSelf,
    recordedAt,
  })}\n`;
}

export interface ExportVerification {
  ok: boolean;
  /** Records whose chain checked out. */
  checked: number;
  /** The header, when line 1 was one. */
  header?: ExportHeader;
  /** The first broken record's seq (or the seq expected there), and the file line it is on. */
  brokenAt?: number;
  line?: number;
  reason?: string;
}

type Parsed<T> = { value: T } | { error: string };

const HEX64 = /^[0-9a-f]{64}$/;

function point(v: unknown): ExportPoint | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const p = v as Record<string, unknown>;
  return Number.isSafeInteger(p.seq) && (p.seq as number) >= 0 && typeof p.hash === 'string' && HEX64.test(p.hash)
    ? { seq: p.seq as number, hash: p.hash }
    : undefined;
}

export function parseExportHeader(line: string): Parsed<ExportHeader> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { error: 'line 1 is not JSON: not an audit export header' };
  }
  const h = v as Record<string, unknown>;
  if (typeof v !== 'object' || v === null || h.format !== EXPORT_FORMAT) return { error: `line 1 is not an audit export header (format "${EXPORT_FORMAT}")` };
  if (h.version !== EXPORT_VERSION) return { error: `unsupported export version ${JSON.stringify(h.version)} (this build reads ${EXPORT_VERSION})` };
  const from = point(h.from);
  const to = point(h.to);
  if (!from || !to) return { error: 'the header\'s from/to are not chain points {seq, hash}' };
  if (!Number.isSafeInteger(h.count) || (h.count as number) < 0 || h.count !== to.seq - from.seq) return { error: `the header's count ${JSON.stringify(h.count)} is not to.seq - from.seq` };
  return {
    value: {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      from,
      to,
      count: h.count as number,
      exportedAt: typeof h.exportedAt === 'string' ? h.exportedAt : '',
      database: typeof h.database === 'string' ? h.database : '',
    },
  };
}

const STRING_FIELDS = ['ts', 'kind', 'component', 'action', 'actor', 'policyVersion', 'decision', 'hashPrev', 'hashSelf'] as const;
const NULLABLE_FIELDS = ['correlationId', 'subjectRef'] as const;

/** A record line back to the AuditRecord it was written from (recordedAt dropped: it is not chained). */
export function parseExportRecord(line: string): Parsed<AuditRecord> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { error: 'not JSON (line edited or cut)' };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: 'not a record object' };
  const r = v as Record<string, unknown>;
  if (!Number.isSafeInteger(r.seq)) return { error: 'seq is not an integer' };
  for (const f of STRING_FIELDS) if (typeof r[f] !== 'string') return { error: `${f} is not a string` };
  for (const f of NULLABLE_FIELDS) if (r[f] !== null && typeof r[f] !== 'string') return { error: `${f} is not a string or null` };
  if (typeof r.payload !== 'object' || r.payload === null || Array.isArray(r.payload)) return { error: 'payload is not an object' };
  // The fields in the order the store builds them, so the chain hash takes its usual path.
  return {
    value: {
      ts: r.ts as string,
      kind: r.kind as string,
      component: r.component as string,
      action: r.action as string,
      actor: r.actor as string,
      correlationId: r.correlationId as string | null,
      policyVersion: r.policyVersion as string,
      decision: r.decision as string,
      subjectRef: r.subjectRef as string | null,
      payload: r.payload as Record<string, unknown>,
      seq: r.seq as number,
      hashPrev: r.hashPrev as string,
      hashSelf: r.hashSelf as string,
    },
  };
}

/**
 * Checks an export file's lines (without their newlines; a trailing empty line is allowed)
 * standing alone: the header, then every record chained from the header's `from` with
 * verifyChain, and that the chain ends exactly at the header's `to`. Detects edited,
 * deleted, reordered, added and cut records, and a header that does not match them. It
 * cannot detect a file rewritten whole with recomputed hashes: compare its `to` with a
 * chain point kept elsewhere (the next export's `from`, `ordinis audit head`).
 */
export function verifyExportLines(lines: Iterable<string>): ExportVerification {
  const it = lines[Symbol.iterator]();
  const first = it.next();
  if (first.done) return { ok: false, checked: 0, line: 1, reason: 'the file is empty: no audit export header' };
  const parsed = parseExportHeader(first.value);
  if ('error' in parsed) return { ok: false, checked: 0, line: 1, reason: parsed.error };
  const header = parsed.value;

  let lineNo = 1;
  let bad: { line: number; seq: number; reason: string } | undefined;
  let afterEnd = false;
  let last: AuditRecord | undefined;
  const records = (function* (): Generator<AuditRecord> {
    for (let n = it.next(); !n.done; n = it.next()) {
      lineNo++;
      if (n.value === '') {
        afterEnd = true;
        continue;
      }
      const expected = (last?.seq ?? header.from.seq) + 1;
      if (afterEnd) {
        bad = { line: lineNo - 1, seq: expected, reason: 'an empty line inside the file' };
        return;
      }
      const rec = parseExportRecord(n.value);
      if ('error' in rec) {
        bad = { line: lineNo, seq: expected, reason: `line ${lineNo}: ${rec.error}` };
        return;
      }
      last = rec.value;
      yield rec.value;
    }
  })();
  const chain = verifyChain(records, { hash: header.from.hash, seq: header.from.seq + 1 });
  // verifyChain stops at the record it was just given: the one on the last line read.
  if (!chain.ok) return { ok: false, checked: chain.checked, header, brokenAt: chain.brokenAt, line: lineNo, reason: chain.reason };
  if (bad) return { ok: false, checked: chain.checked, header, brokenAt: bad.seq, line: bad.line, reason: bad.reason };
  const endSeq = header.from.seq + chain.checked;
  const endHash = last?.hashSelf ?? header.from.hash;
  if (endSeq !== header.to.seq) {
    return {
      ok: false,
      checked: chain.checked,
      header,
      brokenAt: Math.min(endSeq, header.to.seq) + 1,
      reason: endSeq < header.to.seq
        ? `the file ends at seq ${endSeq} but its header says ${header.to.seq} (records cut off the end)`
        : `records past the header's last seq ${header.to.seq} (added)`,
    };
  }
  if (endHash !== header.to.hash) {
    return { ok: false, checked: chain.checked, header, brokenAt: header.to.seq, reason: 'the last record\'s hash does not match the header\'s (last record or header rewritten)' };
  }
  return { ok: true, checked: chain.checked, header };
}
