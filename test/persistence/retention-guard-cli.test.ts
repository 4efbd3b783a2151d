// The start-up retention of real `ordinis paper` processes when every stored row looks
// years old, which is what a wall clock that jumped forward (NTP step, VM resume) makes of
// a database: the rows here are written with a wall clock 20 years behind the system's,
// so to the child process they are exactly as old as a +20-year jump would make them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ManualClock } from '../../src/core/clock.ts';
import { openDatabase } from '../../src/persistence/database.ts';
import { runCli } from '../modes/paper/cli-process.ts';
import { tempDir } from '../modes/paper/paper-support.ts';
import { auditInput, runRow } from './temp-database.ts';

const TWENTY_YEARS_MS = 20 * 365 * 86_400_000;

function seedOldHistory(path: string): void {
  const clock = new ManualClock(Date.now() - TWENTY_YEARS_MS);
  const db = openDatabase({ path, wallClock: clock });
  try {
    for (let i = 1; i <= 10; i++) {
      clock.advance(60_000);
      db.runs.startRun(runRow(`old-${i}`, { status: 'ok', finishedAt: '2006-01-01T00:00:01.000Z' }));
      db.audit.append(auditInput(i, { kind: 'ops.note', subjectRef: null }));
    }
  } finally {
    db.close();
  }
}

function counts(path: string): { oldRuns: number; firstAuditSeq: number | null; auditRows: number } {
  const db = new Database(path, { readonly: true });
  try {
    return {
      oldRuns: db.prepare("SELECT COUNT(*) FROM runs WHERE run_id LIKE 'old-%'").pluck().get() as number,
      firstAuditSeq: db.prepare('SELECT MIN(seq) FROM audit_log').pluck().get() as number | null,
      auditRows: db.prepare('SELECT COUNT(*) FROM audit_log').pluck().get() as number,
    };
  } finally {
    db.close();
  }
}

const paperArgs = (db: string, ...extra: string[]) => ['--log-level', 'info', 'paper', '--db', db, '--max-cycles', '5', '--json', ...extra];

test('paper refuses to start when retention would purge most of a table, deletes nothing, and names the flag; with it, purges and logs per table', async (t) => {
  const db = join(tempDir(t), 'jumped.db');
  seedOldHistory(db);

  const refused = await runCli(paperArgs(db));
  assert.equal(refused.code, 1, refused.stderr.slice(-2000));
  const line = refused.stderr.split('\n').find((l) => l.startsWith('error: '));
  assert.ok(line, refused.stderr.slice(-2000));
  assert.match(line, /^error: E_DB_RETENTION_REFUSED: retention refused, nothing was deleted: it would delete .*runs: 10 of 10 rows \(100%\) stored before \d{4}-\d\d-\d\dT/);
  assert.match(line, /DB_RETENTION_MAX_PURGE_PCT=50%/);
  assert.match(line, /--allow-large-purge/);
  assert.match(refused.stderr, /"level":"error"[^\n]*"msg":"E_DB_RETENTION_REFUSED: retention refused/, 'a structured log line too');
  const kept = counts(db);
  assert.equal(kept.oldRuns, 10, 'no run was deleted');
  assert.equal(kept.firstAuditSeq, 1, 'no audit record was deleted');

  // The operator checked the clock: the old runs go, each table's purge logged with its
  // cutoff; the audit records stay, as none was ever exported.
  const allowed = await runCli(paperArgs(db, '--allow-large-purge'));
  assert.equal(allowed.code, 0, allowed.stderr.slice(-2000));
  assert.match(allowed.stderr, /"retention":\{"table":"runs","cutoff":"[^"]+","deleted":10,"total":10[^\n]*"msg":"retention: deleted runs: 10 of/);
  assert.match(allowed.stderr, /"heldUnexported":10[^\n]*"msg":"retention: kept 10 audit records past AUDIT_RETENTION_DAYS that were never exported/);
  const after = counts(db);
  assert.equal(after.oldRuns, 0);
  assert.equal(after.firstAuditSeq, 1);

  // Exported, the old audit records may go; the export still verifies on its own.
  const file = join(tempDir(t), 'archive.jsonl');
  const exported = await runCli(['audit', 'export', '--db', db, '--out', file]);
  assert.equal(exported.code, 0, exported.stderr);
  const purged = await runCli(paperArgs(db, '--allow-large-purge'));
  assert.equal(purged.code, 0, purged.stderr.slice(-2000));
  assert.match(purged.stderr, /"retention":\{"table":"audit_log","cutoff":"[^"]+","deleted":10,/);
  assert.equal(counts(db).firstAuditSeq, 11);
  const verifyDb = await runCli(['audit', 'verify', '--db', db]);
  assert.equal(verifyDb.code, 0, verifyDb.stdout + verifyDb.stderr);
  const verifyFile = await runCli(['audit', 'verify', '--file', file]);
  assert.equal(verifyFile.code, 0, verifyFile.stdout + verifyFile.stderr);
});
