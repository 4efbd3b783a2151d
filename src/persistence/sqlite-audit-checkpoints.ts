// The `audit_checkpoint` table (migration v6): keyed checkpoints of the audit chain, written
// and judged with the pure functions of governance/audit-checkpoint.ts. The audit store owns
// the chain; this class owns when a checkpoint is written and what must hold before:
//
// - a checkpoint is due every `every` records, checked inside the append's own transaction,
//   so no committed record is ever past a due checkpoint; the first record of a chain (or
//   the first after everything was purged) is signed at once;
// - `sealHead()` signs the head when the database is closed (the end of every run) by a
//   process that appended records;
// - `afterPurge()` signs the new anchor (kind `anchor`) and the head, in the purge's
//   transaction;
// - nothing is signed on top of a chain that does not verify: before its first checkpoint a
//   process checks the existing checkpoints and walks the records after the last one, and
//   again whenever another connection has written to the file since (PRAGMA data_version
//   or schema_version moved). A refusal is kept (and reported by `refusal`) rather than
//   retried on every append.
//
// Without a key nothing is written, and verification says it cannot detect a full rewrite.

import type Database from 'better-sqlite3';
import {
  ADOPTABLE_PROBLEMS,
  judgeCheckpoints,
  type AuditMacKey,
  type ChainPoint,
  type CheckpointKind,
  type CheckpointReport,
  type CheckpointRow,
} from '../governance/audit-checkpoint.ts';
import type { ChainVerification } from '../governance/audit-chain.ts';
import { OrdinisError } from '../errors.ts';
import type { SqliteConnection } from './connection.ts';
import { changeStampReader, sameStamp, type ChangeStamp } from './sqlite-commit-probe.ts';

export const DEFAULT_AUDIT_CHECKPOINT_EVERY = 1000;

/** What the checkpoints need to read of the chain (the audit store provides it). */
export interface AuditChainAccess {
  head(): ChainPoint;
  anchor(): ChainPoint;
  /** hash_self of the record at seq, undefined when there is none. */
  hashAt(seq: number): string | undefined;
  /** Verifies the records after `from` up to `toSeq` (all of them, contiguous); `last` is where it stopped. */
  walk(from: ChainPoint, toSeq: number): ChainVerification & { last: ChainPoint };
}

export interface SealResult {
  /** The points signed now (empty when everything was already signed). */
  signed: { kind: CheckpointKind; seq: number; hash: string }[];
  keyId: string;
}

export class SqliteAuditCheckpoints {
  readonly key: AuditMacKey | null;
  readonly every: number;
  private readonly conn: SqliteConnection;
  private readonly chain: AuditChainAccess;
  private readonly selectRows: Database.Statement;
  private readonly selectLastOwn: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly deleteBelow: Database.Statement;
  /** Reads the change stamp (every GET /audit/verify does, cached answers included). */
  readonly stamp: () => ChangeStamp;
  /** Seq of the last record checkpoint past the anchor signed with the key, as last seen (null: none, undefined: not read yet). */
  private lastOwnSeq: number | null | undefined;
  /** The stamp at which the chain was last found fit to sign; signing again needs no walk while it holds. */
  private trustedAt: ChangeStamp | null = null;
  private refusedAt: ChangeStamp | null = null;
  private refusalReason: string | null = null;
  /** Whether this process appended since it opened: only a writer signs its head at close, never a reader. */
  private appended = false;

  constructor(conn: SqliteConnection, chain: AuditChainAccess, options: { key?: AuditMacKey | null; every?: number } = {}) {
    this.conn = conn;
    this.chain = chain;
    this.key = options.key ?? null;
    this.every = options.every ?? DEFAULT_AUDIT_CHECKPOINT_EVERY;
    if (!Number.isInteger(this.every) || this.every < 1) {
      throw new OrdinisError('E_CFG_INVALID', `AUDIT_CHECKPOINT_EVERY must be an integer >= 1, got ${String(this.every)}`);
    }
    const db = conn.db;
    this.selectRows = db.prepare('SELECT seq, hash, mac, key_id AS keyId, recorded_at AS recordedAt FROM audit_checkpoint ORDER BY seq');
    // Past the anchor only: the anchor's own checkpoint vouches for the purged prefix, not for
    // a record after it (the first record after a purge of everything is signed at once).
    this.selectLastOwn = db.prepare('SELECT MAX(seq) FROM audit_checkpoint WHERE key_id = ? AND seq > (SELECT seq FROM audit_anchor WHERE id = 1)').pluck();
    this.upsert = db.prepare(
      'INSERT INTO audit_checkpoint (seq, hash, mac, key_id, recorded_at) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (seq) DO UPDATE SET hash = excluded.hash, mac = excluded.mac, key_id = excluded.key_id, recorded_at = excluded.recorded_at',
    );
    this.deleteBelow = db.prepare('DELETE FROM audit_checkpoint WHERE seq < ?');
    this.stamp = changeStampReader(db);
  }

  /** Why this process stopped signing (the chain did not verify), or null. */
  get refusal(): string | null {
    return this.refusalReason;
  }

  rows(): CheckpointRow[] {
    return this.selectRows.all() as CheckpointRow[];
  }

