// Crash tests with real processes: `ordinis paper` is SIGKILLed at chosen points inside a
// cycle (TEST_ORDINIS_CRASH_AT, see test/support/crash-seams.ts), then restarted with the
// same command and run to the end of the data. Whatever the crash point:
//   - no order reaches the venue twice (each client order id once; venue orders = our
//     intents minus those closed as never received; no decision sent under two ids);
//   - no fill is lost or posted twice (venue fills = ledger fills, each posted once);
//   - the ledger replays to the venue's account; the audit chain verifies;
//   - the interrupted run is marked aborted with a reason;
//   - the final result equals an uninterrupted run's on the same data (same fills, same cash).

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../src/persistence/database.ts';
import type { PaperRunSummary } from '../../../src/modes/paper/paper-runtime.ts';
import { ABORT_REASON } from '../../../src/modes/recovery/recovery.ts';
import { CRASH_ENV, CRASH_SEAMS_PRELOAD } from '../../support/crash-points.ts';
import { runCli, type Finished } from '../paper/cli-process.ts';
import { assertBooksSound, fillTape, readBooks, type Books } from '../paper/paper-support.ts';

const PAPER_ARGS = ['--log-level', 'warn', 'paper', '--to', '1996-06-30', '--fast', '5', '--slow', '15', '--qty', '10', '--cash', '10000', '--json'];

