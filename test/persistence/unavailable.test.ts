import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { OrdinisDatabase } from '../../src/persistence/database.ts';
import type { OrdinisError } from '../../src/errors.ts';
import { auditInput, expectCode, openTempDatabase, runRow } from './temp-database.ts';

/** One write through every store. */
const WRITES: Record<string, (db: OrdinisDatabase) => unknown> = {
  startRun: (db) => db.runs.startRun(runRow('r-new')),
  finishRun: (db) => db.runs.finishRun('r-0', { finishedAt: 'x', status: 'ok', errorCodes: [] }),
  putArtifact: (db) => db.runs.putArtifact({ runId: 'r-0', kind: 'k', schemaVersion: '1', commitHash: 'c', content: {} }),
  putConfigSnapshot: (db) => db.runs.putConfigSnapshot('r-new', { a: 1 }),
  abortRuns: (db) => db.runs.abortRuns(['r-0'], 'restart', 'x'),
  auditAppend: (db) => db.audit.append(auditInput(2)),
  auditPurge: (db) => db.audit.purgeOlderThan('2030-01-01T00:00:00.000Z'),
  killSave: (db) => db.killSwitch.save({ state: 'ACTIVE', reason: 'r', activatedAt: 'x', actor: 'a', updatedAt: 'x' }),
  orderInsert: (db) =>
    db.orders.insertIntent({
      clientOrderId: 'co-new', idempotencyKey: 'k-new', correlationId: 'r', signalId: 's', symbol: 'AAPL',
      side: 'buy', qty: 1, orderType: 'market', timeInForce: 'day', ts: 1,
    }),
  ledgerAppend: (db) =>
    db.ledger.appendEntries([{ ts: 1, correlationId: 'r', kind: 'cash', symbol: null, amount: 1, price: null, fillId: null, memo: 'm' }]),
  riskRecord: (db) =>
    db.riskDecisions.record('r', [{ signalId: 's', symbol: 'AAPL', ts: 1, allowed: false, reasons: ['RISK.EXCEPTION'], policyVersion: 'v' }]),
  dlqPut: (db) =>
    db.deadLetters.put({ eventJson: '{}', subscription: 's', errorCode: 'E', errorMessage: 'm', attempts: 1, ts: 'x' }),
  transaction: (db) => db.transaction(() => db.runs.startRun(runRow('r-batch'))),
  retention: (db) => db.purgeOlderThan({ runsDays: 0 }),
};

function seed(db: OrdinisDatabase): void {
  db.runs.startRun(runRow('r-0'));
  db.audit.append(auditInput(1));
  // Exported, so the audit purge below has a record it may delete: a real write.
  db.audit.markExported(db.audit.head(), 'seed-export.jsonl');
}

function expectEveryWriteUnavailable(db: OrdinisDatabase, check: (name: string, err: OrdinisError) => void = () => {}): void {
  for (const [name, write] of Object.entries(WRITES)) {
    let err: OrdinisError;
    try {
      err = expectCode(() => write(db), 'E_DB_UNAVAILABLE');
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`, { cause: e });
    }
    assert.equal(err.retryable, true, name);
    check(name, err);
  }
}

test('a database opened read-only reads fine and refuses every write as E_DB_UNAVAILABLE', (t) => {
  const temp = openTempDatabase(t);
  seed(temp.db);
  const ro = temp.reopen({ readonly: true });
  assert.equal(ro.readonly, true);
  assert.equal(ro.runs.getRun('r-0')?.runId, 'r-0');
  assert.equal(ro.audit.verify().ok, true);
  expectEveryWriteUnavailable(ro, (name, err) => {
    assert.equal((err.cause as { code?: string }).code?.startsWith('SQLITE_READONLY'), true, name);
  });
  // Nothing was written.
  const rw = temp.reopen();
  assert.equal(rw.runs.getRun('r-new'), undefined);
  assert.equal(rw.audit.head().seq, 1);
});

test(
  'a file made read-only (chmod 0444) refuses writes as E_DB_UNAVAILABLE',
  { skip: process.getuid?.() === 0 ? 'root ignores file permissions' : false },
  (t) => {
    const temp = openTempDatabase(t);
    seed(temp.db);
    temp.db.close();
    // The directory stays writable, so the temp cleanup can still remove the file.
    chmodSync(temp.path, 0o444);
    let db: OrdinisDatabase;
    try {
      db = temp.reopen();
    } catch (e) {
      // Refusing at open is as good as refusing the write.
      assert.equal((e as OrdinisError).code, 'E_DB_UNAVAILABLE');
      t.diagnostic('refused at open');
      return;
    }
    expectEveryWriteUnavailable(db);
  },
);

test('a database whose directory was deleted refuses writes instead of losing them', (t) => {
  const temp = openTempDatabase(t);
  seed(temp.db);
  rmSync(join(temp.dir, 'data'), { recursive: true, force: true });
  expectEveryWriteUnavailable(temp.db, (name, err) => {
    assert.match(err.message, /deleted/, name);
    assert.equal(err.details?.path, temp.path);
  });
});

test('a database file replaced under us refuses writes', (t) => {
  const temp = openTempDatabase(t);
  seed(temp.db);
  const copy = `${temp.path}.copy`;
  copyFileSync(temp.path, copy);
  renameSync(copy, temp.path);
  const err = expectCode(() => temp.db.runs.startRun(runRow('r-x')), 'E_DB_UNAVAILABLE');
  assert.match(err.message, /replaced/);
});

test('a closed database refuses reads and writes as E_DB_UNAVAILABLE; close is idempotent', (t) => {
  const temp = openTempDatabase(t);
  seed(temp.db);
  temp.db.close();
  temp.db.close();
  assert.equal(temp.db.isOpen, false);
  expectEveryWriteUnavailable(temp.db, (name, err) => assert.match(err.message, /closed/, name));
  const reads: Record<string, () => unknown> = {
    getRun: () => temp.db.runs.getRun('r-0'),
    listRuns: () => temp.db.runs.listRuns(),
    verify: () => temp.db.audit.verify(),
    killLoad: () => temp.db.killSwitch.load(),
    listOpen: () => temp.db.orders.listOpen(),
    loadEntries: () => temp.db.ledger.loadEntries(),
    listByRun: () => temp.db.riskDecisions.listByRun('r'),
    dlqList: () => temp.db.deadLetters.list(),
  };
  for (const [name, read] of Object.entries(reads)) {
    assert.equal(expectCode(read, 'E_DB_UNAVAILABLE').retryable, true, name);
  }
});

test('a write blocked by another connection past the busy timeout is E_DB_UNAVAILABLE, then succeeds', (t) => {
  const temp = openTempDatabase(t, { busyTimeoutMs: 25 });
  seed(temp.db);
  const other = new Database(temp.path);
  t.after(() => other.close());
  other.exec('BEGIN IMMEDIATE');
  const err = expectCode(() => temp.db.runs.startRun(runRow('r-busy')), 'E_DB_UNAVAILABLE');
  assert.equal(err.retryable, true);
  assert.match(String(err.details?.sqliteCode), /^SQLITE_BUSY/);
  expectCode(() => temp.db.audit.append(auditInput(2)), 'E_DB_UNAVAILABLE');
  other.exec('ROLLBACK');
  temp.db.runs.startRun(runRow('r-busy'));
  assert.equal(temp.db.audit.append(auditInput(2)).seq, 2);
  assert.equal(temp.db.audit.verify().ok, true);
});
