// Read-only commands (runs list, runs show, kill status, audit verify) only look: they leave
// the database file byte-for-byte and mtime-for-mtime as it was and create no `-wal`/`-shm`
// beside it; a file whose schema is older than this build is refused with what to do, not
// migrated behind the operator's back; and a database on read-only storage is readable by
// them while a write command says plainly that it cannot write there.
//
// Read-only storage, for real: as root, chmod does not deny anything, so the file and its
// directory get the immutable attribute (chattr +i; root gets EPERM on any write, as on a
// read-only mount). Not root: chmod a-w. Skipped where neither can be applied.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../src/persistence/database.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate } from '../../src/persistence/migrations.ts';
import { auditInput } from '../persistence/temp-database.ts';
import { cli, failsWith, okJson, okText, tempDbPath } from './cli-harness.ts';

const RUN = 'run-ro-1';

/** A closed database in WAL mode (no -wal/-shm left) with one run and three audit records. */
function seededDb(path: string): void {
  const db = openDatabase({ path });
  try {
    db.runs.startRun({
      runId: RUN, mode: 'paper', kind: 'cycle', startedAt: '2025-01-06T14:30:00.000Z', finishedAt: null, status: 'running',
      errorCodes: [], configSnapshotRef: null, codeVersion: '0.1.0', commitHash: 'abc1234', parentRunId: null, abortReason: null,
    });
    db.runs.finishRun(RUN, { finishedAt: '2025-01-06T14:30:00.300Z', status: 'ok', errorCodes: [] });
    for (let i = 1; i <= 3; i++) db.audit.append(auditInput(i));
  } finally {
    db.close();
  }
}

interface FileState {
  sha256: string;
  mtimeMs: number;
  size: number;
  wal: boolean;
  shm: boolean;
}

function fileState(path: string): FileState {
  const st = statSync(path);
  return {
    sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
    mtimeMs: st.mtimeMs,
    size: st.size,
    wal: existsSync(`${path}-wal`),
    shm: existsSync(`${path}-shm`),
  };
}

const READ_ONLY_COMMANDS = (db: string): string[][] => [
  ['runs', 'list', '--db', db, '--json'],
  ['runs', 'show', RUN, '--db', db, '--json'],
  ['kill', 'status', '--db', db, '--json'],
  ['audit', 'verify', '--db', db, '--json'],
  ['runs', 'list', '--db', db],
];

function assertReadOnlyAnswers(results: Awaited<ReturnType<typeof cli>>[]): void {
  const [list, show, kill, verify, text] = results;
  assert.deepEqual(okJson(list!).runs.map((r: { runId: string }) => r.runId), [RUN]);
  assert.equal(okJson(show!).run.runId, RUN);
  assert.equal(okJson(kill!).kill.state, 'INACTIVE');
  const v = okJson(verify!);
  assert.equal(v.ok, true);
  assert.equal(v.checked, 3);
  assert.match(okText(text!), new RegExp(RUN));
}

test('read-only commands leave the file untouched and create no -wal or -shm', async (t) => {
  const { db } = tempDbPath(t);
  seededDb(db);
  const before = fileState(db);
  assert.deepEqual([before.wal, before.shm], [false, false], 'a cleanly closed WAL database has no side files');
  assertReadOnlyAnswers(await Promise.all(READ_ONLY_COMMANDS(db).map((args) => cli(args))));
  assert.deepEqual(fileState(db), before);
});

test('with a writer live (a -wal present), read-only commands see its commits and still write nothing', async (t) => {
  const { db: path } = tempDbPath(t);
  seededDb(path);
  const writer = openDatabase({ path });
  t.after(() => writer.close());
  writer.audit.append(auditInput(4)); // committed to the -wal, not yet checkpointed into the file
  const before = fileState(path);
  assert.equal(before.wal, true);
  const [verify, list] = await Promise.all([cli(['audit', 'verify', '--db', path, '--json']), cli(['runs', 'list', '--db', path, '--json'])]);
  assert.equal(okJson(verify).checked, 4, 'the record still in the WAL is seen');
  assert.equal(okJson(list).runs.length, 1);
  assert.deepEqual(fileState(path), before);
});