const dir = mkdtempSync(join(tmpdir(), 'ordinis-crash-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function paper(db: string, crashAt?: string): Promise<Finished> {
  return crashAt ? runCli([...PAPER_ARGS, '--db', db], { [CRASH_ENV]: crashAt }, { preload: [CRASH_SEAMS_PRELOAD] }) : runCli([...PAPER_ARGS, '--db', db]);
}

function summaryOf(f: Finished): PaperRunSummary {
  assert.equal(f.code, 0, `paper exited ${f.code} (${f.signal}); stderr:\n${f.stderr.slice(-3000)}`);
  return JSON.parse(f.stdout.trim().split('\n').at(-1)!) as PaperRunSummary;
}

async function crash(db: string, at: string): Promise<{ books: Books; running: string[] }> {
  const f = await paper(db, at);
  assert.equal(f.signal, 'SIGKILL', `expected a SIGKILL at ${at}; exited ${f.code}; stderr:\n${f.stderr.slice(-2000)}`);
  assert.equal(f.stdout, '', 'a killed process prints no summary');
  const books = readBooks(db);
  return { books, running: runningRuns(db) };
}

/** Ids of the runs still marked running (the cycle a crash interrupted). */
function runningRuns(path: string): string[] {
  const db = openDatabase({ path });
  try {
    return db.handle.prepare("SELECT run_id FROM runs WHERE status = 'running'").pluck().all() as string[];
  } finally {
    db.close();
  }
}

let baseline: { summary: PaperRunSummary; books: Books };

function assertLikeBaseline(books: Books, summary: PaperRunSummary): void {
  assertBooksSound(books);
  assert.equal(summary.status, 'finished');
  assert.equal(summary.endReason, 'data_exhausted');
  assert.equal(summary.lastBarTime, baseline.summary.lastBarTime);
  assert.deepEqual(fillTape(books), fillTape(baseline.books), 'same fills as the uninterrupted run');
  assert.equal(books.venueCash, baseline.books.venueCash, 'same final cash');
  assert.deepEqual(books.venuePositions, baseline.books.venuePositions);
  assert.equal(books.venueOrders.length, baseline.books.venueOrders.length, 'same number of orders at the venue');
}

function assertAborted(books: Books, interrupted: string[], summary: PaperRunSummary): void {
  assert.equal(interrupted.length, 1, `one cycle was in flight at the crash, found ${interrupted.length}`);
  const run = books.runs.aborted.find((r) => r.runId === interrupted[0]);
  assert.ok(run, `run ${interrupted[0]} is marked aborted`);
  assert.equal(run.abortReason, ABORT_REASON);
  assert.ok(run.finishedAt);
  assert.ok(summary.recovery.abortedRuns.includes(interrupted[0]!));
}

describe('crash-only recovery with real processes', { concurrency: 3 }, () => {
  before(async () => {
    const db = join(dir, 'baseline.db');
    const summary = summaryOf(await paper(db));
    baseline = { summary, books: readBooks(db) };
    assertBooksSound(baseline.books);
    assert.ok(baseline.books.venueFills.length >= 10, `the baseline should trade; ${baseline.books.venueFills.length} fills`);
  });

  it('exec.after_persist: an intent committed but never sent is closed as not received and not resent', async () => {
    const db = join(dir, 'after-persist.db');
    const k = await crash(db, 'exec.after_persist:3');
    const pending = k.books.intents.filter((r) => r.status === 'pending');
    assert.equal(pending.length, 1, 'the crash left one intent without an answer');
    assert.ok(!k.books.venueOrders.some((o) => o.intent.clientOrderId === pending[0]!.intent.clientOrderId), 'the venue never saw it');
    assert.equal(k.books.venueOrders.length, 2);

    const s = summaryOf(await paper(db));
    assert.equal(s.recovery.pendingOrders, 1);
    const books = readBooks(db);
    const closed = books.intents.find((r) => r.intent.clientOrderId === pending[0]!.intent.clientOrderId)!;
    assert.equal(closed.status, 'canceled');
    assertAborted(books, k.running, s);
    assertLikeBaseline(books, s);
  });

  it('exec.after_submit: the venue took the order, our answer was lost: resolved by query, never resubmitted', async () => {
    const db = join(dir, 'after-submit.db');
    const k = await crash(db, 'exec.after_submit:4');
    const pending = k.books.intents.filter((r) => r.status === 'pending');
    assert.equal(pending.length, 1);
    const id = pending[0]!.intent.clientOrderId;
    assert.ok(k.books.venueOrders.some((o) => o.intent.clientOrderId === id), 'the venue has the order');
    assert.equal(pending[0]!.auditRef, null, 'its submission audit record was never written');

    const s = summaryOf(await paper(db));
    assert.equal(s.recovery.pendingOrders, 1);
    const books = readBooks(db);
    const rec = books.intents.find((r) => r.intent.clientOrderId === id)!;
    assert.notEqual(rec.status, 'pending');
    assert.match(rec.brokerOrderId ?? '', /^paper-4$/);
    assert.equal(books.venueOrders.filter((o) => o.intent.clientOrderId === id).length, 1);
    assertAborted(books, k.running, s);
    assertLikeBaseline(books, s);
  });

  it('port.before_commit: the venue filled, the ledger had not posted it: the fill is posted once at recovery', async () => {
    const db = join(dir, 'before-commit.db');
    const k = await crash(db, 'port.before_commit:5');
    assert.equal(k.books.venueFills.length, 5);
    assert.equal(k.books.ledgerPostings.size, 4, 'the ledger lacks the fifth fill');

    const s = summaryOf(await paper(db));
    assert.equal(s.recovery.postedFills, 1, 'recovery posted the missing fill');
    const books = readBooks(db);
    assertAborted(books, k.running, s);
    assertLikeBaseline(books, s);
  });

  it('cycle.mid: killed between RISK and EXEC; the cycle is run again from its bar', async () => {
    const db = join(dir, 'mid.db');
    const k = await crash(db, 'cycle.mid:100');
    // That cycle's RISK decided nothing, so it had written nothing durable: its run row, which
    // goes out with a cycle's first commit, was never written, and there is nothing to abort.
    assert.equal(k.books.runs.running, 0);
    const s = summaryOf(await paper(db));
    assert.ok(s.resumedAfter !== null && s.warmupBars === 99, `resumed after 99 finished cycles (warm-up ${s.warmupBars})`);
    assert.deepEqual(s.recovery.abortedRuns, []);
    assertLikeBaseline(readBooks(db), s);
  });

  it('two crashes in a row (after a submit, then before a ledger commit), then a clean finish', async () => {
    const db = join(dir, 'double.db');
    const k1 = await crash(db, 'exec.after_submit:2');
    const k2 = await crash(db, 'port.before_commit:4');
    assert.equal(k2.books.runs.aborted.length, 1, 'the second start aborted the first crash\'s run');
    const s = summaryOf(await paper(db));
    const books = readBooks(db);
    assert.equal(books.runs.aborted.length, 2);
    for (const id of [...k1.running, ...k2.running]) assert.equal(books.runs.aborted.find((r) => r.runId === id)?.abortReason, ABORT_REASON);
    assertLikeBaseline(books, s);
  });
});
