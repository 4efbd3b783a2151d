import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../src/persistence/database.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, type Migration } from '../../src/persistence/migrations.ts';
import { expectCode, openTempDatabase, tempDir } from './temp-database.ts';

const DESIGN_TABLES = [
  'artifacts',
  'audit_anchor',
  'audit_checkpoint',
  'audit_export',
  'audit_head',
  'audit_log',
  'backtest_equity',
  'dlq',
  'fills',
  'kill_switch',
  'ledger_entries',
  'orders',
  'paper_venue_account',
  'paper_venue_fills',
  'paper_venue_marks',
  'paper_venue_orders',
  'paper_venue_positions',
  'positions',
  'risk_decisions',
  'run_config_snapshot',
  'runs',
  'runtime_state',
  'schema_migrations',
  'sweep_results',
  'sweeps',
];

function tables(db: Database.Database): string[] {
  return db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
}

test('a new file is created (with its directory) and migrated to the latest version', (t) => {
  const { db } = openTempDatabase(t);
  assert.deepEqual(db.migration, { fromVersion: 0, toVersion: LATEST_SCHEMA_VERSION, applied: MIGRATIONS.map((m) => m.version) });
  assert.equal(db.handle.pragma('user_version', { simple: true }), LATEST_SCHEMA_VERSION);
  assert.deepEqual(tables(db.handle), DESIGN_TABLES);
  const rows = db.handle.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as {
    version: number;
    name: string;
    applied_at: string;
  }[];
  assert.deepEqual(
    rows.map((r) => [r.version, r.name]),
    MIGRATIONS.map((m) => [m.version, m.name]),
  );
  for (const r of rows) assert.ok(!Number.isNaN(Date.parse(r.applied_at)));
});

test('connection pragmas: WAL, busy timeout, foreign keys, synchronous NORMAL', (t) => {
  const { db } = openTempDatabase(t);
  assert.equal(db.handle.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.handle.pragma('busy_timeout', { simple: true }), 5000);
  assert.equal(db.handle.pragma('foreign_keys', { simple: true }), 1);
  assert.equal(db.handle.pragma('synchronous', { simple: true }), 1);
  const custom = openTempDatabase(t, { busyTimeoutMs: 250 });
  assert.equal(custom.db.handle.pragma('busy_timeout', { simple: true }), 250);
});

test('reopening a migrated file applies nothing and records nothing new', (t) => {
  const temp = openTempDatabase(t);
  const again = temp.reopen();
  assert.deepEqual(again.migration.applied, []);
  assert.equal(again.migration.fromVersion, LATEST_SCHEMA_VERSION);
  assert.equal(again.handle.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get(), MIGRATIONS.length);
  assert.equal(again.schemaVersion, LATEST_SCHEMA_VERSION);
});

test('an older database is brought forward, applying only the missing versions', (t) => {
  const path = join(tempDir(t), 'old.db');
  const raw = new Database(path);
  t.after(() => raw.close());
  const addNotes: Migration = {
    version: 2,
    name: 'add_notes',
    up: (db) => db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)'),
  };
  assert.deepEqual(migrate(raw, { migrations: [MIGRATIONS[0]] }).applied, [1]);
  raw.prepare('INSERT INTO kill_switch (id, state, updated_at) VALUES (1, ?, ?)').run('ACTIVE', '2025-01-01T00:00:00.000Z');
  const report = migrate(raw, { migrations: [MIGRATIONS[0], addNotes] });
  assert.deepEqual(report, { fromVersion: 1, toVersion: 2, applied: [2] });
  assert.equal(raw.pragma('user_version', { simple: true }), 2);
  assert.deepEqual(raw.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all(), [1, 2]);
  // Data written at version 1 is still there.
  assert.equal(raw.prepare('SELECT state FROM kill_switch').pluck().get(), 'ACTIVE');
});

test('openDatabase migrates a version-0 file that already exists', (t) => {
  const path = join(tempDir(t), 'empty.db');
  new Database(path).close();
  const db = openDatabase({ path });
  t.after(() => db.close());
  assert.deepEqual(db.migration.applied, MIGRATIONS.map((m) => m.version));
});

