// A cycle's run row deferred to the cycle's first commit (SqliteConnection.defer via
// SqliteRunStore.deferStartRun): a quiet cycle commits once; anything durable a cycle writes
// carries its row in the same commit; a rolled-back write leaves the row owed; a withdrawn
// row is never written. Commits are counted in the WAL file itself (commit frames), so "one
// commit" is what SQLite wrote, not what our code believes it did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { OrdinisError } from '../../src/errors.ts';
import { EMPTY_OUTPUTS, makeEngine } from '../support/engine-harness.ts';
import { openTempDatabase, runRow } from './temp-database.ts';

/** Commit frames in the WAL (a frame whose "database size after commit" field is set). */
function walCommits(dbPath: string): number {
  let buf: Buffer;
  try {
    buf = readFileSync(`${dbPath}-wal`);
  } catch {
    return 0;
  }
  if (buf.length < 32) return 0;
  const pageSize = buf.readUInt32BE(8);
  const salt = [buf.readUInt32BE(16), buf.readUInt32BE(20)];
  let commits = 0;
  for (let off = 32; off + 24 + pageSize <= buf.length; off += 24 + pageSize) {
    // Frames left over from before the last WAL reset carry other salts.
    if (buf.readUInt32BE(off + 8) !== salt[0] || buf.readUInt32BE(off + 12) !== salt[1]) break;
    if (buf.readUInt32BE(off + 4) !== 0) commits++;
  }
  return commits;
}

const artifact = (runId: string) => ({ runId, kind: 'note', schemaVersion: '1.0.0', commitHash: 'x', content: { n: 1 } });

test('a deferred run row is not on file until the next write, which carries it in its own commit', (t) => {
  const { db, path } = openTempDatabase(t);
  const before = walCommits(path);
  db.runs.deferStartRun(runRow('c-1'));
  assert.equal(db.runs.getRun('c-1'), undefined);
  assert.equal(walCommits(path), before, 'deferring writes nothing');
  db.runs.putArtifact(artifact('c-1'));
  assert.equal(walCommits(path), before + 1, 'row and artifact: one commit');
  assert.equal(db.runs.getRun('c-1')!.status, 'running');
  // Already carried: finishing updates the row in a commit of its own.
  db.runs.finishRun('c-1', { finishedAt: '2024-01-02T00:00:01.000Z', status: 'ok', errorCodes: [] });
  assert.equal(walCommits(path), before + 2);
  assert.equal(db.runs.getRun('c-1')!.status, 'ok');
});

test('a run that finishes with its row still deferred is written once, finished, with its snapshot and artifact', (t) => {
  const { db, path } = openTempDatabase(t);
  const before = walCommits(path);
  db.runs.deferStartRun(runRow('c-2'), { strategy: 'sma-cross', api_token: 'secret' });
  db.runs.finishRunWithArtifact!('c-2', { finishedAt: '2024-01-02T00:00:01.000Z', status: 'degraded', errorCodes: ['E_ANA_COMPUTE_FAILED'] }, artifact('c-2'));
  assert.equal(walCommits(path), before + 1);
  const r = db.runs.getRun('c-2')!;
  assert.equal(r.status, 'degraded');
  assert.deepEqual(r.errorCodes, ['E_ANA_COMPUTE_FAILED']);
  assert.equal(r.startedAt, '2025-01-02T03:04:05.000Z');
  assert.equal(r.finishedAt, '2024-01-02T00:00:01.000Z');
  const snap = db.runs.getConfigSnapshot('c-2')!;
  assert.equal(r.configSnapshotRef, snap.ref);
  assert.notEqual(snap.config.api_token, 'secret', 'the snapshot is redacted as putConfigSnapshot redacts');
  assert.equal(db.runs.listArtifacts('c-2').length, 1);
  // The running row was never on file: no partial index entry, nothing for recovery to abort.
  assert.deepEqual(db.runs.listRunning(), []);
});

