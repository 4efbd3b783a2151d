// The wal-index guard (connection.ts): SQLite keeps `<db>-shm` memory-mapped, and touching
// the mapping after the file was truncated kills the process with SIGBUS. The guard looks
// at the file at the first top-level read or write of each synchronous stretch (another
// process acts between them: each test yields a turn before touching the files). These run
// in this very process: if the guard let SQLite touch a truncated mapping, the test runner
// itself would die.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, renameSync, statSync, truncateSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { expectCode, openTempDatabase, runRow } from './temp-database.ts';

test('a truncated wal-index: the next read fails E_DB_UNAVAILABLE (not retryable), the file is grown back, and the handle closes cleanly', async (t) => {
  const { db, path } = openTempDatabase(t);
  db.runs.startRun(runRow('r-1'));
  const mapped = statSync(`${path}-shm`).size;
  assert.ok(mapped > 0);
  const before = db.faults.count;

  await nextTurn();
  truncateSync(`${path}-shm`, 0);
  const err = expectCode(() => db.runs.getRun('r-1'), 'E_DB_UNAVAILABLE');
  assert.equal(err.retryable, false);
  assert.match(err.message, /wal-index .*-shm was truncated from \d+ to 0 bytes/);
  assert.equal(err.details?.walIndexFault, 'truncated');
  assert.equal(db.faults.count, before + 1);
  assert.equal(db.faults.last, err);
  assert.ok(statSync(`${path}-shm`).size >= mapped, 'grown back to at least the mapped size');

  // SQLite rebuilds the zeroed index from the WAL: nothing committed is lost.
  assert.equal(db.runs.getRun('r-1')?.status, 'running');
  db.close();
});

test('a wal-index truncated while idle is caught at close, which then does not fault', (t) => {
  const { db, path } = openTempDatabase(t);
  db.runs.startRun(runRow('r-1'));
  // Within the same stretch on purpose: close looks again whatever the last look was.
  truncateSync(`${path}-shm`, 0);
  db.close();
  assert.equal(db.faults.last?.details?.walIndexFault, 'truncated');
});

test('a replaced wal-index: writes are refused from then on (not retryable); reads go on', async (t) => {
  const { db, path } = openTempDatabase(t);
  db.runs.startRun(runRow('r-1'));
  await nextTurn();
  copyFileSync(`${path}-shm`, `${path}-shm.copy`);
  renameSync(`${path}-shm.copy`, `${path}-shm`);
  const err = expectCode(() => db.runs.startRun(runRow('r-2')), 'E_DB_UNAVAILABLE');
  assert.equal(err.retryable, false);
  assert.match(err.message, /was replaced by another file/);
  expectCode(() => db.runs.startRun(runRow('r-3')), 'E_DB_UNAVAILABLE');
  assert.equal(db.runs.getRun('r-1')?.runId, 'r-1');
  assert.equal(db.runs.getRun('r-2'), undefined);
});