test('a database newer than this build is refused with both versions in the message', (t) => {
  const path = join(tempDir(t), 'future.db');
  const temp = openDatabase({ path });
  temp.handle.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 3}`);
  temp.close();
  const err = expectCode(() => openDatabase({ path }), 'E_DB_SCHEMA_TOO_NEW');
  assert.match(err.message, new RegExp(`version ${LATEST_SCHEMA_VERSION + 3}`));
  assert.match(err.message, new RegExp(`up to version ${LATEST_SCHEMA_VERSION}`));
  assert.deepEqual(err.details, { path, dbVersion: LATEST_SCHEMA_VERSION + 3, codeVersion: LATEST_SCHEMA_VERSION });
  assert.equal(err.retryable, false);
  // Refused read-only too.
  expectCode(() => openDatabase({ path, readonly: true }), 'E_DB_SCHEMA_TOO_NEW');
});

test('a failing migration rolls back to the last good version and reports E_DB_MIGRATION_FAILED', (t) => {
  const path = join(tempDir(t), 'broken.db');
  const raw = new Database(path);
  t.after(() => raw.close());
  const broken: Migration = {
    version: 2,
    name: 'broken',
    up: (db) => {
      db.exec('CREATE TABLE half_done (id INTEGER PRIMARY KEY)');
      db.exec('ALTER TABLE no_such_table ADD COLUMN x TEXT');
    },
  };
  const err = expectCode(() => migrate(raw, { migrations: [MIGRATIONS[0], broken] }), 'E_DB_MIGRATION_FAILED');
  assert.match(err.message, /migration 2 \(broken\) failed/);
  assert.ok(err.cause instanceof Error);
  assert.equal(err.retryable, false);
  assert.deepEqual(err.details?.appliedBefore, [1]);
  assert.equal(raw.pragma('user_version', { simple: true }), 1);
  assert.ok(!tables(raw).includes('half_done'));
  assert.deepEqual(raw.prepare('SELECT version FROM schema_migrations').pluck().all(), [1]);
});

test('a migration list with a gap is refused', (t) => {
  const raw = new Database(join(tempDir(t), 'gap.db'));
  t.after(() => raw.close());
  const v3: Migration = { version: 3, name: 'skips_two', up: () => {} };
  expectCode(() => migrate(raw, { migrations: [MIGRATIONS[0], v3] }), 'E_DB_MIGRATION_FAILED');
  assert.equal(raw.pragma('user_version', { simple: true }), 0);
});

test('a read-only open of an outdated file is refused instead of half-working', (t) => {
  const path = join(tempDir(t), 'v0.db');
  new Database(path).close();
  const err = expectCode(() => openDatabase({ path, readonly: true }), 'E_DB_SCHEMA_TOO_OLD');
  assert.match(err.message, /read-only/);
});

test('open failures are E_DB_UNAVAILABLE with the path in the message and the cause kept', (t) => {
  const dir = tempDir(t);
  const notADir = join(dir, 'plain-file');
  writeFileSync(notADir, 'x');
  const underFile = join(notADir, 'ordinis.db');
  const e1 = expectCode(() => openDatabase({ path: underFile }), 'E_DB_UNAVAILABLE');
  assert.ok(e1.message.includes(underFile));
  assert.ok(e1.cause !== undefined);

  const garbage = join(dir, 'garbage.db');
  writeFileSync(garbage, Buffer.alloc(4096, 7));
  const e2 = expectCode(() => openDatabase({ path: garbage }), 'E_DB_UNAVAILABLE');
  assert.ok(e2.message.includes(garbage));
  assert.equal(e2.retryable, false, 'a file that is not a database will not heal by retrying');

  const missing = join(dir, 'missing.db');
  const e3 = expectCode(() => openDatabase({ path: missing, readonly: true }), 'E_DB_UNAVAILABLE');
  assert.ok(e3.message.includes(missing));
  assert.equal(e3.retryable, true);
});

test('an in-memory database works for tests elsewhere', () => {
  const db = openDatabase({ path: ':memory:' });
  assert.equal(db.schemaVersion, LATEST_SCHEMA_VERSION);
  db.killSwitch.save({ state: 'INACTIVE', reason: null, activatedAt: null, actor: null, updatedAt: '2025-01-01T00:00:00.000Z' });
  assert.equal(db.killSwitch.load()?.state, 'INACTIVE');
  db.close();
});
