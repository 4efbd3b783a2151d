// A replay with nothing to replay is refused with the reason: a header-only CSV, a file whose
// every row was skipped as bad, and a --from/--to window that holds none of a file's bars.
// In-process on FileReplaySource, and through `ordinis backtest` (exit 1, no run recorded).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { OrdinisError } from '../../../src/errors.ts';
import { FileReplaySource } from '../../../src/adapters/data/file-replay-source.ts';
import { cli, failsWith, tempDbPath } from '../../cli/cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'ordinis-no-bars-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'Date,Open,High,Low,Close,Volume\n';
function csv(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const headerOnly = csv('header-only.csv', HEADER);
const threeDays = csv('three-days.csv', `${HEADER}2020-01-02,10,11,9,10.5,100\n2020-01-03,10.5,12,10,11,100\n2020-01-06,11,11.5,10.5,11,100\n`);
const allBad = csv('all-bad.csv', `${HEADER}2020-01-02,10,9,11,10.5,100\n2020-01-03,x,12,10,11,100\n`);

const noData = (message: RegExp) => (e: unknown) => e instanceof OrdinisError && e.code === 'E_ING_NO_DATA' && message.test(e.message);

test('a header-only CSV is refused naming the file', () => {
  assert.throws(() => new FileReplaySource({ files: [headerOnly] }), noData(new RegExp(`data file ${headerOnly} has no bars: only a header row`)));
  // Also when another file has bars: that symbol would never be traded.
  assert.throws(() => new FileReplaySource({ files: [threeDays, headerOnly] }), noData(/header-only\.csv has no bars/));
});

test('a file whose rows were all skipped as bad says so', () => {
  assert.throws(() => new FileReplaySource({ files: [allBad], policy: 'skip' }), noData(/all-bad\.csv has no bars: all 2 data rows were skipped as bad/));
});

test('a --from/--to window with no bars names the window and the bars the file does have', () => {
  assert.throws(
    () => new FileReplaySource({ files: [threeDays], from: '2021-01-01', to: '2021-12-31' }),
    noData(/three-days\.csv has no bars from 2021-01-01 to 2021-12-31 \(its 3 bars run from 2020-01-02 to 2020-01-06\)/),
  );
  assert.throws(() => new FileReplaySource({ files: [threeDays], to: '2019-12-31' }), noData(/has no bars up to 2019-12-31 \(its 3 bars/));
  assert.throws(() => new FileReplaySource({ files: [threeDays], from: '2020-01-04', to: '2020-01-05' }), noData(/has no bars from 2020-01-04 to 2020-01-05/));
  // Several files: a window that misses only some of them is fine (a symbol listed later
  // starts later); one that misses all of them is refused; a header-only file always is.
  const later = csv('later.csv', `${HEADER}2020-01-06,11,11.5,10.5,11,100\n`);
  const partial = new FileReplaySource({ files: [threeDays, later], to: '2020-01-03' });
  assert.equal(partial.peekTs(), Date.UTC(2020, 0, 2));
  partial.close();
  assert.throws(() => new FileReplaySource({ files: [threeDays, later], from: '2021-01-01' }), noData(/three-days\.csv has no bars from 2021-01-01 on/));
  assert.throws(() => new FileReplaySource({ files: [threeDays, headerOnly], to: '2020-01-03' }), noData(/header-only\.csv has no bars: only a header row/));
  // A window holding one bar is fine, and the replay starts there.
  const src = new FileReplaySource({ files: [threeDays], from: '2020-01-03', to: '2020-01-05' });
  assert.equal(src.peekTs(), Date.UTC(2020, 0, 3));
  src.close();
});

test('ordinis backtest on a header-only CSV or an empty window: exit 1, the reason on stderr, no run recorded', async (t) => {
  const { db } = tempDbPath(t);
  const [header, window] = await Promise.all([
    cli(['backtest', '--db', db, '--data', headerOnly, '--json']),
    cli(['backtest', '--db', db, '--from', '2030-01-01', '--to', '2030-02-01', '--json']),
  ]);
  failsWith(header, 'E_ING_NO_DATA', /header-only\.csv has no bars: only a header row/);
  failsWith(window, 'E_ING_NO_DATA', /orcl-1995-2014\.txt has no bars from 2030-01-01 to 2030-02-01 \(its 5036 bars run from 1995-01-03 to 2014-12-31\)/);
  const h = new Database(db, { readonly: true });
  try {
    assert.equal(h.prepare('SELECT COUNT(*) FROM runs').pluck().get(), 0, 'no run row, running or otherwise');
  } finally {
    h.close();
  }
});
