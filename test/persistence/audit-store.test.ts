import { test } from 'node:test';
import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { GENESIS_HASH, MemoryAuditStore } from '../../src/governance/audit-chain.ts';
import { ManualClock } from '../../src/core/clock.ts';
import type { OrdinisDatabase } from '../../src/persistence/database.ts';
import { auditInput, expectCode, openTempDatabase } from './temp-database.ts';

function appendN(db: OrdinisDatabase, n: number): void {
  for (let i = 1; i <= n; i++) db.audit.append(auditInput(i));
}

/** What someone with write access to the file can do: the triggers are just SQL. */
function dropAuditTriggers(handle: Database.Database): void {
  const names = handle
    .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit_%'")
    .pluck()
    .all() as string[];
  assert.ok(names.length >= 5);
  for (const name of names) handle.exec(`DROP TRIGGER "${name}"`);
}

function expectBroken(db: OrdinisDatabase, brokenAt: number, reason: RegExp): void {
  const v = db.audit.verify();
  assert.equal(v.ok, false);
  assert.equal(v.brokenAt, brokenAt);
  assert.match(v.reason ?? '', reason);
  const err = expectCode(() => db.audit.assertChainIntact(), 'E_AUDIT_CHAIN_BROKEN');
  assert.equal(err.details?.brokenAt, brokenAt);
  assert.match(String(err.details?.reason), reason);
}

test('appends seal a dense chain identical to the in-memory store, and it verifies after reopen', (t) => {
  const temp = openTempDatabase(t);
  const memory = new MemoryAuditStore();
  for (let i = 1; i <= 5; i++) {
    const stored = temp.db.audit.append(auditInput(i));
    const expected = memory.append(auditInput(i));
    assert.deepEqual(stored, expected);
  }
  assert.deepEqual(temp.db.audit.verify(), { ok: true, checked: 5 });
  const db = temp.reopen();
  assert.deepEqual(db.audit.verify(), { ok: true, checked: 5 });
  assert.deepEqual(db.audit.head(), { seq: 5, hash: memory.records[4].hashSelf });
  assert.deepEqual(db.audit.list({ afterSeq: 3 }), memory.records.slice(3));
  assert.deepEqual(db.audit.list({ limit: 2 }).map((r) => r.seq), [1, 2]);
  const next = db.audit.append(auditInput(6));
  assert.equal(next.seq, 6);
  assert.equal(next.hashPrev, memory.records[4].hashSelf);
});

test('an empty log verifies from genesis', (t) => {
  const { db } = openTempDatabase(t);
  assert.deepEqual(db.audit.verify(), { ok: true, checked: 0 });
  assert.deepEqual(db.audit.head(), { seq: 0, hash: GENESIS_HASH });
  db.audit.assertChainIntact();
});

test('records are stored as a reader will rebuild them (undefined, Dates, extra fields)', (t) => {
  const temp = openTempDatabase(t);
  const when = new Date('2025-03-01T10:00:00.000Z');
  const loose = {
    ...auditInput(1),
    correlationId: undefined as unknown as null,
    subjectRef: undefined as unknown as null,
    payload: { at: when, skipped: undefined, n: 1 },
    extraField: 'not part of the record',
  };
  const rec = temp.db.audit.append(loose);
  assert.equal(rec.correlationId, null);
  assert.deepEqual(rec.payload, { at: '2025-03-01T10:00:00.000Z', n: 1 });
  assert.ok(!('extraField' in rec));
  assert.deepEqual(temp.reopen().audit.list()[0], rec);
  assert.equal(temp.db.audit.verify().ok, true);
});

test('a record RFC 8785 cannot write (a lone surrogate) is refused by name and nothing is written', (t) => {
  const temp = openTempDatabase(t);
  appendN(temp.db, 2);
  const head = temp.db.audit.head();
  const err = expectCode(() => temp.db.audit.append({ ...auditInput(3), payload: { message: 'cut 😀'.slice(0, 5) } }), 'E_AUDIT_RECORD_INVALID');
  assert.match(err.message, /lone surrogate/i);
  assert.deepEqual(temp.db.audit.head(), head);
  assert.equal(temp.reopen().audit.verify().ok, true);
  // A NaN is written as JSON writes it (null), as before, and hashed as it is read back.
  assert.deepEqual(temp.db.audit.append({ ...auditInput(3), payload: { price: Number.NaN } }).payload, { price: null });
  assert.equal(temp.db.audit.verify().ok, true);
});

test('findBySubject returns the records of the given side effects in sequence order', (t) => {
  const { db } = openTempDatabase(t);
  appendN(db, 4);
  db.audit.append(auditInput(5, { subjectRef: 'co-2' }));
  db.audit.append(auditInput(6, { subjectRef: null }));
  assert.deepEqual(db.audit.findBySubject(['co-2', 'co-4', 'unknown']).map((r) => r.seq), [2, 4, 5]);
  assert.deepEqual(db.audit.findBySubject([]), []);
});

