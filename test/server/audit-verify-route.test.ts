// GET /audit/verify off the trading path, on a real server on 127.0.0.1 over a real SQLite
// file: concurrent requests share one verification, the rate limit answers with the last
// result and its age, a later verification walks only the new records and yields to the
// event loop between chunks, and no cached result hides a tamper made from outside.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { ManualClock } from '../../src/core/clock.ts';
import { sealRecord } from '../../src/governance/audit-chain.ts';
import { AuditMacKey } from '../../src/governance/audit-checkpoint.ts';
import { AuditVerifier } from '../../src/server/audit-verifier.ts';
import type { OrdinisDatabase } from '../../src/persistence/database.ts';
import { auditInput, openTempDatabase } from '../persistence/temp-database.ts';
import { startOps } from './ops-harness.ts';

function appendN(db: OrdinisDatabase, n: number): void {
  db.transaction(() => {
    for (let i = 1; i <= n; i++) db.audit.append(auditInput((i % 28) + 1));
  });
}

/** A second connection on the file with the audit triggers dropped: a tamper from outside the process. */
function attacker(path: string): Database.Database {
  const h = new Database(path);
  const names = h.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit_%'").pluck().all() as string[];
  for (const name of names) h.exec(`DROP TRIGGER "${name}"`);
  return h;
}

test('4 concurrent requests share one verification; within the interval the next gets that result with its age', async (t) => {
  const f = await startOps(t, { auditVerifyMinIntervalMs: 60_000 });
  appendN(f.db, 3000);
  const answers = await Promise.all([1, 2, 3, 4].map(() => f.api('/audit/verify')));
  for (const a of answers) {
    assert.equal(a.status, 200);
    assert.equal(a.json.ok, true);
    assert.equal(a.json.checked, 3000);
    assert.equal(a.json.verification.id, 1, 'one verification for all four');
  }
  assert.equal(answers.filter((a) => a.json.cached === false).length, 1, 'computed for exactly one request');
  assert.equal(answers[0]!.json.verification.mode, 'full');
  assert.equal(answers[0]!.json.verification.walked, 3000);

  f.db.audit.append(auditInput(1));
  const later = await f.api('/audit/verify');
  assert.equal(later.json.cached, true);
  assert.equal(later.json.verification.id, 1);
  assert.equal(later.json.head.seq, 3000, 'the cached result, not a new one');
  assert.equal(typeof later.json.ageMs, 'number');
  assert.ok(later.json.ageMs >= 0);
});

test('a later verification walks only the records appended since the last verified point', async (t) => {
  const f = await startOps(t);
  appendN(f.db, 1200);
  const first = await f.api('/audit/verify');
  assert.equal(first.json.verification.mode, 'full');
  assert.equal(first.json.verification.walked, 1200);
  appendN(f.db, 10);
  const second = await f.api('/audit/verify');
  assert.equal(second.json.ok, true);
  assert.equal(second.json.checked, 1210);
  assert.equal(second.json.verification.mode, 'incremental');
  assert.equal(second.json.verification.walked, 10);
  assert.equal(second.json.verification.id, 2);
  assert.equal(second.json.cached, false);
});

test('the walk yields to the event loop between chunks: other work runs while a long chain is verified', async (t) => {
  const temp = openTempDatabase(t);
  appendN(temp.db, 2000);
  const verifier = new AuditVerifier(temp.db.audit, { chunkRecords: 250, sliceMs: 0, minIntervalMs: 0 });
  let done = false;
  const pending = verifier.verify().then((v) => {
    done = true;
    return v;
  });
  let turns = 0;
  while (!done) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    turns++;
  }
  const v = await pending;
  assert.equal(v.ok, true);
  assert.equal(v.verification.yields, 7, '8 chunks, a yield after each but the last');
  assert.ok(turns >= 7, `other work ran ${turns} times during the walk`);
});

