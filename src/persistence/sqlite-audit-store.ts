// The audit log on SQLite. Records are sealed with the pure chain functions of
// governance/audit-chain.ts; this file adds what a file on disk needs on top:
// - `audit_head` (last seq + hash written, moved in the same transaction as each append), so
//   deleting the newest records is detected, not mistaken for a shorter log;
// - `audit_anchor` (seq + hash of the last record removed by retention), so the chain that
//   remains after a purge still verifies from a known point;
// - `audit_export` (the last record written to an export file), past which retention never
//   deletes: what leaves the database has been written somewhere else first;
// - triggers (see migrations/v1-initial-schema.ts) that refuse UPDATE, refuse DELETE above
//   the anchor, and refuse an INSERT that does not extend the head.
// Someone with write access to the file can drop the triggers and rewrite the lot; the
// chain makes that visible, it cannot make it impossible.

import type Database from 'better-sqlite3';
import {
  GENESIS_HASH,
  sealRecord,
  verifyChain,
  type AuditRecord,
  type AuditRecordInput,
  type AuditStore,
  type ChainVerification,
} from '../governance/audit-chain.ts';
import { OrdinisError } from '../errors.ts';
import type { SqliteConnection } from './connection.ts';
import type { AuditMacKey, CheckpointReport } from '../governance/audit-checkpoint.ts';
import { SqliteAuditCheckpoints, type SealResult } from './sqlite-audit-checkpoints.ts';
import type { ChangeStamp } from './sqlite-commit-probe.ts';
import { chainPointQuery, type ChainPointQuery } from './audit-chain-point.ts';

/** A point in the chain: a record's seq and its hash_self. */
export interface ChainPoint {
  seq: number;
  hash: string;
}

export interface AuditPurgeResult {
  purged: number;
  /** The retention anchor after the purge (unchanged when nothing was purged). */
  anchor: ChainPoint;
}

/** What a purge with a given cutoff would do, computed without deleting anything. */
export interface AuditPurgePlan {
  /** The last seq it would delete (the anchor's seq when nothing is due). */
  through: number;
  /** Records it would delete. */
  count: number;
  /** Records in the log now. */
  total: number;
  /** Records old enough to go but kept because no export holds them yet. */
  heldUnexported: number;
  /** The last chain point written to an export file (`ordinis audit export`). */
  exported: ChainPoint;
}

/** The export mark: the last record written to an export file, and which file. */
export interface AuditExportMark extends ChainPoint {
  path: string | null;
  exportedAt: string | null;
}

/** A record as an export file carries it: the chained fields plus when it was stored (not hashed). */
export interface StoredAuditRecord extends AuditRecord {
  recordedAt: string | null;
}

export interface AuditStoreOptions {
  /** AUDIT_MAC_KEY: signs chain checkpoints; null/absent = none written, none checked. */
  macKey?: AuditMacKey | null;
  /** AUDIT_CHECKPOINT_EVERY: a checkpoint every this many records. */
  checkpointEvery?: number;
}

/** A verification of the whole chain, with the keyed checkpoints' verdict when a key is configured and the chain itself holds. */
export interface AuditVerification extends ChainVerification {
  checkpoints?: CheckpointReport;
}

/** Records after a known point, verified: the step of an incremental verification. */
export interface SegmentWalk extends ChainVerification {
  /** The last point verified (`from` when nothing was). */
  last: ChainPoint;
}

interface AuditDbRow {
  seq: number;
  ts: string;
  kind: string;
  component: string;
  action: string;
  actor: string;
  correlation_id: string | null;
  policy_version: string;
  decision: string;
  subject_ref: string | null;
  payload_json: string;
  hash_prev: string;
  hash_self: string;
}

const AUDIT_COLUMNS =
  'seq, ts, kind, component, action, actor, correlation_id, policy_version, decision, subject_ref, payload_json, hash_prev, hash_self';

