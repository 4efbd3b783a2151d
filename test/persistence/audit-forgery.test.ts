// Forgery of the audit chain by someone who can write the database file but does not hold
// AUDIT_MAC_KEY: a rewrite end to end with recomputed hashes, a prefix dropped by moving the
// anchor, a truncated tail, forged checkpoints. Each is done on a real SQLite file through a
// second better-sqlite3 connection, as an attacker would, after the triggers are dropped.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { ManualClock } from '../../src/core/clock.ts';
import { sealRecord, GENESIS_HASH, type AuditRecord } from '../../src/governance/audit-chain.ts';
import { AuditMacKey } from '../../src/governance/audit-checkpoint.ts';
import type { OrdinisDatabase } from '../../src/persistence/database.ts';
import { auditInput, expectCode, openTempDatabase } from './temp-database.ts';

const KEY = 'k3y-for-the-audit-checkpoints';

function keyed(every = 5, secret = KEY) {
  return { audit: { macKey: new AuditMacKey(secret), checkpointEvery: every } };
}

function appendN(db: OrdinisDatabase, from: number, to: number): void {
  for (let i = from; i <= to; i++) db.audit.append(auditInput(i));
}

/** A second connection on the file with the audit triggers dropped: what an attacker has. */
function attacker(path: string): Database.Database {
  const h = new Database(path);
  const names = h.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit_%'").pluck().all() as string[];
  for (const name of names) h.exec(`DROP TRIGGER "${name}"`);
  return h;
}