test('concurrent calls on the verifier coalesce onto one promise, and the rate limit keeps serving it', async (t) => {
  const temp = openTempDatabase(t);
  appendN(temp.db, 600);
  const clock = new ManualClock(1_000_000);
  const verifier = new AuditVerifier(temp.db.audit, { chunkRecords: 100, minIntervalMs: 5000, clock });
  const all = await Promise.all([verifier.verify(), verifier.verify(), verifier.verify()]);
  assert.equal(verifier.verifications, 1);
  assert.deepEqual(all.map((a) => a.cached), [false, true, true]);
  clock.advance(4999);
  const cached = await verifier.verify();
  assert.equal(cached.cached, true);
  assert.equal(cached.ageMs, 4999);
  assert.equal(verifier.verifications, 1);
  clock.advance(1);
  const fresh = await verifier.verify();
  assert.equal(fresh.cached, false);
  assert.equal(verifier.verifications, 2);
  assert.equal(fresh.verification.mode, 'incremental');
  assert.equal(fresh.verification.walked, 0);
});

test('a tamper from outside after a cached result is detected by the next request, rate limit or not', async (t) => {
  const f = await startOps(t, { auditVerifyMinIntervalMs: 60_000 });
  appendN(f.db, 50);
  const before = await f.api('/audit/verify');
  assert.equal(before.json.ok, true);

  // An already verified record edited in place (hashes untouched): only a full walk sees it.
  const h = attacker(f.db.path);
  h.prepare('UPDATE audit_log SET payload_json = ? WHERE seq = 5').run(JSON.stringify({ symbol: 'AAPL', qty: 999 }));
  h.close();
  const after = await f.api('/audit/verify');
  assert.equal(after.json.cached, false, 'an outside write is never answered from the cache');
  assert.equal(after.json.verification.mode, 'full');
  assert.equal(after.json.ok, false);
  assert.equal(after.json.brokenAt, 5);
  assert.match(after.json.reason, /row edited/);
});

test('with a key, a rewrite with recomputed hashes after a verified result is detected, and the route shows the checkpoints', async (t) => {
  const f = await startOps(t, { auditVerifyMinIntervalMs: 60_000, audit: { macKey: new AuditMacKey('route-test-key'), checkpointEvery: 10 } });
  appendN(f.db, 25);
  const before = await f.api('/audit/verify');
  assert.equal(before.json.ok, true);
  assert.equal(before.json.checkpoints.keyed, true);
  assert.deepEqual(before.json.checkpoints.lastSealed?.seq, 21);

  // Records 21..25 rewritten consistently (payloads changed, hashes recomputed, head moved).
  const h = attacker(f.db.path);
  const rows = h.prepare('SELECT * FROM audit_log WHERE seq > 20 ORDER BY seq').all() as Record<string, unknown>[];
  let prev = rows[0]!.hash_prev as string;
  h.prepare('DELETE FROM audit_log WHERE seq > 20').run();
  const insert = h.prepare(
    'INSERT INTO audit_log (seq, ts, kind, component, action, actor, correlation_id, policy_version, decision, subject_ref, payload_json, hash_prev, hash_self, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (const row of rows) {
    const seq = row.seq as number;
    const input = auditInput(seq, { payload: { forged: true } });
    const r = sealRecord(seq, input, prev);
    insert.run(seq, r.ts, r.kind, r.component, r.action, r.actor, r.correlationId, r.policyVersion, r.decision, r.subjectRef, JSON.stringify(r.payload), r.hashPrev, r.hashSelf, null);
    prev = r.hashSelf;
  }
  h.prepare('UPDATE audit_head SET hash = ? WHERE id = 1').run(prev);
  h.close();

  const after = await f.api('/audit/verify');
  assert.equal(after.json.cached, false);
  assert.equal(after.json.ok, false);
  assert.equal(after.json.brokenAt, 21);
  assert.match(after.json.reason, /differs from its keyed checkpoint/);
});

test('a verification finishes while the process appends on every turn (it does not chase the head for ever)', async (t) => {
  const temp = openTempDatabase(t);
  appendN(temp.db, 300);
  const verifier = new AuditVerifier(temp.db.audit, { chunkRecords: 10, sliceMs: 0, minIntervalMs: 0 });
  let done = false;
  const pending = verifier.verify().then((v) => {
    done = true;
    return v;
  });
  let turns = 0;
  // Trading: one audit record per turn, as a paper cycle writes.
  while (!done && turns < 2000) {
    temp.db.audit.append(auditInput(1));
    await new Promise<void>((resolve) => setImmediate(resolve));
    turns++;
  }
  assert.ok(done, `still verifying after ${turns} turns of appends`);
  const v = await pending;
  assert.equal(v.ok, true);
  assert.ok(v.head.seq >= 300 && v.checked === v.head.seq, `verified through the head it concluded at (${v.checked} of ${v.head.seq})`);
});
