// The audit log's hash chain, as pure functions: hash_self = H(record_json + hash_prev).
// Storage (memory or SQLite) calls these; verification walks the chain in sequence order.

import { hash } from 'node:crypto';

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
 * Key-sorted JSON so the same record always hashes the same: objects list their keys (those
 * whose value is not undefined) in code-unit order, arrays their elements, anything else is
 * JSON.stringify'd (undefined as null). Written as plain loops (no intermediate arrays): every
 * audit record goes through it, and a long backtest writes hundreds of thousands.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return quoteString(value);
  // What JSON.stringify writes for these, without the call.
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // A hole is an empty element (as Array.prototype.join renders it).
      if (i in value) out += canonicalJson(value[i]);
    }
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  const plan = planFor(Object.keys(obj));
  let out = '{';
  let first = true;
  for (let i = 0; i < plan.sorted.length; i++) {
    const v = obj[plan.sorted[i]!];
    if (v === undefined) continue;
    if (first) first = false;
    else out += ',';
    out += plan.heads[i]!;
    out += canonicalJson(v);
  }
  return out + '}';
}

/**
 * How canonicalJson writes the keys of an object whose Object.keys are `keys`: sorted, each
 * quoted with its colon. Audit payloads come in a few shapes, each built the same way every
 * time, so a shape's keys are sorted and quoted once instead of once per record.
 */
interface KeyPlan {
  readonly keys: readonly string[];
  readonly sorted: readonly string[];
  /** `"key":` for each of `sorted`. */
  readonly heads: readonly string[];
}

/** The plans of the shapes seen last, newest last; bounded, so objects of ever new shapes cannot grow it. */
const plans: KeyPlan[] = [];
const MAX_PLANS = 32;

function planFor(keys: string[]): KeyPlan {
  for (let i = plans.length - 1; i >= 0; i--) {
    const p = plans[i]!;
    if (sameKeys(p.keys, keys)) return p;
  }
  const sorted = sortKeys(keys.slice());
  const plan: KeyPlan = { keys, sorted, heads: sorted.map((k) => `${quoteString(k)}:`) };
  if (plans.length === MAX_PLANS) plans.shift();
  plans.push(plan);
  return plan;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Insertion sort in place: few keys, often already in order; same order as Array.prototype.sort's default. */
function sortKeys(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

/** The code units JSON.stringify escapes in a string: controls, quote, backslash, surrogates (it escapes lone ones). */
const JSON_ESCAPED = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** JSON.stringify(s). Most strings need no escape, and quoting those by hand skips a call into JSON.stringify. */
function quoteString(s: string): string {
  return JSON_ESCAPED.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** AuditRecordInput's fields in the order GovernanceEngine writes them. */
const INPUT_KEY_ORDER: readonly string[] = ['ts', 'kind', 'component', 'action', 'actor', 'correlationId', 'policyVersion', 'decision', 'subjectRef', 'payload'];

/**
 * Whether `input` has exactly the AuditRecordInput fields, none undefined, in the order
 * GovernanceEngine writes them (and the SQLite store reads them back): every record this code
 * base seals. Such a record takes the fast paths below; anything else the general ones.
 */
function isPlainInput(input: AuditRecordInput): boolean {
  let i = 0;
  for (const k in input) if (k !== INPUT_KEY_ORDER[i++]) return false;
  return (
    i === INPUT_KEY_ORDER.length &&
    input.ts !== undefined &&
    input.kind !== undefined &&
    input.component !== undefined &&
    input.action !== undefined &&
    input.actor !== undefined &&
    input.correlationId !== undefined &&
    input.policyVersion !== undefined &&
    input.decision !== undefined &&
    input.subjectRef !== undefined &&
    input.payload !== undefined
  );
}

/**
 * canonicalJson with a one-entry memo of a string, for the record fields that repeat from one
 * record to the next (a run's actor, component and policy version, a cycle's id and time):
 * those are quoted once per change instead of once per record.
 */
function memoJson(): (value: unknown) => string {
  let last = '';
  let json = '""';
  return (value) => {
    if (typeof value !== 'string') return canonicalJson(value);
    if (value !== last) {
      json = quoteString(value);
      last = value;
    }
    return json;
  };
}

const actionJson = memoJson();
const actorJson = memoJson();
const componentJson = memoJson();
const correlationJson = memoJson();
const policyJson = memoJson();
const tsJson = memoJson();

export function recordJson(seq: number, input: AuditRecordInput): string {
  return isPlainInput(input) ? plainRecordJson(seq, input) : canonicalJson({ seq, ...input });
}

/**
 * recordJson of a plain input, field by field in sorted key order: the same string as
 * canonicalJson({ seq, ...input }), without the copy and the key sort.
 */
function plainRecordJson(seq: number, input: AuditRecordInput): string {
  return (
    `{"action":${actionJson(input.action)},"actor":${actorJson(input.actor)},"component":${componentJson(input.component)}` +
    `,"correlationId":${correlationJson(input.correlationId)},"decision":${canonicalJson(input.decision)},"kind":${canonicalJson(input.kind)}` +
    `,"payload":${canonicalJson(input.payload)},"policyVersion":${policyJson(input.policyVersion)},"seq":${canonicalJson(seq)}` +
    `,"subjectRef":${canonicalJson(input.subjectRef)},"ts":${tsJson(input.ts)}}`
  );
}

export function chainHash(json: string, hashPrev: string): string {
  // sha256 over the UTF-8 bytes of json then hashPrev (hex, so joining the strings first
  // cannot pair surrogates across them), in one call instead of a Hash object per record.
  return hash('sha256', json + hashPrev, 'hex');
}

export function sealRecord(seq: number, input: AuditRecordInput, hashPrev: string): AuditRecord {
  if (!isPlainInput(input)) return { ...input, seq, hashPrev, hashSelf: chainHash(recordJson(seq, input), hashPrev) };
  const hashSelf = chainHash(plainRecordJson(seq, input), hashPrev);
  // Spelled out, the same object as the spread (same keys, same order) at a fraction of its
  // cost: V8 copies a 10-field object literal slowly.
  return {
    ts: input.ts,
    kind: input.kind,
    component: input.component,
    action: input.action,
    actor: input.actor,
    correlationId: input.correlationId,
    policyVersion: input.policyVersion,
    decision: input.decision,
    subjectRef: input.subjectRef,
    payload: input.payload,
    seq,
    hashPrev,
    hashSelf,
  };
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

/** The records (in their order) whose subject is one of `subjectRefs`: findBySubject for in-memory stores. */
export function recordsWithSubjects(records: readonly AuditRecord[], subjectRefs: readonly string[]): AuditRecord[] {
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
