// The audit log's hash chain, as pure functions: hash_self = H(record_json + hash_prev).
// Storage (memory or SQLite) calls these; verification walks the chain in sequence order.

import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditRecordInput {
  /** RFC 3339 */
  ts: string;
  /** e.g. "gov.preflight", "exec.submit", "kill.activate" */
  kind: string;
  component: string;
  action: string;
  actor: string;
  correlationId: string | null;
  policyVersion: string;
  decision: string;
  /** A side effect's key (client order id, ...), so AUDIT can check completeness. */
  subjectRef: string | null;
  payload: Record<string, unknown>;
}

export interface AuditRecord extends AuditRecordInput {
  seq: number;
  hashPrev: string;
  hashSelf: string;
}

/** Key-sorted JSON so the same record always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function recordJson(seq: number, input: AuditRecordInput): string {
  return canonicalJson({ seq, ...input });
}

export function chainHash(json: string, hashPrev: string): string {
  return createHash('sha256').update(json).update(hashPrev).digest('hex');
}

export function sealRecord(seq: number, input: AuditRecordInput, hashPrev: string): AuditRecord {
  return { ...input, seq, hashPrev, hashSelf: chainHash(recordJson(seq, input), hashPrev) };
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  /** First broken sequence number and why. */
  brokenAt?: number;
  reason?: string;
}

/**
 * Verifies records in the order given. `anchor` is the hash the first record must point to
 * (GENESIS, or the last purged record's hash after retention) and `firstSeq` its seq.
 */
export function verifyChain(
  records: Iterable<AuditRecord>,
  anchor: { hash: string; seq: number } = { hash: GENESIS_HASH, seq: 1 },
): ChainVerification {
  let prev = anchor.hash;
  let expectSeq = anchor.seq;
  let checked = 0;
  for (const r of records) {
    if (r.seq !== expectSeq) {
      return { ok: false, checked, brokenAt: r.seq, reason: `expected seq ${expectSeq}, found ${r.seq} (row deleted or reordered)` };
    }
    if (r.hashPrev !== prev) {
      return { ok: false, checked, brokenAt: r.seq, reason: `hash_prev does not match the previous record's hash_self` };
    }
    const { seq, hashPrev, hashSelf, ...input } = r;
    if (chainHash(recordJson(seq, input), hashPrev) !== hashSelf) {
      return { ok: false, checked, brokenAt: r.seq, reason: 'hash_self does not match the record content (row edited)' };
    }
    prev = hashSelf;
    expectSeq++;
    checked++;
  }
  return { ok: true, checked };
}

/** Where audit records go. Memory implementation below; SQLite in persistence/. */
export interface AuditStore {
  append(input: AuditRecordInput): AuditRecord;
  /** Records in sequence order, optionally only those with the given subject refs. */
  findBySubject(subjectRefs: readonly string[]): AuditRecord[];
  verify(): ChainVerification;
}

export class MemoryAuditStore implements AuditStore {
  readonly records: AuditRecord[] = [];
  append(input: AuditRecordInput): AuditRecord {
    const last = this.records[this.records.length - 1];
    const rec = sealRecord((last?.seq ?? 0) + 1, input, last?.hashSelf ?? GENESIS_HASH);
    this.records.push(rec);
    return rec;
  }
  findBySubject(subjectRefs: readonly string[]): AuditRecord[] {
    const set = new Set(subjectRefs);
    return this.records.filter((r) => r.subjectRef !== null && set.has(r.subjectRef));
  }
  verify(): ChainVerification {
    return verifyChain(this.records);
  }
}
