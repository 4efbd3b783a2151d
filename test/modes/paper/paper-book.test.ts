// One book, one strategy (issue 11, item 12), with real `ordinis paper` processes on one
// SQLite file: a restart with another strategy or other data is refused with the difference
// shown; --adopt takes the book over and lists (and audits) the positions it took; --new-book
// starts a fresh book, only from a flat one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../../src/persistence/database.ts';
import type { PaperRunSummary } from '../../../src/modes/paper/paper-runtime.ts';
import { runCli, type Finished } from './cli-process.ts';
import { assertBooksSound, readBooks, SAMPLE_DATA, tempDir } from './paper-support.ts';

const BASE = ['--log-level', 'warn', 'paper', '--qty', '10', '--cash', '10000', '--json'];
const SMA = ['--fast', '5', '--slow', '15'];

function paper(db: string, args: string[]): Promise<Finished> {
  return runCli([...BASE, '--db', db, ...args]);
}

function summaryOf(f: Finished): PaperRunSummary {
  assert.equal(f.code, 0, `paper exited ${f.code} (${f.signal}); stderr:\n${f.stderr.slice(-3000)}`);
  return JSON.parse(f.stdout.trim().split('\n').at(-1)!) as PaperRunSummary;
}

/** What a refused start must leave alone: runs, audit records, orders, the resume point and the stored identity. */
function footprint(path: string): string {
  const db = openDatabase({ path });
  try {
    const one = (sql: string): unknown => db.handle.prepare(sql).pluck().get();
    return JSON.stringify({
      runs: one('SELECT count(*) FROM runs'),
      audit: one('SELECT max(seq) FROM audit_log'),
      orders: one('SELECT count(*) FROM orders'),
      state: db.handle.prepare("SELECT key, value_json FROM runtime_state WHERE key IN ('paper.cursor', 'paper.book') ORDER BY key").all(),
    });
  } finally {
    db.close();
  }
}

function bookAuditRecords(path: string): { kind: string; payload: Record<string, unknown> }[] {
  const db = openDatabase({ path });
  try {
    return (db.handle.prepare("SELECT kind, payload_json FROM audit_log WHERE kind LIKE 'paper.book.%' ORDER BY seq").all() as { kind: string; payload_json: string }[]).map((r) => ({
      kind: r.kind,
      payload: JSON.parse(r.payload_json) as Record<string, unknown>,
    }));
  } finally {
    db.close();
  }
}

test('a restart with another strategy or other data is refused, the difference shown, nothing written', async (t) => {
  const db = join(tempDir(t), 'book.db');
  // 40 bars of sma-cross 5/15 end long 10 ORCL.
  const first = summaryOf(await paper(db, [...SMA, '--max-cycles', '40']));
  assert.deepEqual(first.venue.positions, { ORCL: 10 });
  assert.equal(first.book.action, 'create');
  const before = footprint(db);

  const rsi = await paper(db, ['--strategy', 'rsi', '--period', '14', '--lower', '30', '--upper', '70', '--max-cycles', '10']);
  assert.equal(rsi.code, 1, rsi.stderr);
  assert.equal(rsi.stdout, '');
  assert.match(rsi.stderr, /error: E_PAPER_BOOK_MISMATCH: this paper book was started as sma-cross \{"fast":5,"slow":15\} on ORCL, cash 10000; this start differs: strategy: sma-cross -> rsi; strategy params: \{"fast":5,"slow":15\} -> \{"lower":30,"period":14,"upper":70\}/);
  assert.match(rsi.stderr, /--adopt/);

  const params = await paper(db, ['--fast', '5', '--slow', '20', '--max-cycles', '10']);
  assert.equal(params.code, 1);
  assert.match(params.stderr, /strategy params: \{"fast":5,"slow":15\} -> \{"fast":5,"slow":20\}/);

  // Other data under the same symbol: the content differs.
  const other = join(tempDir(t), 'orcl.csv');
  const lines = readFileSync(SAMPLE_DATA, 'utf8').split('\n');
  lines[5] = lines[5]!.replace(/,(\d+)$/, (_m, v: string) => `,${Number(v) + 1}`);
  writeFileSync(other, lines.join('\n'));
  const data = await paper(db, [...SMA, '--data', other, '--symbols', 'ORCL', '--max-cycles', '10']);
  assert.equal(data.code, 1, data.stderr);
  assert.match(data.stderr, /E_PAPER_BOOK_MISMATCH: .*data ORCL: .*orcl-1995-2014\.txt \(\d+ bytes, sha256 [0-9a-f]{12}\) -> .*orcl\.csv \(\d+ bytes, sha256 [0-9a-f]{12}\)/);

  const cash = await paper(db, [...SMA, '--cash', '20000', '--max-cycles', '10']);
  assert.equal(cash.code, 1);
  assert.match(cash.stderr, /starting cash: 10000 -> 20000/);

  assert.equal(footprint(db), before, 'a refused start wrote nothing');

  // The same data copied elsewhere is the same book: content, not path.
  const copy = join(tempDir(t), 'orcl-1995-2014.txt');
  copyFileSync(SAMPLE_DATA, copy);
  const same = summaryOf(await paper(db, [...SMA, '--data', copy, '--symbols', 'ORCL', '--max-cycles', '10']));
  assert.equal(same.book.action, 'same');
  assert.equal(same.resumedAfter, first.lastBarTime);
  assertBooksSound(readBooks(db));
});

