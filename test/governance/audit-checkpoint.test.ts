// The pure checkpoint functions: the key id, what the MAC covers, the judge's verdicts on
// hand-made rows, and the expected-head check.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GENESIS_HASH } from '../../src/governance/audit-chain.ts';
import {
  AuditMacKey,
  checkExpectedHead,
  checkpointMessage,
  judgeCheckpoints,
  parseChainPoint,
  type CheckpointRow,
} from '../../src/governance/audit-checkpoint.ts';

const H = (c: string) => c.repeat(64);
const key = new AuditMacKey('unit-test-key');

test('the key id is a stable hash prefix that differs between keys; the MAC covers kind, seq and hash', () => {
  assert.equal(key.id, new AuditMacKey('unit-test-key').id);
  assert.notEqual(key.id, new AuditMacKey('unit-test-key2').id);
  assert.match(key.id, /^[0-9a-f]{16}$/);
  const p = { seq: 7, hash: H('a') };
  const mac = key.mac('point', p);
  assert.ok(key.verify('point', p, mac));
  assert.ok(!key.verify('anchor', p, mac), 'a record checkpoint never passes for an anchor');
  assert.ok(!key.verify('point', { seq: 8, hash: H('a') }, mac));
  assert.ok(!key.verify('point', { seq: 7, hash: H('b') }, mac));
  assert.ok(!new AuditMacKey('other').verify('point', p, mac));
  assert.ok(!key.verify('point', p, 'not-hex'));
  assert.equal(checkpointMessage('anchor', p), `ordinis.audit.checkpoint.v1\nanchor\n7\n${H('a')}`);
});

function row(kind: 'point' | 'anchor', seq: number, hash: string, k = key): CheckpointRow {
  return { seq, hash, mac: k.mac(kind, { seq, hash }), keyId: k.id, recordedAt: '2026-01-01T00:00:00.000Z' };
}

test('judge: valid checkpoints; without a key nothing is checked and it says so', () => {
  const chain = new Map([[1, H('1')], [2, H('2')], [3, H('3')]]);
  const input = { anchor: { seq: 0, hash: GENESIS_HASH }, head: { seq: 3, hash: H('3') }, hashAt: (s: number) => chain.get(s), every: 2 };
  const ok = judgeCheckpoints({ ...input, key, rows: [row('point', 1, H('1')), row('point', 3, H('3'))] });
  assert.equal(ok.ok, true);
  assert.equal(ok.valid, 2);
  assert.deepEqual(ok.lastSealed, { seq: 3, hash: H('3') });
  assert.equal(ok.unsealed, 0);
  const none = judgeCheckpoints({ ...input, key: null, rows: [] });
  assert.equal(none.ok, true);
  assert.equal(none.keyed, false);
  assert.match(none.warnings[0]!, /cannot be detected/);
  const rotated = judgeCheckpoints({ ...input, key, rows: [row('point', 3, H('3'), new AuditMacKey('old'))] });
  assert.equal(rotated.otherKey, 1);
  assert.deepEqual(rotated.problems.map((p) => p.kind), ['uncovered']);
});

test('judge: an anchor needs an anchor checkpoint under the key', () => {
  const chain = new Map([[6, H('6')]]);
  const base = { key, head: { seq: 6, hash: H('6') }, hashAt: (s: number) => chain.get(s), every: 10, anchor: { seq: 5, hash: H('5') } };
  assert.equal(judgeCheckpoints({ ...base, rows: [row('anchor', 5, H('5')), row('point', 6, H('6'))] }).ok, true);
  assert.deepEqual(judgeCheckpoints({ ...base, rows: [row('point', 6, H('6'))] }).problems.map((p) => p.kind), ['anchor_unsigned']);
  assert.deepEqual(judgeCheckpoints({ ...base, rows: [row('point', 5, H('5')), row('point', 6, H('6'))] }).problems.map((p) => p.kind), ['anchor_unsigned']);
  assert.deepEqual(judgeCheckpoints({ ...base, rows: [row('anchor', 5, H('4')), row('point', 6, H('6'))] }).problems.map((p) => p.kind), ['anchor_forged']);
});

test('parseChainPoint and checkExpectedHead', () => {
  assert.deepEqual(parseChainPoint(`12:${H('c')}`), { seq: 12, hash: H('c') });
  for (const bad of ['12', `12:${H('C')}`, `:${H('c')}`, `1.5:${H('c')}`, `12:${H('c')}0`]) assert.equal(parseChainPoint(bad), null, bad);
  const chain = { anchor: { seq: 2, hash: H('2') }, head: { seq: 4, hash: H('4') }, hashAt: (s: number) => (s === 3 ? H('3') : s === 4 ? H('4') : undefined) };
  assert.equal(checkExpectedHead({ seq: 3, hash: H('3') }, chain), null);
  assert.equal(checkExpectedHead({ seq: 2, hash: H('2') }, chain), null);
  assert.match(checkExpectedHead({ seq: 3, hash: H('9') }, chain)!, /has hash .* not the expected/);
  assert.match(checkExpectedHead({ seq: 5, hash: H('5') }, chain)!, /ends at seq 4, before the expected head seq 5/);
  assert.match(checkExpectedHead({ seq: 1, hash: H('1') }, chain)!, /was purged/);
});
