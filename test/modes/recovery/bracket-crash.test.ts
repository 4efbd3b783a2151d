// A bracket's crash gap, with real processes: `ordinis paper` trading a bracket strategy is
// SIGKILLed right after the venue took the bracket's entry (exec.after_submit, the first
// order), before its stop-loss and take-profit were sent. EXEC wrote the children's intents
// with the entry's, before sending it, so they are on file, pending.
//   - restarted: recovery finds the entry by its client order id and sends the two children
//     it never sent, once each; the run then ends exactly as an uninterrupted one (same
//     orders, same fills, same cash): the entry's position was protected all along.
//   - restarted with the kill switch activated meanwhile: nothing new is sent; the entry is
//     canceled at the venue before it could fill, the children closed, a warning says so.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PaperRunSummary } from '../../../src/modes/paper/paper-runtime.ts';
import { CRASH_ENV, CRASH_SEAMS_PRELOAD } from '../../support/crash-points.ts';
import { runCli, type Finished } from '../paper/cli-process.ts';
import { assertBooksSound, fillTape, readBooks, type Books } from '../paper/paper-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'ordinis-bracket-crash-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// Flat with nothing working: buy 10 at the next open with a stop-loss 5% under the close and a
// take-profit 5% over it. Half a year of ORCL closes many brackets both ways.
const STRATEGY = join(dir, 'bracket-on-flat.mjs');
writeFileSync(
  STRATEGY,
  `export default {
  id: 'bracket-on-flat',
  version: '1.0.0',
  features: () => [{ kind: 'field', name: 'px', field: 'close' }],
  decide: (v, _memory, _params, book) => {
    if (book.position.qty !== 0 || book.openOrders.length > 0) return null;
    const px = v.features.px;
    return { reason: 'enter', orders: [{ side: 'buy', qty: 10, bracket: { stopLoss: px * 0.95, takeProfit: px * 1.05 } }] };
  },
};
`,
);
const PAPER_ARGS = ['--log-level', 'warn', 'paper', '--strategy', STRATEGY, '--to', '1995-06-30', '--cash', '10000', '--json'];

function paper(db: string, crashAt?: string): Promise<Finished> {
  return crashAt ? runCli([...PAPER_ARGS, '--db', db], { [CRASH_ENV]: crashAt }, { preload: [CRASH_SEAMS_PRELOAD] }) : runCli([...PAPER_ARGS, '--db', db]);
}

function summaryOf(f: Finished): PaperRunSummary {
  assert.equal(f.code, 0, `paper exited ${f.code} (${f.signal}); stderr:\n${f.stderr.slice(-3000)}`);
  return JSON.parse(f.stdout.trim().split('\n').at(-1)!) as PaperRunSummary;
}

/** Killed right after the venue took the first order, the bracket's entry: the entry and its two children pending on file. */
async function crashAfterEntry(db: string): Promise<{ entry: string; children: string[] }> {
  const f = await paper(db, 'exec.after_submit:1');
  assert.equal(f.signal, 'SIGKILL', `expected a SIGKILL; exited ${f.code}; stderr:\n${f.stderr.slice(-2000)}`);
  const k = readBooks(db);
  assert.equal(k.venueOrders.length, 1, 'the venue has the entry only');
  const entry = k.venueOrders[0]!.intent.clientOrderId;
  assert.deepEqual(k.intents.map((r) => r.status), ['pending', 'pending', 'pending'], 'the entry and both children are on file, unanswered');
  const children = k.intents.filter((r) => r.intent.parentId === entry);
  assert.deepEqual(children.map((r) => r.intent.orderType).sort(), ['limit', 'stop'], 'the stop-loss and the take-profit, naming their entry');
  return { entry, children: children.map((r) => r.intent.clientOrderId) };
}

function kill(db: string): Promise<Finished> {
  return runCli(['kill', 'activate', '--reason', 'operator stop during the outage', '--actor', 'ops', '--db', db]);
}

describe('a crash between a bracket entry and its children', { concurrency: 2 }, () => {
  let baseline: Books;
  before(async () => {
    const db = join(dir, 'baseline.db');
    summaryOf(await paper(db));
    baseline = readBooks(db);
    assertBooksSound(baseline);
    assert.ok(baseline.venueFills.length >= 10, `the baseline should trade; ${baseline.venueFills.length} fills`);
  });

  it('restart: recovery finds the entry and sends the two children once; the run ends as an uninterrupted one', async () => {
    const db = join(dir, 'sent.db');
    const k = await crashAfterEntry(db);
    const s = summaryOf(await paper(db));
    assert.match(s.recovery.summary, /1 pending answered, 0 pending not received, 2 bracket child\(ren\) sent/);
    const books = readBooks(db);
    assertBooksSound(books);
    for (const id of k.children) {
      const at = books.venueOrders.filter((o) => o.intent.clientOrderId === id);
      assert.equal(at.length, 1, `child ${id} reached the venue once`);
      assert.equal(at[0]!.intent.parentId, k.entry);
    }
    const entry = books.venueOrders.find((o) => o.intent.clientOrderId === k.entry)!;
    assert.equal(entry.report.status, 'filled');
    // The position the entry opened was protected: one child filled, the other was canceled with it.
    const outcomes = k.children.map((id) => books.venueOrders.find((o) => o.intent.clientOrderId === id)!.report.status).sort();
    assert.deepEqual(outcomes, ['canceled', 'filled']);
    assert.deepEqual(fillTape(books), fillTape(baseline), 'same fills as the uninterrupted run');
    assert.equal(books.venueOrders.length, baseline.venueOrders.length, 'same orders at the venue');
    assert.equal(books.venueCash, baseline.venueCash);
    assert.deepEqual(books.venuePositions, baseline.venuePositions);
  });

  it('restart with the kill switch active: nothing new is sent, the entry is canceled unfilled, the children closed, a warning says so', async () => {
    const db = join(dir, 'killed.db');
    const k = await crashAfterEntry(db);
    assert.equal((await kill(db)).code, 0);
    const f = await paper(db);
    const s = summaryOf(f);
    assert.match(s.recovery.summary, /1 pending answered, 2 pending not received/);
    assert.match(f.stderr, new RegExp(`bracket ${k.entry}: kill switch ACTIVE at start-up, child ord-\\w+ not sent; the entry was canceled at the broker unfilled`));
    const books = readBooks(db);
    assertBooksSound(books);
    assert.equal(books.venueOrders.length, 1, 'the children never reached the venue');
    assert.equal(books.venueOrders[0]!.report.status, 'canceled');
    assert.deepEqual([books.venueFills, books.venuePositions], [[], {}], 'no fill, no unprotected position');
    // The first child met the switch and canceled the entry; the second found the entry canceled.
    const why = k.children.map((id) => books.intents.find((r) => r.intent.clientOrderId === id)!.lastReport!.rejectReason!);
    assert.match(why[0]!, /kill switch active at start-up recovery: bracket child not sent; its entry ord-\w+ canceled$/);
    assert.match(why[1]!, new RegExp(`bracket entry ${k.entry} ended canceled without a fill; not sent$`));
  });
});
