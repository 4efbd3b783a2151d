// Keyed checkpoints of the audit chain, as pure functions. The hash chain alone proves only
// that the records agree with each other: whoever can write the file can rewrite every
// record and recompute every hash, or delete a prefix and move the retention anchor, and the
// chain still verifies. A checkpoint is an HMAC-SHA256, under a key that never enters the
// database, over one chain point (seq, hash); because each hash commits to everything before
// it, a valid checkpoint at seq c vouches for records 1..c as they were when it was written.
//
// Two kinds, told apart inside the MAC so one can never pass for the other:
// - `point`: a record's (seq, hash_self), written every AUDIT_CHECKPOINT_EVERY records in the
//   append's own transaction and at the head when the database is closed;
// - `anchor`: the retention anchor's (seq, hash), written when retention moves it. Moving the
//   anchor forward (dropping a prefix) needs an anchor checkpoint at the new place, which
//   only the key holder can make; a `point` checkpoint there does not count.
//
// What is not detected (see docs/ARCHITECTURE.md): a rewrite by someone who also holds the
// key; records after the last checkpoint (compare `audit head` with a copy kept elsewhere);
// truncation back to a checkpoint together with deleting the later checkpoints.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** A point in the chain: a record's seq and its hash_self (or the anchor's). */
export interface ChainPoint {
  seq: number;
  hash: string;
}

export type CheckpointKind = 'point' | 'anchor';

const MAC_DOMAIN = 'ordinis.audit.checkpoint.v1';
const KEY_ID_DOMAIN = 'ordinis.audit.key-id.v1';

/**
 * The MAC key (AUDIT_MAC_KEY). The secret sits in a private field, so logging or
 * JSON-serialising a key shows only its id. The id is a hash prefix of the secret: it tells
 * which key signed a checkpoint (a rotation is visible) without revealing the key.
 */
export class AuditMacKey {
  readonly id: string;
  readonly #secret: Buffer;