/** Replaces every record after `anchorSeq` with forged ones (qty changed) whose hashes are all recomputed, and moves the head. */
function rewriteChain(h: Database.Database, anchor: { seq: number; hash: string }, count: number): void {
  h.prepare('DELETE FROM audit_log WHERE seq > ?').run(anchor.seq);
  const insert = h.prepare(
    `INSERT INTO audit_log (seq, ts, kind, component, action, actor, correlation_id, policy_version, decision, subject_ref, payload_json, hash_prev, hash_self, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let prev = anchor.hash;
  let last: AuditRecord | undefined;
  for (let seq = anchor.seq + 1; seq <= anchor.seq + count; seq++) {
    const input = auditInput(seq, { payload: { symbol: 'AAPL', qty: 1000 + seq } });
    const r = sealRecord(seq, input, prev);
    insert.run(r.seq, r.ts, r.kind, r.component, r.action, r.actor, r.correlationId, r.policyVersion, r.decision, r.subjectRef, JSON.stringify(r.payload), r.hashPrev, r.hashSelf, '2025-01-01T00:00:00.000Z');
    prev = r.hashSelf;
    last = r;
  }
  h.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1').run(last?.seq ?? anchor.seq, prev);
}

function hashAt(h: Database.Database, seq: number): string {
  return h.prepare('SELECT hash_self FROM audit_log WHERE seq = ?').pluck().get(seq) as string;
}

test('with a key, a chain rewritten end to end with recomputed hashes fails verify; without one the hash chain alone passes it', (t) => {
  const temp = openTempDatabase(t, keyed());
  appendN(temp.db, 1, 12);
  temp.db.close();

  const h = attacker(temp.path);
  rewriteChain(h, { seq: 0, hash: GENESIS_HASH }, 12);
  h.close();

  // Without the key the chain is consistent: that is exactly the weakness (the CLI says so).
  const plain = temp.reopen({ audit: {} });
  assert.deepEqual(plain.audit.verify(), { ok: true, checked: 12 });

  const db = temp.reopen(keyed());
  const v = db.audit.verify();
  assert.equal(v.ok, false);
  assert.equal(v.brokenAt, 1);
  assert.match(v.reason ?? '', /differs from its keyed checkpoint \(records rewritten\)/);
  assert.equal(v.checkpoints?.keyed, true);
  // Checkpoints at 1, 6, 11 and the head (12) all disagree, so none covers the records either.
  assert.deepEqual(
    v.checkpoints?.problems.map((p) => [p.seq, p.kind]),
    [[1, 'rewritten'], [1, 'uncovered'], [6, 'rewritten'], [11, 'rewritten'], [12, 'rewritten']],
  );
});

test('a rewrite that also deletes every checkpoint is reported: no checkpoint covers the records', (t) => {
  const temp = openTempDatabase(t, keyed());
  appendN(temp.db, 1, 7);
  temp.db.close();

  const h = attacker(temp.path);
  rewriteChain(h, { seq: 0, hash: GENESIS_HASH }, 9);
  h.exec('DELETE FROM audit_checkpoint');
  h.close();

  const v = temp.reopen(keyed()).audit.verify();
  assert.equal(v.ok, false);
  assert.equal(v.brokenAt, 1);
  assert.match(v.reason ?? '', /no checkpoint signed with key [0-9a-f]{16} covers records 1\.\.9/);
});

test('dropping a prefix by moving the anchor is detected, also onto a record checkpoint', (t) => {
  // Checkpoints (every 5) sit at 1, 6, 11 and at the head (12).
  for (const to of [7, 6]) {
    const temp = openTempDatabase(t, keyed());
    appendN(temp.db, 1, 12);
    temp.db.close();

    const h = attacker(temp.path);
    const hash = hashAt(h, to);
    h.prepare('DELETE FROM audit_log WHERE seq <= ?').run(to);
    h.prepare('UPDATE audit_anchor SET seq = ?, hash = ? WHERE id = 1').run(to, hash);
    h.close();

    const db = temp.reopen(keyed());
    const v = db.audit.verify();
    assert.equal(v.ok, false, `anchor moved to ${to}`);
    assert.equal(v.brokenAt, to);
    assert.match(v.reason ?? '', to === 6 ? /anchor was moved onto a record checkpoint at seq 6/ : /no keyed checkpoint for the anchor at seq 7/);
  }
});

test('a tail truncated past a checkpoint, and a checkpoint forged without the key, are detected', (t) => {
  const temp = openTempDatabase(t, keyed());
  appendN(temp.db, 1, 12);
  temp.db.close();

  let h = attacker(temp.path);
  h.prepare('DELETE FROM audit_log WHERE seq > 8').run();
  h.prepare('UPDATE audit_head SET seq = 8, hash = ? WHERE id = 1').run(hashAt(h, 8));
  h.close();
  let v = temp.reopen(keyed()).audit.verify();
  assert.equal(v.ok, false);
  assert.equal(v.brokenAt, 11);
  assert.match(v.reason ?? '', /lies past the head \(seq 8\): the log was truncated/);
  temp.db.close();

  h = attacker(temp.path);
  h.prepare('DELETE FROM audit_checkpoint WHERE seq > 8').run();
  // A checkpoint at the new head with this key's id and a made-up MAC.
  const keyId = new AuditMacKey(KEY).id;
  h.prepare('INSERT INTO audit_checkpoint (seq, hash, mac, key_id, recorded_at) VALUES (8, ?, ?, ?, ?)').run(hashAt(h, 8), 'ab'.repeat(32), keyId, '2025-01-01T00:00:00.000Z');
  h.close();
  v = temp.reopen(keyed()).audit.verify();
  assert.equal(v.ok, false);
  assert.equal(v.brokenAt, 8);
  assert.match(v.reason ?? '', /checkpoint MAC does not match/);
});

test('checkpoints are written in the append transaction (the first record, then every N) and at close', (t) => {
  const temp = openTempDatabase(t, keyed(3));
  const rows = () => temp.db.handle.prepare('SELECT seq FROM audit_checkpoint ORDER BY seq').pluck().all();
  appendN(temp.db, 1, 7);
  assert.deepEqual(rows(), [1, 4, 7]);
  appendN(temp.db, 8, 8);
  assert.deepEqual(rows(), [1, 4, 7]);
  const v = temp.db.audit.verify();
  assert.equal(v.ok, true);
  assert.equal(v.checkpoints?.valid, 3);
  assert.equal(v.checkpoints?.unsealed, 1);
  temp.reopen(keyed(3));
  assert.deepEqual(rows(), [1, 4, 7, 8]);
  assert.equal(temp.db.audit.verify().checkpoints?.unsealed, 0);
});

test('nothing is signed on top of a chain rewritten while the process was down', (t) => {
  const temp = openTempDatabase(t, keyed(100));
  appendN(temp.db, 1, 4);
  temp.db.close(); // signs seq 4

  const h = attacker(temp.path);
  rewriteChain(h, { seq: 0, hash: GENESIS_HASH }, 6);
  h.exec('DELETE FROM audit_checkpoint WHERE seq > 1');
  h.close();

  const db = temp.reopen(keyed(100));
  appendN(db, 7, 9);
  db.close(); // would sign the head of the forged chain
  const again = temp.reopen(keyed(100));
  assert.deepEqual(again.handle.prepare('SELECT seq FROM audit_checkpoint ORDER BY seq').pluck().all(), [1]);
  const v = again.audit.verify();
  assert.equal(v.ok, false);
  assert.match(v.reason ?? '', /differs from its keyed checkpoint/);
});

test('a key rotation is visible (another key id), and `seal` adopts the chain under the new key; seal refuses forged evidence', (t) => {
  const temp = openTempDatabase(t, keyed(5, 'old-key'));
  appendN(temp.db, 1, 6);
  temp.db.close();

  const db = temp.reopen(keyed(5, 'new-key'));
  let v = db.audit.verify();
  assert.equal(v.ok, false);
  assert.equal(v.checkpoints?.otherKey, 2); // 1 and 6 under the old key
  assert.match(v.reason ?? '', /no checkpoint signed with key/);
  const sealed = db.audit.seal();
  assert.deepEqual(sealed.signed.map((s) => [s.kind, s.seq]), [['point', 6]]);
  v = db.audit.verify();
  assert.equal(v.ok, true);

  // A forged checkpoint under the new key is evidence, not an absence: never adopted.
  db.close();
  const h = attacker(temp.path);
  h.prepare("UPDATE audit_checkpoint SET mac = ? WHERE seq = 6").run('cd'.repeat(32));
  h.close();
  const err = expectCode(() => temp.reopen(keyed(5, 'new-key')).audit.seal(), 'E_AUDIT_CHAIN_BROKEN');
  assert.match(err.message, /refusing to seal: checkpoint at seq 6: checkpoint MAC does not match/);
});

test('retention with the key signs the new anchor, so a legitimate purge still verifies', (t) => {
  const clock = new ManualClock(Date.UTC(2025, 0, 1));
  const temp = openTempDatabase(t, { ...keyed(4), wallClock: clock });
  appendN(temp.db, 1, 10);
  clock.set(Date.UTC(2026, 0, 1));
  appendN(temp.db, 11, 13);
  temp.db.audit.markExported({ seq: 13, hash: temp.db.audit.head().hash }, '/tmp/export.jsonl');
  const r = temp.db.audit.purgeOlderThan('2025-06-01T00:00:00.000Z');
  assert.equal(r.purged, 10);
  assert.equal(r.anchor.seq, 10);
  const v = temp.db.audit.verify();
  assert.equal(v.ok, true, v.reason);
  assert.equal(v.checkpoints?.lastSealed?.seq, 13);
});

test('after a keyed purge of every record, the next record is signed at once (the anchor checkpoint does not count as one)', (t) => {
  const clock = new ManualClock(Date.UTC(2025, 0, 1));
  const temp = openTempDatabase(t, { ...keyed(50), wallClock: clock });
  appendN(temp.db, 1, 5);
  temp.db.audit.markExported(temp.db.audit.head(), '/tmp/export.jsonl');
  clock.set(Date.UTC(2026, 0, 1));
  assert.equal(temp.db.audit.purgeOlderThan('2025-06-01T00:00:00.000Z').purged, 5);
  appendN(temp.db, 6, 6);
  const v = temp.db.audit.verify();
  assert.equal(v.ok, true, v.reason);
  assert.deepEqual(v.checkpoints?.lastSealed, temp.db.audit.head());
});
