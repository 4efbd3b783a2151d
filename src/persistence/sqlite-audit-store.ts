// The audit log on SQLite. Records are sealed with the pure chain functions of
// governance/audit-chain.ts; this file adds what a file on disk needs on top:
// - `audit_head` (last seq + hash written, moved in the same transaction as each append), so
//   deleting the newest records is detected, not mistaken for a shorter log;
// - `audit_anchor` (seq + hash of the last record removed by retention), so the chain that
//   remains after a purge still verifies from a known point;
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
  private readonly selectHead: Database.Statement;
  private readonly selectAnchor: Database.Statement;
  private readonly insertRecord: Database.Statement;
  private readonly advanceHead: Database.Statement;
  private readonly selectAll: Database.Statement;
  private readonly selectHashAt: Database.Statement;
  private readonly selectBySubjects: Database.Statement;
  private readonly selectPage: Database.Statement;
  private readonly selectFirstKept: Database.Statement;
  private readonly moveAnchor: Database.Statement;
  private readonly deleteUpTo: Database.Statement;
  private readonly appendTx: Database.Transaction<(input: AuditRecordInput, payloadJson: string) => AuditRecord>;
  private readonly purgeTx: Database.Transaction<(cutoffIso: string) => AuditPurgeResult>;

  constructor(conn: SqliteConnection) {
    this.conn = conn;
    const db = conn.db;
    this.selectHead = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1');
    this.selectAnchor = db.prepare('SELECT seq, hash FROM audit_anchor WHERE id = 1');
    this.insertRecord = db.prepare(`INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.advanceHead = db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1');
    this.selectAll = db.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit_log ORDER BY seq`);
    this.selectHashAt = db.prepare('SELECT hash_self FROM audit_log WHERE seq = ?').pluck();
    this.selectBySubjects = db.prepare(
      `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE subject_ref IN (SELECT value FROM json_each(?)) ORDER BY seq`,
    );
    this.selectPage = db.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`);
    this.selectFirstKept = db.prepare('SELECT MIN(seq) FROM audit_log WHERE ts >= ?').pluck();
    this.moveAnchor = db.prepare('UPDATE audit_anchor SET seq = ?, hash = ?, purged_at = ? WHERE id = 1');
    this.deleteUpTo = db.prepare('DELETE FROM audit_log WHERE seq <= ?');

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
      );
      this.advanceHead.run(rec.seq, rec.hashSelf);
      return rec;
    });

    this.purgeTx = db.transaction((cutoffIso: string) => {
      const anchor = this.selectAnchor.get() as ChainPoint;
      const head = this.selectHead.get() as ChainPoint;
      // Retention removes a prefix of the chain: it stops at the first record that is not
      // old enough, even if later records are (timestamps need not be monotonic).
      const firstKept = this.selectFirstKept.get(cutoffIso) as number | null;
      const lastPurged = firstKept === null ? head.seq : firstKept - 1;
      if (lastPurged <= anchor.seq) return { purged: 0, anchor };
      // Never let retention erase the evidence of tampering.
      this.throwIfBroken(this.verifyNow());
      const hash = this.selectHashAt.get(lastPurged) as string;
      this.moveAnchor.run(lastPurged, hash, this.conn.nowIso());
      const r = this.deleteUpTo.run(lastPurged);
      return { purged: r.changes, anchor: { seq: lastPurged, hash } };
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
  verify(): ChainVerification {
    return this.conn.read('verify audit chain', () => this.verifyNow());
  }

  /** verify(), throwing E_AUDIT_CHAIN_BROKEN (details: brokenAt, reason, checked) when broken. */
  assertChainIntact(): void {
    this.throwIfBroken(this.verify());
  }

  /**
   * Deletes the oldest records (the prefix with ts < cutoff) and moves the anchor to the last
   * one deleted, so the remaining chain stays verifiable. Refuses (E_AUDIT_CHAIN_BROKEN) to
   * purge a chain that does not verify. `cutoffIso` is compared as text: use the same UTC
   * `...Z` form the records carry.
   */
  purgeOlderThan(cutoffIso: string): AuditPurgeResult {
    return this.conn.write('purge audit log', () => this.purgeTx.immediate(cutoffIso));
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