  constructor(secret: string) {
    if (secret.length === 0) throw new RangeError('audit MAC key must not be empty');
    this.#secret = Buffer.from(secret, 'utf8');
    this.id = createHash('sha256').update(`${KEY_ID_DOMAIN}\n`).update(this.#secret).digest('hex').slice(0, 16);
  }

  /** HMAC-SHA256 (hex) of one checkpoint. */
  mac(kind: CheckpointKind, point: ChainPoint): string {
    return createHmac('sha256', this.#secret).update(checkpointMessage(kind, point)).digest('hex');
  }

  /** Whether `mac` is this key's MAC of the checkpoint (constant-time compare). */
  verify(kind: CheckpointKind, point: ChainPoint, mac: string): boolean {
    const want = Buffer.from(this.mac(kind, point), 'hex');
    const got = /^[0-9a-f]{64}$/.test(mac) ? Buffer.from(mac, 'hex') : Buffer.alloc(0);
    return got.length === want.length && timingSafeEqual(got, want);
  }

  toJSON(): { id: string } {
    return { id: this.id };
  }
}

/** What the MAC covers: the kind, the seq and the hash, each on its own line after a domain tag. */
export function checkpointMessage(kind: CheckpointKind, point: ChainPoint): string {
  return `${MAC_DOMAIN}\n${kind}\n${point.seq}\n${point.hash}`;
}

/** One row of `audit_checkpoint`. */
export interface CheckpointRow {
  seq: number;
  hash: string;
  mac: string;
  keyId: string;
  recordedAt: string;
}

/**
 * What is wrong. `uncovered` and `anchor_unsigned` are also what a chain written before the
 * key existed (or under a rotated key) looks like, so `ordinis audit seal` may adopt those
 * after the operator checked them; the others are evidence against the key and never adopted.
 */
export type CheckpointProblemKind = 'forged' | 'rewritten' | 'truncated' | 'anchor_forged' | 'anchor_unsigned' | 'uncovered';

export interface CheckpointProblem {
  seq: number;
  kind: CheckpointProblemKind;
  reason: string;
}

/** Problems that `audit seal` may adopt: no evidence against the key, only an absence of its signature. */
export const ADOPTABLE_PROBLEMS: ReadonlySet<CheckpointProblemKind> = new Set(['anchor_unsigned', 'uncovered']);

export interface CheckpointReport {
  /** True when a key was configured and the checkpoints were checked with it. */
  keyed: boolean;
  keyId: string | null;
  /** No problem found (always true without a key: nothing could be checked). */
  ok: boolean;
  /** Rows in the table at or past the anchor. */
  present: number;
  /** Checkpoints whose MAC and chain hash were checked and hold. */
  valid: number;
  /** Signed with another key (a rotation): their MACs cannot be checked. */
  otherKey: number;
  /** The last chain point a valid checkpoint vouches for (the anchor's when only it is signed). */
  lastSealed: ChainPoint | null;
  /** Records after lastSealed: protected by the hash chain only (and by --expect-head). */
  unsealed: number;
  /** Each makes the verification fail; the first is reported as brokenAt/reason. */
  problems: CheckpointProblem[];
  /** Worth a look, not a failure. */
  warnings: string[];
}

export const NO_KEY_NOTE =
  'no AUDIT_MAC_KEY configured: checkpoints are not checked, so a rewrite of the whole chain with recomputed hashes, or a moved anchor, cannot be detected; keep `ordinis audit head` elsewhere and check it with --expect-head';

export interface CheckpointJudgeInput {
  key: AuditMacKey | null;
  anchor: ChainPoint;
  head: ChainPoint;
  /** Every checkpoint row (any order). */
  rows: readonly CheckpointRow[];
  /** The chain's hash_self at `seq` (anchor < seq <= head), undefined when there is no such record. */
  hashAt: (seq: number) => string | undefined;
  /** AUDIT_CHECKPOINT_EVERY: more unsealed records than this is worth a warning. */
  every: number;
}

/**
 * Checks the checkpoints against the chain (which the caller has already walked): each
 * checkpoint signed with the key has a valid MAC and names a record whose hash is the one
 * signed; the anchor, when anything was purged, carries an anchor checkpoint; and records
 * past the anchor are covered by at least one checkpoint, so deleting every checkpoint
 * before a rewrite does not pass either.
 */
export function judgeCheckpoints(input: CheckpointJudgeInput): CheckpointReport {
  const { key, anchor, head, every } = input;
  const rows = input.rows.filter((r) => r.seq >= anchor.seq).sort((a, b) => a.seq - b.seq);
  const base = { present: rows.length, valid: 0, otherKey: 0, problems: [] as CheckpointProblem[], warnings: [] as string[] };
  if (key === null) {
    return { ...base, keyed: false, keyId: null, ok: true, lastSealed: null, unsealed: head.seq - anchor.seq, warnings: [NO_KEY_NOTE] };
  }

  const problems = base.problems;
  let otherKey = 0;
  let valid = 0;
  let lastSealed: ChainPoint | null = anchor.seq === 0 ? { ...anchor } : null;
  for (const r of rows) {
    if (r.seq === anchor.seq) {
      if (anchor.seq === 0) continue; // seq 0 is no record: nothing to sign there
      if (r.keyId !== key.id) {
        problems.push({ seq: r.seq, kind: 'anchor_unsigned', reason: `the anchor's checkpoint was signed with another key (${r.keyId}); after checking the chain, run \`ordinis audit seal\` with the current key` });
      } else if (r.hash === anchor.hash && key.verify('anchor', anchor, r.mac)) {
        valid++;
        lastSealed = { ...anchor };
      } else if (r.hash === anchor.hash && key.verify('point', anchor, r.mac)) {
        problems.push({ seq: r.seq, kind: 'anchor_unsigned', reason: `the anchor was moved onto a record checkpoint at seq ${r.seq} without an anchor checkpoint: the prefix was dropped, or retention ran without the key` });
      } else {
        problems.push({ seq: r.seq, kind: 'anchor_forged', reason: 'the anchor does not match its keyed checkpoint (anchor moved or checkpoint forged)' });
      }
      continue;
    }
    if (r.keyId !== key.id) {
      otherKey++;
      continue;
    }
    if (!key.verify('point', { seq: r.seq, hash: r.hash }, r.mac)) {
      problems.push({ seq: r.seq, kind: 'forged', reason: 'checkpoint MAC does not match (checkpoint forged or altered)' });
      continue;
    }
    if (r.seq > head.seq) {
      problems.push({ seq: r.seq, kind: 'truncated', reason: `a valid checkpoint at seq ${r.seq} lies past the head (seq ${head.seq}): the log was truncated` });
      continue;
    }
    const actual = input.hashAt(r.seq);
    if (actual !== r.hash) {
      problems.push({
        seq: r.seq,
        kind: actual === undefined ? 'truncated' : 'rewritten',
        reason: actual === undefined ? `the record a valid checkpoint vouches for (seq ${r.seq}) is gone` : `the chain at seq ${r.seq} differs from its keyed checkpoint (records rewritten)`,
      });
      continue;
    }
    valid++;
    lastSealed = { seq: r.seq, hash: r.hash };
  }

  if (anchor.seq > 0 && !rows.some((r) => r.seq === anchor.seq)) {
    problems.push({ seq: anchor.seq, kind: 'anchor_unsigned', reason: `no keyed checkpoint for the anchor at seq ${anchor.seq}: the prefix was dropped by moving the anchor, or retention ran without the key` });
  }
  // Every keyed writer signs the first record of a chain and the head after a purge, so
  // records past the anchor with no valid checkpoint among them are what a rewrite after
  // deleting the checkpoints looks like (or records from before the key existed).
  if (head.seq > anchor.seq && !(lastSealed !== null && lastSealed.seq > anchor.seq)) {
    problems.push({
      seq: anchor.seq + 1,
      kind: 'uncovered',
      reason: `no checkpoint signed with key ${key.id} covers records ${anchor.seq + 1}..${head.seq}: a full rewrite would go unnoticed (written before the key was configured or after a key rotation: check them, then run \`ordinis audit seal\`; otherwise the checkpoints were deleted)`,
    });
  }
  problems.sort((a, b) => a.seq - b.seq);
  const unsealed = head.seq - (lastSealed?.seq ?? anchor.seq);
  if (unsealed > every && problems.length === 0) {
    base.warnings.push(`${unsealed} records after the last checkpoint (one is written every ${every}): checkpoints deleted, or records appended by a process without the key`);
  }
  return { ...base, keyed: true, keyId: key.id, ok: problems.length === 0, valid, otherKey, lastSealed, unsealed: Math.max(0, unsealed) };
}

/** `SEQ:HASH` as printed by `ordinis audit head`; null when it is not that shape. */
export function parseChainPoint(text: string): ChainPoint | null {
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(text.trim());
  if (!m) return null;
  return { seq: Number(m[1]), hash: m[2]! };
}

/**
 * Whether the chain still has `expected` (a head an operator kept elsewhere): null when it
 * does, else why not. `hashAt` answers for anchor < seq <= head.
 */
export function checkExpectedHead(
  expected: ChainPoint,
  chain: { anchor: ChainPoint; head: ChainPoint; hashAt: (seq: number) => string | undefined },
): string | null {
  const { anchor, head } = chain;
  if (expected.seq > head.seq) return `the chain ends at seq ${head.seq}, before the expected head seq ${expected.seq} (truncated)`;
  if (expected.seq < anchor.seq) return `seq ${expected.seq} was purged (the anchor is at seq ${anchor.seq}); it can no longer be checked`;
  const actual = expected.seq === anchor.seq ? anchor.hash : chain.hashAt(expected.seq);
  if (actual === undefined) return `seq ${expected.seq} is missing from the chain`;
  if (actual !== expected.hash) return `the chain at seq ${expected.seq} has hash ${actual}, not the expected ${expected.hash} (rewritten)`;
  return null;
}
