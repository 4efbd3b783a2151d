// The audit chain's hash input is RFC 8785 canonical JSON from the `canonicalize` package.
// Chains sealed before (by a hand-written canonical JSON, kept as pre-rfc8785-json.ts) must
// keep verifying: the two agree on every I-JSON record, and a record RFC 8785 cannot write (a
// lone surrogate) is read with the old form. The fixture is an `ordinis audit export` of a
// database written by the pre-RFC 8785 code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { GENESIS_HASH, chainHash, sealRecord, verifyChain, type AuditRecord, type AuditRecordInput } from '../../src/governance/audit-chain.ts';
import { preRfc8785Json } from '../../src/governance/pre-rfc8785-json.ts';
import { verifyExportLines } from '../../src/governance/audit-export.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/audit-export-pre-rfc8785.jsonl', import.meta.url));

const text = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.constantFrom('', 'Zürich "q" 😀', '\u2028\u0000\u001f\u007f', '\r\n\t\\'));
const record: fc.Arbitrary<AuditRecordInput> = fc.record({
  ts: text,
  kind: text,
  component: text,
  action: text,
  actor: text,
  correlationId: fc.option(text, { nil: null }),
  policyVersion: text,
  decision: text,
  subjectRef: fc.option(text, { nil: null }),
  payload: fc.dictionary(text, fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 })),
});

test('property: on I-JSON records the pre-RFC 8785 canonical JSON and the canonicalize library write the same bytes', () => {
  fc.assert(
    fc.property(record, fc.nat(), (input, seq) => {
      assert.equal(canonicalize({ seq, ...input }), preRfc8785Json({ seq, ...input }));
      assert.equal(sealRecord(seq, input, GENESIS_HASH).hashSelf, chainHash(preRfc8785Json({ seq, ...input }), GENESIS_HASH));
    }),
    { numRuns: 500 },
  );
  for (const n of [1e21, 1e-7, -0, 0.1 + 0.2, 5e-324, Number.MAX_VALUE, 123456789012345680000, -1.5e-300]) {
    assert.equal(canonicalize({ n }), preRfc8785Json({ n }), String(n));
  }
});

const lines = readFileSync(FIXTURE, 'utf8').split('\n');
const records = lines.slice(1).filter((l) => l !== '').map((l) => JSON.parse(l) as AuditRecord & { recordedAt: string | null });

test('a database export sealed by the pre-RFC 8785 code still verifies', () => {
  const v = verifyExportLines(lines);
  assert.equal(v.reason, undefined);
  assert.deepEqual({ ok: v.ok, checked: v.checked }, { ok: true, checked: 6 });
});

test('the recorded hashes of its I-JSON records are sha256(RFC 8785 from the library + hash_prev), as an outside tool computes them', () => {
  let iJson = 0;
  for (const { hashSelf, hashPrev, recordedAt: _, ...fields } of records) {
    let json: string | undefined;
    try {
      json = canonicalize(fields);
    } catch {
      continue; // the lone-surrogate record: RFC 8785 has no form for it (next test)
    }
    iJson++;
    assert.equal(createHash('sha256').update(json! + hashPrev, 'utf8').digest('hex'), hashSelf, `seq ${fields.seq}`);
  }
  assert.equal(iJson, 5, 'every record but the lone-surrogate one');
});

test('a record RFC 8785 cannot write is verified with the old form, and an edit of it is still caught', () => {
  const lone = records.find((r) => r.seq === 5)!;
  assert.throws(() => canonicalize(lone.payload));
  assert.equal(verifyChain(records.map(({ recordedAt: _, ...r }) => r)).ok, true);
  const edited = lines.map((l, i) => (i === 5 ? l.replace('broker said', 'broker sAid') : l));
  assert.notEqual(edited[5], lines[5]);
  const v = verifyExportLines(edited);
  assert.deepEqual({ ok: v.ok, brokenAt: v.brokenAt }, { ok: false, brokenAt: 5 });
  // New records with a lone surrogate are refused rather than sealed in the old form.
  assert.throws(() => sealRecord(7, { ...lone, payload: { message: '\ud83d' } }, lone.hashSelf), /E_AUDIT_RECORD_INVALID/);
});
