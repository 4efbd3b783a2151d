// `ordinis backtest --report PATH` where the report cannot be written: refused before the run
// starts (no run row at all, so none is left `running`), with E_CFG_INVALID naming the path
// and what is wrong. In-process for every rule; through the real CLI for the cases.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { OrdinisError } from '../../src/errors.ts';
import { checkReportPath, writeReportFile } from '../../src/modes/backtest/report/report-file.ts';
import { cli, failsWith, tempDbPath } from './cli-harness.ts';

const invalid = (message: RegExp) => (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID' && message.test(e.message);

test('checkReportPath: a missing directory, a directory, a file as the parent are refused; a new or existing file is fine', (t) => {
  const { dir } = tempDbPath(t);
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'plain'), 'x');
  assert.throws(() => checkReportPath(join(dir, 'nope', 'r.html')), invalid(/--report .*nope\/r\.html: its directory .*nope does not exist/));
  assert.throws(() => checkReportPath(join(dir, 'sub')), invalid(/--report .*sub: is a directory; give a file name/));
  assert.throws(() => checkReportPath(join(dir, 'plain', 'r.html')), invalid(/--report .*plain\/r\.html: .*plain is not a directory/));
  assert.throws(() => checkReportPath(''), invalid(/--report "": expected a file path/));
  checkReportPath(join(dir, 'new.html'));
  checkReportPath(join(dir, 'plain'));
});

test('writeReportFile replaces the file whole and names the path when it cannot', (t) => {
  const { dir } = tempDbPath(t);
  const path = join(dir, 'r.html');
  writeReportFile(path, '<p>one</p>');
  writeReportFile(path, '<p>two</p>');
  assert.equal(readFileSync(path, 'utf8'), '<p>two</p>');
  assert.throws(
    () => writeReportFile(join(dir, 'gone', 'r.html'), 'x'),
    (e: unknown) => e instanceof OrdinisError && e.code === 'E_REPORT_WRITE_FAILED' && /cannot write the report .*gone\/r\.html: ENOENT/.test(e.message),
  );
});

test('ordinis backtest --report into a missing directory or onto a directory: exit 1 before the run, no run row', async (t) => {
  const { dir, db } = tempDbPath(t);
  const [missingDir, isDir] = await Promise.all([
    cli(['backtest', '--db', db, '--to', '1995-03-31', '--report', join(dir, 'nope', 'r.html'), '--json']),
    cli(['backtest', '--db', db, '--to', '1995-03-31', '--report', dir, '--json']),
  ]);
  failsWith(missingDir, 'E_CFG_INVALID', /--report .*nope\/r\.html: its directory .*nope does not exist/);
  failsWith(isDir, 'E_CFG_INVALID', /--report .*: is a directory; give a file name/);
  // Checked before the database is even opened: nothing was recorded, nothing is left running.
  let runs = 0;
  try {
    const h = new Database(db, { readonly: true, fileMustExist: true });
    runs = h.prepare('SELECT COUNT(*) FROM runs').pluck().get() as number;
    h.close();
  } catch (e) {
    assert.match(String(e), /unable to open|does not exist/);
  }
  assert.equal(runs, 0);
});