test('a database older than this build: read-only commands refuse with what to do and do not migrate it', async (t) => {
  const { db: older } = tempDbPath(t, 'older.db');
  const raw = new Database(older);
  migrate(raw, { migrations: MIGRATIONS.slice(0, -1) });
  raw.close();
  const before = fileState(older);
  const [list, verify] = await Promise.all([cli(['runs', 'list', '--db', older, '--json']), cli(['audit', 'verify', '--db', older])]);
  const message = new RegExp(
    `database .*older\\.db is at schema version ${LATEST_SCHEMA_VERSION - 1}, older than this build's ${LATEST_SCHEMA_VERSION}.*read-only.*not migrated.*` +
      'run a command that writes to it',
  );
  failsWith(list, 'E_DB_SCHEMA_TOO_OLD', message);
  failsWith(verify, 'E_DB_SCHEMA_TOO_OLD', message);
  assert.match(list.stderr, /ordinis db migrate --db FILE/, 'the refusal names the command that only migrates');
  assert.deepEqual(fileState(older), before, 'not migrated, not touched');

  // `db migrate` applies what is missing and nothing else; then the read-only commands work.
  const migrated = await cli(['db', 'migrate', '--db', older, '--json']);
  assert.equal(migrated.code, 0, migrated.stderr);
  assert.deepEqual(
    { ...JSON.parse(migrated.stdout), path: undefined },
    { path: undefined, fromVersion: LATEST_SCHEMA_VERSION - 1, toVersion: LATEST_SCHEMA_VERSION, applied: [LATEST_SCHEMA_VERSION] },
  );
  const [again, listAfter] = await Promise.all([cli(['db', 'migrate', '--db', older]), cli(['runs', 'list', '--db', older, '--json'])]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`already at schema version ${LATEST_SCHEMA_VERSION}; nothing to do`));
  assert.equal(listAfter.code, 0, listAfter.stderr);
  assert.deepEqual(JSON.parse(listAfter.stdout).runs, []);
});

test('db migrate on a path with no database is an error and creates nothing', async (t) => {
  const { db: missing } = tempDbPath(t, 'missing.db');
  const r = await cli(['db', 'migrate', '--db', missing]);
  failsWith(r, 'E_DB_UNAVAILABLE', /no database at .*missing\.db/);
  assert.ok(!existsSync(missing));
});

/** Makes `paths` unwritable for this process for a real reason; returns how to undo it, or why it cannot be done here. */
function makeUnwritable(paths: string[]): { undo: () => void } | { skip: string } {
  const root = process.getuid?.() === 0;
  const set = (p: string, on: boolean): void => {
    if (root) execFileSync('chattr', [on ? '+i' : '-i', p], { stdio: 'ignore' });
    else chmodSync(p, statSync(p).isDirectory() ? (on ? 0o555 : 0o755) : on ? 0o444 : 0o644);
  };
  const done: string[] = [];
  // Undone in reverse (a directory before its file), before the temp directory is removed.
  const undo = (): void => {
    for (const p of done.reverse()) set(p, false);
  };
  try {
    for (const p of paths) {
      set(p, true);
      done.push(p);
    }
  } catch (e) {
    undo();
    return { skip: `cannot make files unwritable here (${root ? 'chattr +i' : 'chmod'}: ${(e as Error).message})` };
  }
  return { undo };
}

test('a database on read-only storage: read-only commands work; write commands say it cannot be written', async (t) => {
  const { db } = tempDbPath(t);
  seededDb(db);
  const before = fileState(db);
  const lock = makeUnwritable([db, dirname(db)]);
  if ('skip' in lock) {
    t.skip(lock.skip);
    return;
  }
  try {
    const readOnly = Promise.all(READ_ONLY_COMMANDS(db).map((args) => cli(args)));
    const [activate, backtest] = await Promise.all([
      cli(['kill', 'activate', '--reason', 'test', '--actor', 'ops', '--db', db]),
      cli(['backtest', '--db', db, '--to', '1995-03-31', '--json']),
    ]);
    assertReadOnlyAnswers(await readOnly);
    for (const r of [activate, backtest]) {
      failsWith(r, 'E_DB_READ_ONLY', /database .*ordinis\.db cannot be written: the file .*ordinis\.db is read-only \((EPERM|EACCES|EROFS)\).*read-only commands .* still work/);
    }
  } finally {
    lock.undo();
  }
  assert.deepEqual(fileState(db), before);
});

test('a write command on a database whose directory only is read-only names the directory', async (t) => {
  const { dir, db } = tempDbPath(t);
  seededDb(db);
  const lock = makeUnwritable([dir]);
  if ('skip' in lock) {
    t.skip(lock.skip);
    return;
  }
  try {
    const [list, activate] = await Promise.all([
      cli(['runs', 'list', '--db', db, '--json']),
      cli(['kill', 'activate', '--reason', 'test', '--actor', 'ops', '--db', db]),
    ]);
    assert.equal(okJson(list).runs.length, 1);
    failsWith(activate, 'E_DB_READ_ONLY', /cannot be written: the directory .* is read-only \((EPERM|EACCES|EROFS).*; SQLite keeps its -wal and -shm files beside the database\)/);
  } finally {
    lock.undo();
  }
  assert.ok(!existsSync(`${db}-wal`) && !existsSync(`${db}-shm`));
});
