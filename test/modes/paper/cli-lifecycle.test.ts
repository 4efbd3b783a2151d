// `ordinis paper` and `ordinis serve` as real processes: graceful shutdown on SIGTERM, the
// ops API alongside a paper run, serve-only readiness, and a refused start.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../../src/persistence/database.ts';
import { SqliteRuntimeStateStore } from '../../../src/persistence/sqlite-runtime-state-store.ts';
import type { PaperRunSummary } from '../../../src/modes/paper/paper-summary.ts';
import { OWNER_KEY } from '../../../src/modes/paper/owner-lease.ts';
import { CURSOR_KEY } from '../../../src/modes/paper/resume-cursor.ts';
import { SERVE_NOT_READY } from '../../../src/cli/actions/serve.ts';
import { runCli, startCli } from './cli-process.ts';
import { assertBooksSound, readBooks, tempDir } from './paper-support.ts';

const PORT_LINE = /"port":(\d+)[^\n]*"msg":"ops API listening"/;

async function getJson(port: number, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // text routes (/metrics)
  }
  return { status: res.status, body };
}

test('paper --serve: ready while trading; SIGTERM stops after the running cycle, exits 0, leaves a clean database', async (t) => {
  const db = join(tempDir(t), 'graceful.db');
  const p = startCli(['--log-level', 'info', 'paper', '--db', db, '--speed', '40', '--fast', '5', '--slow', '15', '--serve', '--json'], { ORDINIS_API_PORT: '0' });
  t.after(() => p.child.kill('SIGKILL'));
  const port = Number((await p.waitFor(PORT_LINE))[1]);
  await p.waitFor(/"msg":"paper runtime started"/);

  const ready = await getJson(port, '/readyz');
  assert.equal(ready.status, 200, JSON.stringify(ready.body));
  assert.deepEqual(ready.body, { ready: true, reasons: [] });
  await new Promise((r) => setTimeout(r, 400));
  const status = await getJson(port, '/status');
  assert.equal(status.status, 200);
  assert.equal(status.body.engine.mode, 'paper');
  assert.equal(status.body.engine.runtime.state, 'running');
  assert.equal(status.body.engine.runtime.scheduler.cadence, 'interval');
  const metrics = await getJson(port, '/metrics');
  assert.match(String(metrics.body), /ordinis_cycles_total\{status="ok"\} [1-9]/);

  p.child.kill('SIGTERM');
  const f = await p.done;
  assert.equal(f.signal, null);
  assert.equal(f.code, 0, f.stderr.slice(-2000));
  const s = JSON.parse(f.stdout.trim()) as PaperRunSummary;
  assert.equal(s.status, 'stopped');
  assert.equal(s.endReason, 'stopped');
  assert.ok(s.cycles.total >= 5, `${s.cycles.total} cycles before the signal`);
  assert.match(f.stderr, /"signal":"SIGTERM"[^\n]*stopping/);

  // Closed cleanly: no run left running, the lease released, the cursor at the last bar.
  const books = readBooks(db);
  assertBooksSound(books);
  const reopened = openDatabase({ path: db });
  const state = SqliteRuntimeStateStore.on(reopened);
  assert.equal(state.get(OWNER_KEY), undefined);
  assert.equal(new Date(state.get<{ lastBarTs: number }>(CURSOR_KEY)!.value.lastBarTs).toISOString(), s.lastBarTime);
  assert.equal(reopened.runs.listRuns({ status: 'running' }).length, 0);
  reopened.close();

  // And it resumes where it stopped, with nothing to repair.
  const again = await runCli(['--log-level', 'warn', 'paper', '--db', db, '--fast', '5', '--slow', '15', '--max-cycles', '3', '--json']);
  assert.equal(again.code, 0, again.stderr);
  const s2 = JSON.parse(again.stdout.trim()) as PaperRunSummary;
  assert.equal(s2.resumedAfter, s.lastBarTime);
  assert.deepEqual(s2.recovery.abortedRuns, []);
  assert.equal(s2.recovery.pendingOrders, 0);
  assert.equal(s2.endReason, 'max_cycles');
  assert.equal(s2.cycles.total, 3);
});

test('serve: the ops API without cycles; /readyz says so; SIGTERM closes cleanly', async (t) => {
  const db = join(tempDir(t), 'serve.db');
  const p = startCli(['--log-level', 'info', 'serve', '--db', db], { ORDINIS_API_PORT: '0' });
  t.after(() => p.child.kill('SIGKILL'));
  const port = Number((await p.waitFor(PORT_LINE))[1]);
  assert.equal((await getJson(port, '/healthz')).status, 200);
  const ready = await getJson(port, '/readyz');
  assert.equal(ready.status, 503);
  assert.deepEqual(ready.body, { ready: false, reasons: [SERVE_NOT_READY] });
  const status = await getJson(port, '/status');
  assert.equal(status.body.engine.state, 'serving');
  assert.equal(status.body.kill.state, 'INACTIVE');
  assert.match(String((await getJson(port, '/metrics')).body), /ordinis_kill_switch_active 0/);
  assert.equal((await getJson(port, '/audit/verify')).status, 200);
  p.child.kill('SIGTERM');
  const f = await p.done;
  assert.equal(f.code, 0, f.stderr.slice(-2000));
  assert.equal(f.signal, null);
});

test('paper refuses to start on a broken audit chain: exit 1 with the reasons; with --serve the API stays up with /readyz 503', async (t) => {
  const db = join(tempDir(t), 'refused.db');
  const first = await runCli(['--log-level', 'warn', 'paper', '--db', db, '--max-cycles', '30', '--fast', '5', '--slow', '15', '--json']);
  assert.equal(first.code, 0, first.stderr);
  const raw = openDatabase({ path: db });
  raw.handle.exec('DROP TRIGGER audit_log_no_update');
  raw.handle.prepare('UPDATE audit_log SET actor = ? WHERE seq = 2').run('someone else');
  assert.equal(raw.handle.prepare('SELECT actor FROM audit_log WHERE seq = 2').pluck().get(), 'someone else');
  raw.close();

  const refused = await runCli(['--log-level', 'warn', 'paper', '--db', db, '--fast', '5', '--slow', '15', '--json']);
  assert.equal(refused.code, 1);
  assert.equal(refused.stdout, '');
  assert.match(refused.stderr, /error: E_RECOVERY_FAILED: start-up recovery failed; trading refused: audit_chain: audit chain broken at seq 2/);

  const p = startCli(['--log-level', 'info', 'paper', '--db', db, '--fast', '5', '--slow', '15', '--serve'], { ORDINIS_API_PORT: '0' });
  t.after(() => p.child.kill('SIGKILL'));
  const port = Number((await p.waitFor(PORT_LINE))[1]);
  await p.waitFor(/ops API stays up/);
  const ready = await getJson(port, '/readyz');
  assert.equal(ready.status, 503);
  assert.match(ready.body.reasons[0], /^recovery failed: audit_chain: audit chain broken at seq 2/);
  const status = await getJson(port, '/status');
  assert.equal(status.body.engine.runtime.state, 'refused');
  p.child.kill('SIGTERM');
  const f = await p.done;
  assert.equal(f.code, 1);
  assert.match(f.stderr, /E_RECOVERY_FAILED/);
});
