// finishRunWithArtifact: a cycle's finish and its CycleResult in one commit, with the outcome
// of finishRun then putArtifact: nothing written when the run cannot be finished; the run
// finished (and committed) when only the artifact fails, whose error is then thrown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrdinisError } from '../../src/errors.ts';
import type { RunRow } from '../../src/kernel/run-store.ts';
import { openTempDatabase } from './temp-database.ts';

const row = (runId: string): RunRow => ({
  runId,
  mode: 'paper',
  kind: 'cycle',
  startedAt: '2024-01-02T00:00:00.000Z',
  finishedAt: null,
  status: 'running',
  errorCodes: [],
  configSnapshotRef: null,
  codeVersion: '0.0.0',
  commitHash: 'abc',
  parentRunId: null,
  abortReason: null,
});
const update = { finishedAt: '2024-01-02T00:00:01.000Z', status: 'ok' as const, errorCodes: [] };
const artifact = (runId: string, content: unknown) => ({ runId, kind: 'cycle_result', schemaVersion: '1.0.0', commitHash: 'abc', content });

test('finish and artifact land together, as the two calls would', (t) => {
  const { db } = openTempDatabase(t);
  db.runs.startRun(row('a'));
  db.runs.startRun(row('b'));
  const id = db.runs.finishRunWithArtifact('a', update, artifact('a', { x: 1 }));
  db.runs.finishRun('b', update);
  db.runs.putArtifact(artifact('b', { x: 1 }));
  assert.deepEqual({ ...db.runs.getRun('a'), runId: 'b' }, db.runs.getRun('b'));
  assert.equal(db.runs.getArtifact(id)!.runId, 'a');
  assert.deepEqual(db.runs.listArtifacts('a')[0]!.content, { x: 1 });
});

test('an unknown run: E_DB_CONSTRAINT and nothing written', (t) => {
  const { db } = openTempDatabase(t);
  assert.throws(() => db.runs.finishRunWithArtifact('nope', update, artifact('nope', {})), (e: OrdinisError) => e.code === 'E_DB_CONSTRAINT');
  assert.deepEqual(db.runs.listArtifacts('nope'), []);
});

test("an artifact that cannot be stored: the run is finished anyway and the artifact's error thrown, as with the two calls", (t) => {
  const { db } = openTempDatabase(t);
  db.runs.startRun(row('a'));
  db.runs.startRun(row('b'));
  const bad = { n: 1n }; // JSON.stringify throws on a BigInt
  let combined: unknown;
  let separate: unknown;
  try {
    db.runs.finishRunWithArtifact('a', update, artifact('a', bad));
  } catch (e) {
    combined = e;
  }
  db.runs.finishRun('b', update);
  try {
    db.runs.putArtifact(artifact('b', bad));
  } catch (e) {
    separate = e;
  }
  assert.ok(combined instanceof OrdinisError && separate instanceof OrdinisError);
  assert.equal(combined.code, separate.code);
  assert.equal(combined.message.replace(/run a/, 'run b'), separate.message);
  assert.equal(db.runs.getRun('a')!.status, 'ok', 'the finish was committed');
  assert.deepEqual(db.runs.listArtifacts('a'), []);
  assert.equal(db.handle.inTransaction, false);
});

test('inside an open batch it is the two calls (no nested transaction)', (t) => {
  const { db } = openTempDatabase(t);
  db.beginBatch();
  db.runs.startRun(row('a'));
  db.runs.finishRunWithArtifact('a', update, artifact('a', { x: 2 }));
  assert.equal(db.handle.inTransaction, true, 'still the batch');
  db.endBatch();
  assert.equal(db.runs.getRun('a')!.status, 'ok');
  assert.deepEqual(db.runs.listArtifacts('a')[0]!.content, { x: 2 });
});