export class SqliteAuditStore implements AuditStore {
  private readonly conn: SqliteConnection;
  /** Keyed checkpoints (audit_checkpoint): when they are written, and their verdict. */
  readonly checkpoints: SqliteAuditCheckpoints;
  private readonly selectHead: ChainPointQuery;
  private readonly selectAnchor: ChainPointQuery;
  private readonly insertRecord: Database.Statement;
  private readonly advanceHead: Database.Statement;
  private readonly selectAll: Database.Statement;
  private readonly selectHashAt: Database.Statement;
  private readonly selectBySubjects: Database.Statement;
  private readonly selectPage: Database.Statement;
  private readonly selectFirstKept: Database.Statement;
  private readonly moveAnchor: Database.Statement;
  private readonly deleteUpTo: Database.Statement;
  private readonly selectExport: Database.Statement;
  private readonly upsertExport: Database.Statement;
  private readonly countRecords: Database.Statement;
  private readonly countUpTo: Database.Statement;
  private readonly selectExportPage: Database.Statement;
  private readonly appendTx: Database.Transaction<(input: AuditRecordInput, payloadJson: string) => AuditRecord>;
  private readonly purgeTx: Database.Transaction<(cutoffIso: string) => AuditPurgeResult>;
  private readonly markExportedTx: Database.Transaction<(point: ChainPoint, path: string) => AuditExportMark>;

