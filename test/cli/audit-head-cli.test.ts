// `ordinis audit head`, `audit verify --expect-head SEQ:HASH` and `audit seal`, as real
// child processes on real database files: the head printed today detects a rewrite, a
// truncation or a purge tomorrow, even one that recomputed every hash and left no key to
// check against; with ORDINIS_AUDIT_MAC_KEY, verify checks the checkpoints.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { sealRecord, GENESIS_HASH } from '../../src/governance/audit-chain.ts';
import { AuditMacKey } from '../../src/governance/audit-checkpoint.ts';
import { openDatabase } from '../../src/persistence/database.ts';
import { auditInput } from '../persistence/temp-database.ts';
import { cli, failsWith, okJson, okText, tempDbPath } from './cli-harness.ts';

const KEY = 'cli-test-audit-key';

function auditDb(path: string, n: number, macKey?: string): void {
  const db = openDatabase({ path, ...(macKey ? { audit: { macKey: new AuditMacKey(macKey), checkpointEvery: 4 } } : {}) });
  try {
    for (let i = 1; i <= n; i++) db.audit.append(auditInput(i));
  } finally {
    db.close();
  }
}

/** Every record rewritten (payload changed) with all hashes recomputed and the head moved: consistent, and forged. */
function rewriteAll(path: string): void {
  const h = new Database(path);
  try {
    for (const name of h.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit_%'").pluck().all() as string[]) {
      h.exec(`DROP TRIGGER "${name}"`);
    }
    const n = h.prepare('SELECT MAX(seq) FROM audit_log').pluck().get() as number;
    h.exec('DELETE FROM audit_log');
    const insert = h.prepare(
      'INSERT INTO audit_log (seq, ts, kind, component, action, actor, correlation_id, policy_version, decision, subject_ref, payload_json, hash_prev, hash_self, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= n; seq++) {
      const r = sealRecord(seq, auditInput(seq, { actor: 'mallory' }), prev);
      insert.run(seq, r.ts, r.kind, r.component, r.action, r.actor, r.correlationId, r.policyVersion, r.decision, r.subjectRef, JSON.stringify(r.payload), r.hashPrev, r.hashSelf, null);
      prev = r.hashSelf;
    }
    h.prepare('UPDATE audit_head SET hash = ? WHERE id = 1').run(prev);
  } finally {
    h.close();
  }
}

test('audit head prints seq and hash (and the --expect-head value); verify --expect-head passes on the same chain', async (t) => {
  const { db } = tempDbPath(t);
  auditDb(db, 6);
  const [json, text] = await Promise.all([cli(['audit', 'head', '--db', db, '--json']), cli(['audit', 'head', '--db', db])]);
  const head = okJson(json);
  assert.equal(head.seq, 6);
  assert.match(head.hash, /^[0-9a-f]{64}$/);
  assert.equal(head.expectHead, `6:${head.hash}`);
  assert.match(okText(text), new RegExp(`^expect-head\\s+6:${head.hash}$`, 'm'));

  auditDb(db, 2); // the chain grows: an older head still checks
  const v = okJson(await cli(['audit', 'verify', '--db', db, '--json', '--expect-head', head.expectHead]));
  assert.equal(v.ok, true);
  assert.deepEqual(v.expectedHead, { seq: 6, hash: head.hash, ok: true, reason: null });
  assert.match(okText(await cli(['audit', 'verify', '--db', db, '--expect-head', head.expectHead])), /^expected head\s+OK \(seq 6\)$/m);
});

test('verify --expect-head fails (exit 1) on a rewrite with recomputed hashes that the chain alone calls intact, and on a shorter chain', async (t) => {
  const { dir, db } = tempDbPath(t);
  auditDb(db, 6);
  const head = okJson(await cli(['audit', 'head', '--db', db, '--json']));
  rewriteAll(db);

  const plain = okJson(await cli(['audit', 'verify', '--db', db, '--json']));
  assert.equal(plain.ok, true, 'the hash chain alone cannot see it');
  assert.equal(plain.checkpoints.keyed, false);
  const text = okText(await cli(['audit', 'verify', '--db', db]));
  assert.match(text, /^checkpoints\s+not checked: no AUDIT_MAC_KEY, so a full rewrite of the chain \(recomputed hashes\) or a moved anchor cannot be detected$/m);

  const r = await cli(['audit', 'verify', '--db', db, '--json', '--expect-head', head.expectHead]);
  failsWith(r, 'E_AUDIT_CHAIN_BROKEN', /expected head seq 6 not found: the chain at seq 6 has hash [0-9a-f]{64}, not the expected/, { stdout: 'any' });
  assert.equal(JSON.parse(r.stdout).ok, false);

  const shorter = `${dir}/short.db`;
  auditDb(shorter, 3);
  failsWith(await cli(['audit', 'verify', '--db', shorter, '--expect-head', head.expectHead]), 'E_AUDIT_CHAIN_BROKEN', /the chain ends at seq 3, before the expected head seq 6 \(truncated\)/, { stdout: 'any' });
});

test('verify --expect-head refuses a malformed value, naming the flag, before opening anything', async (t) => {
  const { db } = tempDbPath(t);
  for (const bad of ['6', '6:abc', 'x:' + 'a'.repeat(64), '-1:' + 'a'.repeat(64)]) {
    failsWith(await cli(['audit', 'verify', '--db', db, '--expect-head', bad]), 'E_CFG_INVALID', /--expect-head must be SEQ:HASH/);
  }
});

test('with ORDINIS_AUDIT_MAC_KEY, verify catches the rewrite through the checkpoints; seal adopts a chain after a key change', async (t) => {
  const { dir, db } = tempDbPath(t);
  auditDb(db, 9, KEY);
  const env = { ORDINIS_AUDIT_MAC_KEY: KEY };
  const good = okJson(await cli(['audit', 'verify', '--db', db, '--json'], { env }));
  assert.equal(good.ok, true);
  assert.equal(good.checkpoints.keyed, true);
  assert.equal(good.checkpoints.keyId, new AuditMacKey(KEY).id);
  assert.doesNotMatch(JSON.stringify(good), new RegExp(KEY));

  rewriteAll(db);
  const r = await cli(['audit', 'verify', '--db', db, '--json'], { env });
  failsWith(r, 'E_AUDIT_CHAIN_BROKEN', /audit chain broken at seq 1: the chain at seq 1 differs from its keyed checkpoint \(records rewritten\)/, { stdout: 'any' });

  // A chain written before the key existed: reported, until an operator seals it.
  const legacy = `${dir}/legacy.db`;
  auditDb(legacy, 5);
  failsWith(await cli(['audit', 'verify', '--db', legacy], { env }), 'E_AUDIT_CHAIN_BROKEN', /no checkpoint signed with key [0-9a-f]{16} covers records 1\.\.5/, { stdout: 'any' });
  const head = okJson(await cli(['audit', 'head', '--db', legacy, '--json']));
  failsWith(await cli(['audit', 'seal', '--db', legacy]), 'E_CFG_INVALID', /AUDIT_MAC_KEY is not set/);
  const sealed = okJson(await cli(['audit', 'seal', '--db', legacy, '--json', '--expect-head', head.expectHead], { env }));
  assert.deepEqual(sealed.signed, [{ kind: 'point', seq: 5, hash: head.hash }]);
  assert.equal(okJson(await cli(['audit', 'verify', '--db', legacy, '--json'], { env })).ok, true);
  // The forged chain is never sealed: its checkpoints are evidence against the key.
  failsWith(await cli(['audit', 'seal', '--db', db], { env }), 'E_AUDIT_CHAIN_BROKEN', /refusing to seal/);
});
