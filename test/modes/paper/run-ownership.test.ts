// Run ownership with real processes: every run row names its owner (pid, start time, host),
// so start-up recovery aborts a run left 'running' only when its owner is gone, and the run
// list shows such a run as stale. An `ordinis backtest` on a long generated series shares a
// database with `ordinis paper`:
//   - while the backtest runs, a paper start leaves its run alone and `runs list` shows it live;
//   - once the backtest is SIGKILLed, `runs list` shows its run stale, and the next paper
//     start marks it aborted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../../src/persistence/database.ts';
import type { RunView } from '../../../src/kernel/run-liveness.ts';
import type { PaperRunSummary } from '../../../src/modes/paper/paper-runtime.ts';
import { ABORT_REASON } from '../../../src/modes/recovery/recovery.ts';
import { runCli, startCli, type Finished } from './cli-process.ts';
import { tempDir } from './paper-support.ts';

// The generated bars start in 1970: keep retention from ageing this test's rows away.
const KEEP = { ORDINIS_AUDIT_RETENTION_DAYS: '36500', ORDINIS_DB_RETENTION_DAYS: '36500' };

/**
 * A daily random walk of `bars` bars from 1970-01-01, deterministic (a fixed LCG): long
 * enough that the backtest is still running while the test starts paper runs beside it.
 */
function writeLongSeries(path: string, bars: number): void {
  const lines = ['Date,Open,High,Low,Close,Adj Close,Volume'];
  let price = 100;
  let x = 12345;
  for (let i = 0; i < bars; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    price = Math.max(1, price * (1 + (x / 2147483648 - 0.5) * 0.04));
    const day = new Date(i * 86_400_000).toISOString().slice(0, 10);
    const p = price.toFixed(4);
    lines.push(`${day},${p},${(price * 1.01).toFixed(4)},${(price * 0.99).toFixed(4)},${p},${p},1000`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** The backtest's run row once it is on file and running (the backtest is mid-run). */
async function waitForRunningBacktest(path: string, timeoutMs = 60_000): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  let last = '';
  while (performance.now() < deadline) {
    try {
      const db = openDatabase({ path, readonly: true });
      try {
        const id = db.handle.prepare("SELECT run_id FROM runs WHERE kind = 'backtest' AND status = 'running'").pluck().get() as string | undefined;
        if (id !== undefined) return id;
      } finally {
        db.close();
      }
    } catch (e) {
      last = (e as Error).message; // not created or not migrated yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no running backtest row in ${path} within ${timeoutMs} ms (${last})`);
}

function paper(db: string): Promise<Finished> {
  return runCli(['--log-level', 'warn', 'paper', '--db', db, '--max-cycles', '3', '--json'], KEEP);
}

function summaryOf(f: Finished): PaperRunSummary {
  assert.equal(f.code, 0, `paper exited ${f.code} (${f.signal}); stderr:\n${f.stderr.slice(-3000)}`);
  return JSON.parse(f.stdout.trim().split('\n').at(-1)!) as PaperRunSummary;
}

async function listedRun(db: string, runId: string): Promise<{ json: RunView; text: string }> {
  const json = await runCli(['runs', 'list', '--db', db, '--json'], KEEP);
  assert.equal(json.code, 0, json.stderr);
  const run = (JSON.parse(json.stdout) as { runs: RunView[] }).runs.find((r) => r.runId === runId);
  assert.ok(run, `runs list shows ${runId}`);
  const text = await runCli(['runs', 'list', '--db', db], KEEP);
  assert.equal(text.code, 0, text.stderr);
  const line = text.stdout.split('\n').find((l) => l.startsWith(runId));
  assert.ok(line, `the table lists ${runId}:\n${text.stdout}`);
  return { json: run, text: line };
}

test('a backtest in another process: paper leaves its live run alone; SIGKILLed, it is listed stale and the next paper start aborts it', async (t) => {
  const dir = tempDir(t, 'ordinis-run-owner-');
  const db = join(dir, 'shared.db');
  const data = join(dir, 'LONG.csv');
  writeLongSeries(data, 300_000);

  const bt = startCli(['--log-level', 'warn', 'backtest', '--data', data, '--db', db, '--json'], KEEP);
  t.after(() => bt.child.kill('SIGKILL'));
  const runId = await waitForRunningBacktest(db);

  // 1. The backtest is alive: a paper start's recovery must not touch its run.
  const s1 = summaryOf(await paper(db));
  assert.equal(bt.child.exitCode, null, 'the backtest outlived the paper run (the premise of this check)');
  assert.ok(!s1.recovery.abortedRuns.includes(runId), `paper aborted the live backtest ${runId}`);
  // Frozen from here (alive, not finishing), so the listing below cannot race its end. The
  // list only reads, and readers never wait for a writer in WAL mode.
  bt.child.kill('SIGSTOP');
  const live = await listedRun(db, runId);
  assert.equal(live.json.status, 'running');
  assert.equal(live.json.owner?.pid, bt.child.pid, 'the row names the backtest process');
  assert.equal(live.json.ownerState, 'alive');
  assert.equal(live.json.stale, false);
  assert.doesNotMatch(live.text, /stale/);

  // 2. Killed mid-run: the row still says running, and the list says it is stale.
  bt.child.kill('SIGKILL');
  const f = await bt.done;
  assert.equal(f.signal, 'SIGKILL');
  const stale = await listedRun(db, runId);
  assert.equal(stale.json.status, 'running', 'only recovery changes the row');
  assert.equal(stale.json.ownerState, 'gone');
  assert.equal(stale.json.stale, true);
  assert.match(stale.text, /running \(stale\)/);
  const show = await runCli(['runs', 'show', runId, '--db', db], KEEP);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /^status +running \(stale\)$/m);
  assert.match(show.stdout, new RegExp(`^owner +pid ${bt.child.pid} on `, 'm'));

  // 3. The next paper start aborts it, with the reason.
  const s2 = summaryOf(await paper(db));
  assert.ok(s2.recovery.abortedRuns.includes(runId), `recovery aborted ${runId}: ${JSON.stringify(s2.recovery)}`);
  const h = openDatabase({ path: db, readonly: true });
  try {
    const row = h.runs.getRun(runId)!;
    assert.equal(row.status, 'aborted');
    assert.equal(row.abortReason, ABORT_REASON);
    assert.deepEqual(h.runs.listRunning(), [], 'nothing else left running');
  } finally {
    h.close();
  }
});
