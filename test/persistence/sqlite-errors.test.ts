import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrdinisError } from '../../src/errors.ts';
import { toDbError } from '../../src/persistence/sqlite-errors.ts';

function sqliteError(code: string, message = 'x'): Error {
  return Object.assign(new Error(message), { code });
}

test('SQLite failures map onto the catalogue by result code', () => {
  const cases: [string, string, boolean][] = [
    ['SQLITE_CONSTRAINT_UNIQUE', 'E_DB_CONSTRAINT', false],
    ['SQLITE_CONSTRAINT_TRIGGER', 'E_DB_CONSTRAINT', false],
    ['SQLITE_MISMATCH', 'E_DB_CONSTRAINT', false],
    ['SQLITE_READONLY', 'E_DB_UNAVAILABLE', true],
    ['SQLITE_READONLY_DBMOVED', 'E_DB_UNAVAILABLE', true],
    ['SQLITE_CANTOPEN', 'E_DB_UNAVAILABLE', true],
    ['SQLITE_IOERR_WRITE', 'E_DB_UNAVAILABLE', true],
    ['SQLITE_BUSY', 'E_DB_UNAVAILABLE', true],
    ['SQLITE_FULL', 'E_DB_UNAVAILABLE', true],
    ['SQLITE_CORRUPT', 'E_DB_UNAVAILABLE', false],
    ['SQLITE_NOTADB', 'E_DB_UNAVAILABLE', false],
    ['SQLITE_ERROR', 'E_INTERNAL', false],
  ];
  for (const [sqliteCode, code, retryable] of cases) {
    const cause = sqliteError(sqliteCode);
    const e = toDbError(cause, 'insert run r-1', { path: '/db' });
    assert.equal(e.code, code, sqliteCode);
    assert.equal(e.retryable, retryable, sqliteCode);
    assert.equal(e.cause, cause);
    assert.deepEqual(e.details, { path: '/db', sqliteCode });
    assert.match(e.message, /insert run r-1/);
  }
});

test('closed-handle and lock messages without a code are unavailable; our own errors pass through', () => {
  assert.equal(toDbError(new TypeError('The database connection is not open'), 'w').code, 'E_DB_UNAVAILABLE');
  assert.equal(toDbError(new Error('database is locked'), 'w').code, 'E_DB_UNAVAILABLE');
  const own = new OrdinisError('E_AUDIT_CHAIN_BROKEN');
  assert.equal(toDbError(own, 'w'), own);
  assert.equal(toDbError('a string', 'w').code, 'E_INTERNAL');
});