  constructor(conn: SqliteConnection, options: AuditStoreOptions = {}) {
    this.conn = conn;
    const db = conn.db;
    this.checkpoints = new SqliteAuditCheckpoints(
      conn,
      {
        head: () => this.selectHead.get() as ChainPoint,
        anchor: () => this.selectAnchor.get() as ChainPoint,
        hashAt: (seq) => this.selectHashAt.get(seq) as string | undefined,
        walk: (from, toSeq) => this.walkNow(from, toSeq - from.seq),
      },
      { key: options.macKey ?? null, ...(options.checkpointEvery !== undefined ? { every: options.checkpointEvery } : {}) },
    );
    this.selectHead = chainPointQuery(db, 'audit_head', conn.path);
    this.selectAnchor = chainPointQuery(db, 'audit_anchor', conn.path);
    // recorded_at is the wall-clock time of the write (retention ages records by it); `ts` is
    // the time the record is about, which in a replay is a bar's time. Not hashed: the chain
    // covers what happened, the stamp only when it reached this file.
    this.insertRecord = db.prepare(`INSERT INTO audit_log (${AUDIT_COLUMNS}, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.advanceHead = db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1');
    this.selectAll = db.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit_log ORDER BY seq`);
    this.selectHashAt = db.prepare('SELECT hash_self FROM audit_log WHERE seq = ?').pluck();
    this.selectBySubjects = db.prepare(
      `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE subject_ref IN (SELECT value FROM json_each(?)) ORDER BY seq`,
    );
    this.selectPage = db.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`);
    // Age is recorded_at (wall clock), never ts (a replay's bar time). A row with no stamp
    // has an unknown age and counts as new.
    this.selectFirstKept = db.prepare('SELECT MIN(seq) FROM audit_log WHERE recorded_at >= ? OR recorded_at IS NULL').pluck();
    this.moveAnchor = db.prepare('UPDATE audit_anchor SET seq = ?, hash = ?, purged_at = ? WHERE id = 1');
    this.deleteUpTo = db.prepare('DELETE FROM audit_log WHERE seq <= ?');
    this.selectExport = db.prepare('SELECT seq, hash, path, exported_at FROM audit_export WHERE id = 1');
    this.upsertExport = db.prepare(
      `INSERT INTO audit_export (id, seq, hash, path, exported_at) VALUES (1, @seq, @hash, @path, @at)
       ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, path = excluded.path, exported_at = excluded.exported_at`,
    );
    this.countRecords = db.prepare('SELECT COUNT(*) FROM audit_log').pluck();
    this.countUpTo = db.prepare('SELECT COUNT(*) FROM audit_log WHERE seq <= ?').pluck();
    this.selectExportPage = db.prepare(`SELECT ${AUDIT_COLUMNS}, recorded_at FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`);

    this.appendTx = db.transaction((input: AuditRecordInput, payloadJson: string) => {
      const head = this.selectHead.get() as ChainPoint;
      const rec = sealRecord(head.seq + 1, input, head.hash);
      this.insertRecord.run(
        rec.seq,
        rec.ts,
        rec.kind,
        rec.component,
        rec.action,
        rec.actor,
        rec.correlationId,
        rec.policyVersion,
        rec.decision,
        rec.subjectRef,
        payloadJson,
        rec.hashPrev,
        rec.hashSelf,
        this.conn.nowIso(),
      );
      this.advanceHead.run(rec.seq, rec.hashSelf);
      // In this transaction: a record past a due checkpoint is never committed without it.
      this.checkpoints.afterAppend({ seq: rec.seq, hash: rec.hashSelf });
      return rec;
    });

    this.purgeTx = db.transaction((cutoffIso: string) => {
      const anchor = this.selectAnchor.get() as ChainPoint;
      const lastPurged = this.planNow(cutoffIso).through;
      if (lastPurged <= anchor.seq) return { purged: 0, anchor };
      // Never let retention erase the evidence of tampering.
      this.throwIfBroken(this.verifyWithCheckpoints());
      const hash = this.selectHashAt.get(lastPurged) as string;
      this.moveAnchor.run(lastPurged, hash, this.conn.nowIso());
      const r = this.deleteUpTo.run(lastPurged);
      this.checkpoints.afterPurge({ seq: lastPurged, hash });
      return { purged: r.changes, anchor: { seq: lastPurged, hash } };
    });

    this.markExportedTx = db.transaction((point: ChainPoint, path: string) => {
      const mark = this.exportMarkNow();
      if (point.seq <= mark.seq) return mark;
      const head = this.selectHead.get() as ChainPoint;
      const stored = point.seq === head.seq ? head.hash : (this.selectHashAt.get(point.seq) as string | undefined);
      if (stored !== point.hash) {
        throw new OrdinisError('E_AUDIT_CHAIN_BROKEN', `cannot mark seq ${point.seq} exported: its hash in the database is not the exported one`, {
          details: { seq: point.seq, exported: point.hash, stored: stored ?? null },
        });
      }
      const next: AuditExportMark = { seq: point.seq, hash: point.hash, path, exportedAt: this.conn.nowIso() };
      this.upsertExport.run({ seq: next.seq, hash: next.hash, path, at: next.exportedAt });
      return next;
    });
  }

  append(input: AuditRecordInput): AuditRecord {
    // Hash exactly what a reader will rebuild from the row: known fields only, nulls not
    // undefined, and the payload as it comes back from JSON (a Date becomes a string, ...).
    const payloadJson = JSON.stringify(input.payload ?? {});
    const clean: AuditRecordInput = {
      ts: input.ts,
      kind: input.kind,
      component: input.component,
      action: input.action,
      actor: input.actor,
      correlationId: input.correlationId ?? null,
      policyVersion: input.policyVersion,
      decision: input.decision,
      subjectRef: input.subjectRef ?? null,
      payload: JSON.parse(payloadJson) as Record<string, unknown>,
    };
    return this.conn.write(`append audit record ${input.kind}`, () => this.appendTx.immediate(clean, payloadJson));
  }

  findBySubject(subjectRefs: readonly string[]): AuditRecord[] {
    if (subjectRefs.length === 0) return [];
    return this.conn.read('find audit records by subject', () =>
      (this.selectBySubjects.all(JSON.stringify(subjectRefs)) as AuditDbRow[]).map(toAuditRecord),
    );
  }

  /** Records after `afterSeq` in sequence order, for the ops API. */
  list(options: { afterSeq?: number; limit?: number } = {}): AuditRecord[] {
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), 1000);
    return this.conn.read('list audit records', () =>
      (this.selectPage.all(options.afterSeq ?? 0, limit) as AuditDbRow[]).map(toAuditRecord),
    );
  }

  head(): ChainPoint {
    return this.conn.read('read audit head', () => this.selectHead.get() as ChainPoint);
  }

  anchor(): ChainPoint {
    return this.conn.read('read audit anchor', () => this.selectAnchor.get() as ChainPoint);
  }

  /**
   * Walks the whole chain from the retention anchor and checks that it ends at the head.
   * Detects edited, deleted, reordered and truncated records.
   */
  verify(): AuditVerification {
    return this.conn.read('verify audit chain', () => this.verifyWithCheckpoints());
  }

  /** verify(), throwing E_AUDIT_CHAIN_BROKEN (details: brokenAt, reason, checked) when broken. */
  assertChainIntact(): void {
    this.throwIfBroken(this.verify());
  }

  /**
   * Deletes the oldest exported records (the prefix with recorded_at < cutoff, up to the
   * export mark) and moves the anchor to the last one deleted, so the remaining chain stays
   * verifiable. Refuses (E_AUDIT_CHAIN_BROKEN) to purge a chain that does not verify.
   * `cutoffIso` is compared as text: use the same UTC `...Z` form the stamps carry.
   */
  purgeOlderThan(cutoffIso: string): AuditPurgeResult {
    return this.conn.write('purge audit log', () => this.purgeTx.immediate(cutoffIso));
  }

  /** What purgeOlderThan(cutoffIso) would delete now; deletes nothing. */
  planPurge(cutoffIso: string): AuditPurgePlan {
    return this.conn.read('plan audit purge', () => this.planNow(cutoffIso));
  }

  /** The last chain point written to an export file; the anchor when nothing was exported since. */
  exportMark(): AuditExportMark {
    return this.conn.read('read audit export mark', () => this.exportMarkNow());
  }

  /**
   * Records the export of every record up to `point` (its hash must be the database's) to
   * `path`. The mark only moves forward: a point at or behind it changes nothing.
   */
  markExported(point: ChainPoint, path: string): AuditExportMark {
    return this.conn.write('mark audit records exported', () => this.markExportedTx.immediate(point, path));
  }

  /** Records with afterSeq < seq <= throughSeq in order, at most `limit`, with their recorded_at: an export's page. */
  exportPage(afterSeq: number, throughSeq: number, limit: number): StoredAuditRecord[] {
    return this.conn.read('read audit records for export', () =>
      (this.selectExportPage.all(afterSeq, throughSeq, limit) as (AuditDbRow & { recorded_at: string | null })[]).map((row) => ({
        ...toAuditRecord(row),
        recordedAt: row.recorded_at,
      })),
    );
  }

  /**
   * Retention removes a prefix of the chain: it stops at the first record that is not old
   * enough by recorded_at, even if later records are (stamps need not be monotonic), and
   * never goes past the export mark, so no record leaves the database unexported.
   */
  private planNow(cutoffIso: string): AuditPurgePlan {
    const anchor = this.selectAnchor.get() as ChainPoint;
    const head = this.selectHead.get() as ChainPoint;
    const exported = this.exportMarkNow();
    const firstKept = this.selectFirstKept.get(cutoffIso) as number | null;
    const oldThrough = firstKept === null ? head.seq : firstKept - 1;
    const through = Math.max(anchor.seq, Math.min(oldThrough, exported.seq));
    const count = through > anchor.seq ? (this.countUpTo.get(through) as number) : 0;
    const heldUnexported = Math.max(0, oldThrough - Math.max(exported.seq, anchor.seq));
    return { through, count, total: this.countRecords.get() as number, heldUnexported, exported: { seq: exported.seq, hash: exported.hash } };
  }

  private exportMarkNow(): AuditExportMark {
    const row = this.selectExport.get() as { seq: number; hash: string; path: string | null; exported_at: string | null } | undefined;
    const anchor = this.selectAnchor.get() as ChainPoint;
    // No row, or one behind the anchor (records purged before exports existed): nothing
    // past the anchor was exported.
    if (!row || row.seq < anchor.seq) return { seq: anchor.seq, hash: anchor.hash, path: null, exportedAt: null };
    return { seq: row.seq, hash: row.hash, path: row.path, exportedAt: row.exported_at };
  }

  /** hash_self of the record at `seq`; undefined when there is none. */
  hashAt(seq: number): string | undefined {
    return this.conn.read('read an audit record hash', () => this.selectHashAt.get(seq) as string | undefined);
  }

  /**
   * Verifies up to `limit` records after `from` (a point already verified): contiguous seqs,
   * each linked to the one before and hashing to its hash_self. Fewer records than asked for
   * is not a failure here; the caller compares `last` with the head.
   */
  walkSegment(from: ChainPoint, limit: number): SegmentWalk {
    return this.conn.read('verify audit records', () => this.walkNow(from, limit));
  }

  /** What other connections changed since a stamp taken earlier (incremental verification rechecks everything then). */
  changeStamp(): ChangeStamp {
    return this.conn.read('read the database change stamp', () => this.checkpoints.stamp());
  }

  /** The keyed checkpoints' verdict against the chain as it is now (no walk of the records). */
  checkpointReport(anchor: ChainPoint, head: ChainPoint): CheckpointReport {
    return this.conn.read('check audit checkpoints', () => this.checkpoints.judge(anchor, head));
  }

  /** Signs the head when records were appended since the last checkpoint; run at close (each run's end). */
  sealHead(): void {
    this.checkpoints.sealHead();
  }

  /**
   * `ordinis audit seal`: walks the whole chain and, when it holds and no checkpoint is
   * evidence against the key, signs the anchor and the head with the configured key
   * (adopting records written before the key existed, or under a rotated key).
   */
  seal(): SealResult {
    return this.conn.transaction(() => {
      this.throwIfBroken(this.verifyNow());
      return this.checkpoints.adopt();
    }, 'seal the audit chain');
  }

  private verifyWithCheckpoints(): AuditVerification {
    const v = this.verifyNow();
    // Without a key there is nothing to check: the verdict stays the hash chain's alone.
    if (!v.ok || this.checkpoints.key === null) return v;
    const report = this.checkpoints.judge(this.selectAnchor.get() as ChainPoint, this.selectHead.get() as ChainPoint);
    const first = report.problems[0];
    return first ? { ...v, ok: false, brokenAt: first.seq, reason: first.reason, checkpoints: report } : { ...v, checkpoints: report };
  }

  private walkNow(from: ChainPoint, limit: number): SegmentWalk {
    let last = from;
    if (limit <= 0) return { ok: true, checked: 0, last };
    const records: AuditRecord[] = [];
    for (const row of this.selectPage.iterate(from.seq, limit) as IterableIterator<AuditDbRow>) {
      try {
        records.push(toAuditRecord(row));
      } catch {
        const v = verifyChain(records, { hash: from.hash, seq: from.seq + 1 });
        if (!v.ok) return { ...v, last };
        return { ok: false, checked: v.checked, brokenAt: row.seq, reason: 'payload_json is not valid JSON (row edited)', last };
      }
    }
    const v = verifyChain(records, { hash: from.hash, seq: from.seq + 1 });
    if (!v.ok) return { ...v, last };
    const tail = records[records.length - 1];
    if (tail) last = { seq: tail.seq, hash: tail.hashSelf };
    return { ...v, last };
  }

  private verifyNow(): ChainVerification {
    const anchor = this.selectAnchor.get() as ChainPoint;
    const head = this.selectHead.get() as ChainPoint;
    let unreadableSeq: number | undefined;
    const rows = this.selectAll.iterate() as IterableIterator<AuditDbRow>;
    const records = (function* (): Generator<AuditRecord> {
      for (const row of rows) {
        let rec: AuditRecord;
        try {
          rec = toAuditRecord(row);
        } catch {
          // A payload that no longer parses was edited; stop here and report it below.
          unreadableSeq = row.seq;
          return;
        }
        yield rec;
      }
    })();
    const result = verifyChain(records, { hash: anchor.hash, seq: anchor.seq + 1 });
    if (!result.ok) return result;
    if (unreadableSeq !== undefined) {
      return { ok: false, checked: result.checked, brokenAt: unreadableSeq, reason: 'payload_json is not valid JSON (row edited)' };
    }

    const lastSeq = anchor.seq + result.checked;
    if (lastSeq < head.seq) {
      return {
        ok: false,
        checked: result.checked,
        brokenAt: lastSeq + 1,
        reason: `the log ends at seq ${lastSeq} but the head records seq ${head.seq} (tail truncated)`,
      };
    }
    if (lastSeq > head.seq) {
      return {
        ok: false,
        checked: result.checked,
        brokenAt: head.seq + 1,
        reason: `records past the head (seq ${head.seq}): written outside the audit store`,
      };
    }
    const lastHash = lastSeq === anchor.seq ? anchor.hash : (this.selectHashAt.get(lastSeq) as string);
    if (lastHash !== head.hash || (head.seq === 0 && head.hash !== GENESIS_HASH)) {
      return {
        ok: false,
        checked: result.checked,
        brokenAt: head.seq,
        reason: `the last record's hash does not match the head (tail rewritten)`,
      };
    }
    return result;
  }

  private throwIfBroken(v: ChainVerification): void {
    if (v.ok) return;
    throw new OrdinisError('E_AUDIT_CHAIN_BROKEN', `audit chain broken at seq ${v.brokenAt}: ${v.reason}`, {
      details: { brokenAt: v.brokenAt, reason: v.reason, checked: v.checked },
    });
  }
}

function toAuditRecord(row: AuditDbRow): AuditRecord {
  return {
    seq: row.seq,
    ts: row.ts,
    kind: row.kind,
    component: row.component,
    action: row.action,
    actor: row.actor,
    correlationId: row.correlation_id,
    policyVersion: row.policy_version,
    decision: row.decision,
    subjectRef: row.subject_ref,
    payload: JSON.parse(row.payload_json) as Record<string, unknown>,
    hashPrev: row.hash_prev,
    hashSelf: row.hash_self,
  };
}
