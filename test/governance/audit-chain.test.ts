import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GENESIS_HASH, canonicalJson, recordJson, sealRecord, verifyChain, type AuditRecordInput } from '../../src/governance/audit-chain.ts';
import { OrdinisError } from '../../src/errors.ts';

const input: AuditRecordInput = {
  ts: '2024-03-01T14:30:00.000Z',
  kind: 'exec.submit',
  component: 'exec',
  action: 'order.submit',
  actor: 'ordinis',
  correlationId: 'cyc-1',
  policyVersion: 'gov_v1',
  decision: 'filled',
  subjectRef: 'ord-1',
  payload: { symbol: 'AAPL', qty: 10, referencePrice: 187.25, side: 'buy', note: 'Zürich "q" 😀', nested: { b: [1, null, true], a: -0 } },
};

test('a record seals to the same JSON and hash as always (existing chains keep verifying)', () => {
  const json =
    '{"action":"order.submit","actor":"ordinis","component":"exec","correlationId":"cyc-1","decision":"filled","kind":"exec.submit",' +
    '"payload":{"nested":{"a":0,"b":[1,null,true]},"note":"Zürich \\"q\\" 😀","qty":10,"referencePrice":187.25,"side":"buy","symbol":"AAPL"},' +
    '"policyVersion":"gov_v1","seq":2,"subjectRef":"ord-1","ts":"2024-03-01T14:30:00.000Z"}';
  assert.equal(recordJson(2, input), json);
  assert.equal(recordJson(2, input), canonicalJson({ seq: 2, ...input }));
  const rec = sealRecord(2, input, GENESIS_HASH);
  assert.equal(rec.hashSelf, '2fd253678ae53055a438d8ef9f55a783a8e0b6c8efb09bd95428a74c92890cde');
  assert.deepEqual(Object.entries(rec), Object.entries({ ...input, seq: 2, hashPrev: GENESIS_HASH, hashSelf: rec.hashSelf }));
});

test('inputs in another key order, with extra or undefined fields, seal as the general canonical form', () => {
  const reordered = { payload: input.payload, ts: input.ts, kind: input.kind, component: input.component, action: input.action, actor: input.actor, correlationId: input.correlationId, policyVersion: input.policyVersion, decision: input.decision, subjectRef: input.subjectRef };
  const extra = { ...input, extra: 1 };
  const undef = { ...input, subjectRef: undefined as unknown as null };
  assert.equal(sealRecord(2, reordered, GENESIS_HASH).hashSelf, sealRecord(2, input, GENESIS_HASH).hashSelf);
  for (const i of [reordered, extra, undef]) {
    assert.equal(recordJson(5, i), canonicalJson({ seq: 5, ...i }));
    const rec = sealRecord(5, i, 'h');
    assert.deepEqual(Object.entries(rec), Object.entries({ ...i, seq: 5, hashPrev: 'h', hashSelf: rec.hashSelf }));
  }
  assert.equal(recordJson(5, undef).includes('subjectRef'), false);
});

test('canonicalJson is RFC 8785: keys in code-unit order, undefined members skipped, ES6 numbers; non-I-JSON is refused by name', () => {
  assert.equal(canonicalJson({ b: 1, a: undefined, '': [-0, 1e21, 1e-7], é: 'x', B: { z: null, y: false } }), '{"":[0,1e+21,1e-7],"B":{"y":false,"z":null},"b":1,"é":"x"}');
  assert.equal(canonicalJson('\u2028\u0001'), '"\u2028\\u0001"');
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, { s: '\ud800' }, undefined]) {
    assert.throws(() => canonicalJson(bad), (e: unknown) => e instanceof OrdinisError && e.code === 'E_AUDIT_RECORD_INVALID' && !e.retryable);
  }
  assert.throws(() => sealRecord(1, { ...input, payload: { price: Number.NaN } }, GENESIS_HASH), /E_AUDIT_RECORD_INVALID/);
});

test('a chain of sealed records verifies, whichever key order the records were built in', () => {
  const first = sealRecord(1, input, GENESIS_HASH);
  const reversed = Object.fromEntries(Object.entries(input).reverse()) as unknown as AuditRecordInput;
  const second = sealRecord(2, reversed, first.hashSelf);
  assert.deepEqual(verifyChain([first, second]), { ok: true, checked: 2 });
  assert.deepEqual(verifyChain([first, { ...second, decision: 'rejected' }]).brokenAt, 2);
});

test('canonicalJson writes objects of one key set in any key order alike', () => {
  const shapes = Array.from({ length: 80 }, (_, n) => Object.fromEntries(Array.from({ length: 1 + (n % 7) }, (_, k) => [`k${(n * 7 + k * 3) % 11}`, k === 2 ? undefined : n])));
  for (const o of shapes) {
    const sorted = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)));
    assert.equal(canonicalJson(o), JSON.stringify(sorted));
    assert.equal(canonicalJson(Object.fromEntries(Object.entries(o).reverse())), JSON.stringify(sorted));
  }
  assert.equal(canonicalJson({ 10: 'a', 9: 'b', x: [true, -0] }), '{"10":"a","9":"b","x":[true,0]}');
});

test('consecutive records with changing actors, cycles and times each write their own fields', () => {
  const variants: AuditRecordInput[] = [
    input,
    { ...input, actor: 'system', correlationId: null },
    { ...input, correlationId: 'cyc-"2"', ts: '2024-03-01T14:31:00.000Z' },
    { ...input, action: 'kill.activate', component: 'orch', policyVersion: 'gov_v2' },
    input,
  ];
  for (const v of variants) assert.equal(recordJson(3, v), canonicalJson({ seq: 3, ...v }));
});