test('the table refuses UPDATE, DELETE and inserts that do not extend the head', (t) => {
  const { db } = openTempDatabase(t);
  appendN(db, 3);
  const h = db.handle;
  const refused = (sql: string) =>
    assert.throws(() => h.exec(sql), (e: { code?: string }) => e.code === 'SQLITE_CONSTRAINT_TRIGGER', sql);
  refused("UPDATE audit_log SET decision = 'deny' WHERE seq = 2");
  refused('DELETE FROM audit_log WHERE seq = 3');
  refused('DELETE FROM audit_log');
  refused(`INSERT INTO audit_log SELECT seq + 10, ts, kind, component, action, actor, correlation_id, policy_version,
           decision, subject_ref, payload_json, hash_prev, hash_self, recorded_at FROM audit_log WHERE seq = 3`);
  refused('UPDATE audit_head SET seq = 1');
  refused('DELETE FROM audit_head');
  refused('UPDATE audit_anchor SET seq = 99');
  refused('DELETE FROM audit_anchor');
  assert.deepEqual(db.audit.verify(), { ok: true, checked: 3 });
});

test('tampering: an edited row is detected', (t) => {
  const { db } = openTempDatabase(t);
  appendN(db, 5);
  dropAuditTriggers(db.handle);
  db.handle.exec("UPDATE audit_log SET decision = 'deny' WHERE seq = 3");
  expectBroken(db, 3, /row edited/);
});

test('tampering: an edited payload (even one that no longer parses) is detected', (t) => {
  const { db } = openTempDatabase(t);
  appendN(db, 5);
  dropAuditTriggers(db.handle);
  db.handle.exec(`UPDATE audit_log SET payload_json = '{"symbol":"AAPL","qty":2000}' WHERE seq = 2`);
  expectBroken(db, 2, /row edited/);
  db.handle.exec(`UPDATE audit_log SET payload_json = '{not json' WHERE seq = 2`);
  expectBroken(db, 2, /not valid JSON/);
});

test('tampering: a deleted middle row is detected', (t) => {
  const { db } = openTempDatabase(t);
  appendN(db, 5);
  dropAuditTriggers(db.handle);
  db.handle.exec('DELETE FROM audit_log WHERE seq = 3');
  expectBroken(db, 4, /expected seq 3, found 4/);
});

test('tampering: the first row deleted is detected', (t) => {
  const { db } = openTempDatabase(t);
  appendN(db, 3);
  dropAuditTriggers(db.handle);
  db.handle.exec('DELETE FROM audit_log WHERE seq = 1');
  expectBroken(db, 2, /expected seq 1, found 2/);
});

test('tampering: two rows swapped (reordered) are detected', (t) => {
  const { db } = openTempDatabase(t);
  appendN(db, 5);
  dropAuditTriggers(db.handle);
  // Swap everything but the seq between rows 2 and 4.
  const cols = 'ts, kind, component, action, actor, correlation_id, policy_version, decision, subject_ref, payload_json, hash_prev, hash_self';
  db.handle.exec(`
    CREATE TEMP TABLE swap AS SELECT seq, ${cols} FROM audit_log WHERE seq IN (2, 4);
    UPDATE audit_log SET (${cols}) = (SELECT ${cols} FROM swap WHERE swap.seq = 6 - audit_log.seq) WHERE seq IN (2, 4);
  `);
  assert.equal(db.handle.prepare('SELECT subject_ref FROM audit_log WHERE seq = 2').pluck().get(), 'co-4');
  expectBroken(db, 2, /hash_prev/);
});

test('tampering: a truncated tail is detected through the head', (t) => {
  const { db } = openTempDatabase(t);
  appendN(db, 5);
  dropAuditTriggers(db.handle);
  db.handle.exec('DELETE FROM audit_log WHERE seq >= 4');
  expectBroken(db, 4, /tail truncated/);
  // Every record gone: still detected.
  db.handle.exec('DELETE FROM audit_log');
  expectBroken(db, 1, /tail truncated/);
});

test('tampering: a rewritten last record (hash recomputed) is detected through the head', (t) => {
  const { db } = openTempDatabase(t);
  appendN(db, 3);
  const forged = new MemoryAuditStore();
  for (let i = 1; i <= 2; i++) forged.append(auditInput(i));
  const fake = forged.append(auditInput(3, { decision: 'deny' }));
  dropAuditTriggers(db.handle);
  db.handle.prepare("UPDATE audit_log SET decision = 'deny', hash_self = ? WHERE seq = 3").run(fake.hashSelf);
  expectBroken(db, 3, /tail rewritten/);
});