  judge(anchor: ChainPoint, head: ChainPoint): CheckpointReport {
    return judgeCheckpoints({ key: this.key, anchor, head, rows: this.rows(), hashAt: (s) => this.chain.hashAt(s), every: this.every });
  }

  /** Inside the append's transaction, after `rec` became the head. */
  afterAppend(rec: ChainPoint): void {
    if (this.key === null) return;
    this.appended = true;
    if (typeof this.lastOwnSeq === 'number' && rec.seq - this.lastOwnSeq < this.every) return;
    // Due as far as this process knows; another writer may have signed since.
    this.lastOwnSeq = this.readLastOwn();
    if (this.lastOwnSeq !== null && rec.seq - this.lastOwnSeq < this.every) return;
    if (this.fitToSign(rec)) this.sign('point', rec);
  }

  /** Signs the head if this process appended records since the last checkpoint (each run's end). Own transaction. */
  sealHead(): void {
    if (this.key === null || !this.appended || this.conn.db.readonly || !this.conn.db.open) return;
    this.conn.transaction(() => {
      const head = this.chain.head();
      const last = this.readLastOwn();
      if (head.seq <= this.chain.anchor().seq || (last !== null && last >= head.seq)) return;
      if (this.fitToSign(head)) this.sign('point', head);
    }, 'checkpoint the audit head');
  }

  /** Inside the purge's transaction, after the anchor moved to `anchor` (the chain was verified first). */
  afterPurge(anchor: ChainPoint): void {
    if (this.key === null) return;
    this.deleteBelow.run(anchor.seq);
    this.sign('anchor', anchor);
    const head = this.chain.head();
    if (head.seq > anchor.seq) this.sign('point', head);
    else this.lastOwnSeq = null; // nothing signed past the new anchor: the next record is due at once
  }

  /**
   * `ordinis audit seal`: signs the anchor and the head with the key, adopting a chain written
   * before the key existed or under another key. The caller walked the whole chain; this
   * refuses when any checkpoint is evidence against the current key.
   */
  adopt(): SealResult {
    const key = this.key;
    if (key === null) throw new OrdinisError('E_CFG_INVALID', 'AUDIT_MAC_KEY is not set: there is no key to sign checkpoints with');
    return this.conn.transaction(() => {
      const anchor = this.chain.anchor();
      const head = this.chain.head();
      const report = this.judge(anchor, head);
      const evidence = report.problems.filter((p) => !ADOPTABLE_PROBLEMS.has(p.kind));
      if (evidence.length > 0) {
        throw new OrdinisError('E_AUDIT_CHAIN_BROKEN', `refusing to seal: checkpoint at seq ${evidence[0]!.seq}: ${evidence[0]!.reason}`, {
          details: { problems: evidence },
        });
      }
      const signed: SealResult['signed'] = [];
      if (anchor.seq > 0 && report.problems.some((p) => p.kind === 'anchor_unsigned')) {
        this.sign('anchor', anchor);
        signed.push({ kind: 'anchor', ...anchor });
      }
      if (head.seq > anchor.seq && (report.lastSealed === null || report.lastSealed.seq < head.seq)) {
        this.sign('point', head);
        signed.push({ kind: 'point', ...head });
      }
      this.trustedAt = null;
      this.refusedAt = null;
      this.refusalReason = null;
      return { signed, keyId: key.id };
    }, 'seal the audit chain');
  }

  private readLastOwn(): number | null {
    return (this.selectLastOwn.get(this.key!.id) as number | null) ?? null;
  }

  private sign(kind: CheckpointKind, point: ChainPoint): void {
    const key = this.key!;
    this.upsert.run(point.seq, point.hash, key.mac(kind, point), key.id, this.conn.nowIso());
    if (kind === 'point' && (typeof this.lastOwnSeq !== 'number' || point.seq > this.lastOwnSeq)) this.lastOwnSeq = point.seq;
  }

  /**
   * Whether the chain up to `head` may be signed: its checkpoints hold, and the records after
   * the last one verify. Checked once, then again only after another connection wrote.
   */
  private fitToSign(head: ChainPoint): boolean {
    const stamp = this.stamp();
    if (this.trustedAt && sameStamp(stamp, this.trustedAt)) return true;
    if (this.refusedAt && sameStamp(stamp, this.refusedAt)) return false;
    const reason = this.whyNotSign(head);
    if (reason === null) {
      this.trustedAt = stamp;
      this.refusedAt = null;
      this.refusalReason = null;
      return true;
    }
    this.refusedAt = stamp;
    this.refusalReason = reason;
    return false;
  }

  private whyNotSign(head: ChainPoint): string | null {
    const anchor = this.chain.anchor();
    const report = this.judge(anchor, head);
    for (const p of report.problems) {
      // The one record just appended to a chain whose start (genesis or a signed anchor) is vouched for.
      if (p.kind === 'uncovered' && head.seq === anchor.seq + 1) continue;
      return `checkpoint at seq ${p.seq}: ${p.reason}`;
    }
    const from = report.lastSealed ?? anchor;
    const walk = this.chain.walk(from, head.seq);
    if (!walk.ok) return `audit chain broken at seq ${walk.brokenAt}: ${walk.reason}`;
    if (walk.last.seq !== head.seq || walk.last.hash !== head.hash) return `the chain ends at seq ${walk.last.seq}, not at the head (seq ${head.seq})`;
    return null;
  }
}