test('--adopt takes the book over: the positions are listed in the output and the audit log, and the new identity sticks', async (t) => {
  const db = join(tempDir(t), 'book.db');
  summaryOf(await paper(db, [...SMA, '--max-cycles', '40']));
  const closeSma = ['--strategy', 'close-sma', '--period', '10'];
  const f = await paper(db, [...closeSma, '--adopt', '--max-cycles', '1']);
  const s = summaryOf(f);
  assert.equal(s.book.action, 'adopt');
  assert.deepEqual(s.book.positionsTakenOver, { ORCL: 10 });
  assert.deepEqual(s.book.differences, ['strategy: sma-cross -> close-sma', 'strategy params: {"fast":5,"slow":15} -> {"period":10}']);
  assert.match(f.stderr, /book adopted \(strategy: sma-cross -> close-sma; .*\): positions taken over: ORCL 10; working orders taken over: 0/);

  const audit = bookAuditRecords(db);
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.kind, 'paper.book.adopt');
  assert.deepEqual(audit[0]!.payload.positions, { ORCL: 10 });
  assert.equal((audit[0]!.payload.previous as { strategy: string }).strategy, 'sma-cross');
  assert.equal((audit[0]!.payload.current as { strategy: string }).strategy, 'close-sma');

  // The book is close-sma's now: it restarts without a flag, and sma-cross is the stranger.
  assert.equal(summaryOf(await paper(db, [...closeSma, '--max-cycles', '5'])).book.action, 'same');
  const back = await paper(db, [...SMA, '--max-cycles', '5']);
  assert.equal(back.code, 1);
  assert.match(back.stderr, /E_PAPER_BOOK_MISMATCH: this paper book was started as close-sma/);
  assertBooksSound(readBooks(db));
});

test('--new-book is refused while the book holds a position; from a flat book it starts afresh, audited, history kept', async (t) => {
  const db = join(tempDir(t), 'book.db');
  summaryOf(await paper(db, [...SMA, '--max-cycles', '40']));
  const rsi = ['--strategy', 'rsi', '--period', '14', '--lower', '30', '--upper', '70'];
  const before = footprint(db);
  const refused = await paper(db, [...rsi, '--new-book', '--max-cycles', '5']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /E_PAPER_BOOK_MISMATCH: --new-book refused: the book in this database is not flat \(positions ORCL 10\)/);
  assert.equal(footprint(db), before);

  // 20 more bars of sma-cross close the position (flat after 60 bars in all).
  const flat = summaryOf(await paper(db, [...SMA, '--max-cycles', '20']));
  assert.deepEqual(flat.venue.positions, {});
  const ordersBefore = readBooks(db).intents.length;

  const s = summaryOf(await paper(db, [...rsi, '--new-book', '--max-cycles', '30']));
  assert.equal(s.book.action, 'new');
  assert.equal(s.resumedAfter, null, 'the new book replays its data from the first bar');
  assert.equal(s.lastBarTime, '1995-02-13T00:00:00.000Z', 'the 30th bar of the data');
  assert.equal(s.venue.cash, flat.venue.cash, 'the account keeps its cash');
  assert.deepEqual(bookAuditRecords(db).map((r) => r.kind), ['paper.book.new']);
  const books = readBooks(db);
  assert.ok(books.intents.length >= ordersBefore, 'the old book\'s orders stay');
  assertBooksSound(books);
  assert.equal(summaryOf(await paper(db, [...rsi, '--max-cycles', '5'])).book.action, 'same');
});

test('--adopt and --new-book together are refused', async (t) => {
  const f = await paper(join(tempDir(t), 'book.db'), [...SMA, '--adopt', '--new-book']);
  assert.equal(f.code, 1);
  assert.match(f.stderr, /E_CFG_INVALID: --adopt and --new-book/);
});