test('tampering: records added behind the store are detected', (t) => {
  const { db } = openTempDatabase(t);
  appendN(db, 2);
  const shadow = new MemoryAuditStore();
  for (let i = 1; i <= 3; i++) shadow.append(auditInput(i));
  const extra = shadow.records[2];
  dropAuditTriggers(db.handle);
  db.handle
    .prepare('INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(3, extra.ts, extra.kind, extra.component, extra.action, extra.actor, extra.correlationId, extra.policyVersion,
      extra.decision, extra.subjectRef, JSON.stringify(extra.payload), extra.hashPrev, extra.hashSelf, extra.ts);
  expectBroken(db, 3, /past the head/);
});

/** verify()'s chain verdict without its checkpoint report (no key is configured in these tests). */
function chainResult(audit: OrdinisDatabase['audit']): { ok: boolean; checked: number } {
  const v = audit.verify();
  return { ok: v.ok, checked: v.checked };
}

/**
 * Appends auditInput(day) for each day with the wall clock at that day (recorded_at = ts),
 * then marks everything exported: retention ages by recorded_at and stops at the export mark.
 */
function appendAgedAndExported(db: OrdinisDatabase, clock: ManualClock, days: readonly number[]): void {
  for (const day of days) {
    const input = auditInput(day);
    clock.set(Date.parse(input.ts));
    db.audit.append(input);
  }
  db.audit.markExported(db.audit.head(), 'export.jsonl');
}

test('retention purge removes the oldest prefix and the chain still verifies', (t) => {
  const clock = new ManualClock(0);
  const temp = openTempDatabase(t, { wallClock: clock });
  appendAgedAndExported(temp.db, clock, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const head = temp.db.audit.head();
  const sixth = temp.db.audit.list({ afterSeq: 5, limit: 1 })[0];
  const r = temp.db.audit.purgeOlderThan('2025-01-06T00:00:00.000Z');
  assert.equal(r.purged, 5);
  assert.deepEqual(r.anchor, { seq: 5, hash: sixth.hashPrev });
  assert.deepEqual(chainResult(temp.db.audit), { ok: true, checked: 5 });
  assert.deepEqual(temp.db.audit.head(), head);
  // Purging again with the same cutoff has nothing to do.
  assert.equal(temp.db.audit.purgeOlderThan('2025-01-06T00:00:00.000Z').purged, 0);

  const db = temp.reopen();
  assert.deepEqual(chainResult(db.audit), { ok: true, checked: 5 });
  assert.equal(db.audit.append(auditInput(11)).seq, 11);
  assert.deepEqual(chainResult(db.audit), { ok: true, checked: 6 });
  assert.deepEqual(db.audit.anchor(), r.anchor);

  // Deleting above the anchor is still refused, and tampering after a purge still shows.
  assert.throws(() => db.handle.exec('DELETE FROM audit_log WHERE seq = 6'), /append-only/);
  dropAuditTriggers(db.handle);
  db.handle.exec('DELETE FROM audit_log WHERE seq = 6');
  expectBroken(db, 7, /expected seq 6, found 7/);
});

test('retention purge stops at the first record that is not old enough', (t) => {
  const clock = new ManualClock(0);
  const { db } = openTempDatabase(t, { wallClock: clock });
  appendAgedAndExported(db, clock, [1, 2, 9, 3, 4]);
  const r = db.audit.purgeOlderThan('2025-01-05T00:00:00.000Z');
  assert.equal(r.purged, 2);
  assert.deepEqual(db.audit.list().map((x) => x.seq), [3, 4, 5]);
  assert.equal(db.audit.verify().ok, true);
});

test('purging every record leaves an empty, verifiable log that keeps counting', (t) => {
  const clock = new ManualClock(0);
  const { db } = openTempDatabase(t, { wallClock: clock });
  appendAgedAndExported(db, clock, [1, 2, 3]);
  assert.equal(db.audit.purgeOlderThan('2030-01-01T00:00:00.000Z').purged, 3);
  assert.deepEqual(chainResult(db.audit), { ok: true, checked: 0 });
  const next = db.audit.append(auditInput(4));
  assert.equal(next.seq, 4);
  assert.deepEqual(chainResult(db.audit), { ok: true, checked: 1 });
});

test('a broken chain is never purged: the evidence stays', (t) => {
  const clock = new ManualClock(0);
  const { db } = openTempDatabase(t, { wallClock: clock });
  appendAgedAndExported(db, clock, [1, 2, 3, 4, 5]);
  dropAuditTriggers(db.handle);
  db.handle.exec("UPDATE audit_log SET decision = 'deny' WHERE seq = 2");
  expectCode(() => db.audit.purgeOlderThan('2030-01-01T00:00:00.000Z'), 'E_AUDIT_CHAIN_BROKEN');
  assert.equal(db.handle.prepare('SELECT COUNT(*) FROM audit_log').pluck().get(), 5);
});