test('a write that rolls back leaves the deferred row owed; the next write carries it', (t) => {
  const { db } = openTempDatabase(t);
  db.runs.putConfigSnapshot('other', { a: 1 });
  db.runs.deferStartRun(runRow('c-3'));
  // Different content for an existing snapshot: E_DB_CONSTRAINT, the transaction rolls back.
  assert.throws(() => db.runs.putConfigSnapshot('other', { a: 2 }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_DB_CONSTRAINT');
  assert.equal(db.runs.getRun('c-3'), undefined);
  db.runs.putArtifact(artifact('c-3'));
  assert.equal(db.runs.getRun('c-3')!.status, 'running');
});

test('a dropped row is never written; a deferred row that cannot be written fails its carrier with its own error', (t) => {
  const { db } = openTempDatabase(t);
  const drop = db.runs.deferStartRun(runRow('c-4'));
  drop();
  db.runs.startRun(runRow('c-5'));
  assert.equal(db.runs.getRun('c-4'), undefined);
  // c-5 exists: deferring it again makes the next write fail with the row's own error.
  const dropDup = db.runs.deferStartRun(runRow('c-5'));
  assert.throws(
    () => db.runs.putArtifact(artifact('c-5')),
    (e: unknown) => e instanceof OrdinisError && e.code === 'E_DB_CONSTRAINT' && /insert run c-5/.test(e.message),
  );
  assert.equal(db.runs.listArtifacts('c-5').length, 0, 'the carrier rolled back with it');
  dropDup();
  db.runs.putArtifact(artifact('c-5'));
  assert.equal(db.runs.listArtifacts('c-5').length, 1);
});

test('deferring on a read-only database is E_DB_UNAVAILABLE at once', (t) => {
  const tmp = openTempDatabase(t);
  const ro = tmp.reopen({ readonly: true });
  assert.throws(() => ro.runs.deferStartRun(runRow('c-6')), (e: unknown) => e instanceof OrdinisError && e.code === 'E_DB_UNAVAILABLE');
});

test('through the engine: a quiet cycle commits once; a stage that writes carries the running row in its commit', async (t) => {
  const { db, path } = openTempDatabase(t);
  const seenMidCycle: Array<string | undefined> = [];
  const other = new Database(path, { readonly: true });
  t.after(() => other.close());
  const h = makeEngine({
    runStore: db.runs,
    configSnapshot: { profile: 'paper' },
    behaviours: {
      RISK: (ctx) => {
        if (ctx.cycleIndex === 1) {
          db.runs.putArtifact(artifact(ctx.correlationId));
          // Another connection (an operator's `ordinis runs list`) sees the cycle as running.
          const r = other.prepare('SELECT status FROM runs WHERE run_id = ?').get(ctx.correlationId) as { status: string } | undefined;
          seenMidCycle.push(r?.status);
        }
        return EMPTY_OUTPUTS.RISK;
      },
    },
  });
  h.engine.start();
  const before = walCommits(path);
  const quiet = await h.engine.runCycle({ kind: 'timer' });
  assert.equal(quiet.status, 'ok');
  assert.equal(walCommits(path), before + 1, 'config snapshot, run row and CycleResult in one commit');
  assert.equal(db.runs.getRun(quiet.correlationId)!.status, 'ok');
  assert.ok(db.runs.getRun(quiet.correlationId)!.configSnapshotRef);
  assert.deepEqual(db.runs.listArtifacts(quiet.correlationId).map((a) => a.kind), ['cycle_result']);

  const busy = await h.engine.runCycle({ kind: 'timer' });
  assert.equal(busy.status, 'ok');
  assert.deepEqual(seenMidCycle, ['running']);
  assert.equal(walCommits(path), before + 3, "the stage's write (with the row), then the finish");
  assert.equal(db.runs.getRun(busy.correlationId)!.status, 'ok');
});
