// The audit log's hash chain, as pure functions: hash_self = H(record_json + hash_prev), where
// record_json is the record (with its seq) as RFC 8785 canonical JSON.
// Storage (memory or SQLite) calls these; verification walks the chain in sequence order.

import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { OrdinisError } from '../errors.ts';
import { preRfc8785Json } from './pre-rfc8785-json.ts';

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

/**
 * The chain's hash input for one value: RFC 8785 (JSON Canonicalization Scheme) from the
 * `canonicalize` package, so any JCS implementation outside this code base can recompute a
 * record's hash from an export file. A value that is not I-JSON (a non-finite number, a
 * string with a lone surrogate) has no RFC 8785 form: E_AUDIT_RECORD_INVALID, naming it.
 */
export function canonicalJson(value: unknown): string {
  let json: string | undefined;
  try {
    json = canonicalize(value);
  } catch (e) {
    throw new OrdinisError('E_AUDIT_RECORD_INVALID', `audit record is not I-JSON, RFC 8785 cannot write it: ${(e as Error).message}`, { cause: e });
  }
  if (json === undefined) throw new OrdinisError('E_AUDIT_RECORD_INVALID', `audit record is not I-JSON, RFC 8785 cannot write it: ${typeof value}`);
  return json;
}

/** What a record's hash_self covers: the record's fields and its seq, as RFC 8785 JSON. */
export function recordJson(seq: number, input: AuditRecordInput): string {
  return canonicalJson({ seq, ...input });
}

/**
 * The hash input of a record read back (from the database or an export file). Records are
 * written as RFC 8785; a record sealed before that (the hand-written canonical JSON) hashed
 * the same bytes for every I-JSON record (test/governance/audit-hash-input.test.ts), and
 * differs only where RFC 8785 has no form: a string with a lone surrogate, which the old
 * code escaped as JSON.stringify does. Such a record can only be an old one (new ones are
 * refused), so it is read with the old form.
 */
function storedRecordJson(seq: number, input: AuditRecordInput): string {
  const value = { seq, ...input };
  try {
    return canonicalJson(value);
  } catch (e) {
    if (!(e instanceof OrdinisError) || e.code !== 'E_AUDIT_RECORD_INVALID') throw e;
    return preRfc8785Json(value);
  }
}

export function chainHash(json: string, hashPrev: string): string {
  // sha256 over the UTF-8 bytes of json then hashPrev (hex, so joining the strings first
  // cannot pair surrogates across them), in one call instead of a Hash object per record.
  return hash('sha256', json + hashPrev, 'hex');
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
    if (chainHash(storedRecordJson(seq, input), hashPrev) !== hashSelf) {
      return { ok: false, checked, brokenAt: r.seq, reason: 'hash_self does not match the record content (row edited)' };
    }
    prev = hashSelf;
    expectSeq++;
    checked++;
  }
  return { ok: true, checked };
}

/**
 * What governance writes its audit records to and asks about completeness: a hash-chained
 * AuditStore (paper, live, ops), or a backtest's AuditCompletenessCheck (audit-completeness.ts).
 */
export interface AuditLog {
  /** Appends a record; its seq is the audit reference handed back to the caller. */
  append(input: AuditRecordInput): { readonly seq: number };
  /** Records (in sequence order) whose subject is one of `subjectRefs`: the fields AUDIT's check reads. */
  findBySubject(subjectRefs: readonly string[]): readonly Pick<AuditRecordInput, 'subjectRef' | 'policyVersion'>[];
}

/** The hash-chained audit log. Memory implementation below; SQLite in persistence/. */
export interface AuditStore extends AuditLog {
  append(input: AuditRecordInput): AuditRecord;
  /** Records in sequence order, optionally only those with the given subject refs. */
  findBySubject(subjectRefs: readonly string[]): AuditRecord[];
  verify(): ChainVerification;
}

/** The records (in their order) whose subject is one of `subjectRefs`: findBySubject for in-memory stores. */
function recordsWithSubjects(records: readonly AuditRecord[], subjectRefs: readonly string[]): AuditRecord[] {
  const set = new Set(subjectRefs);
  return records.filter((r) => r.subjectRef !== null && set.has(r.subjectRef));
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
    return recordsWithSubjects(this.records, subjectRefs);
  }
  verify(): ChainVerification {
    return verifyChain(this.records);
  }
}
