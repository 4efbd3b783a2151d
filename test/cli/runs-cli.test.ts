// `ordinis runs list|show` against a real backtest written by `ordinis backtest`, plus a
// failed cycle seeded straight into the same file.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../src/persistence/database.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate } from '../../src/persistence/migrations.ts';
import { STAGE_ORDER } from '../../src/kernel/stage-contract.ts';
import { cli, columnOf, failsWith, okJson, okText, tempDbPath } from './cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'ordinis-cli-runs-'));
const DB = join(dir, 'runs.db');
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

let bt: {
  runId: string; status: string; bars: number; orders: number; trades: number; finalValue: number; maxDrawdownPct: number;
  cycles: Record<string, number>;
};
/** The backtest's stored cycle runs, newest first, and those with status ok (set by the first test). */
let childIds: string[] = [];
let okChildIds: string[] = [];
let childStatuses: string[] = [];
const FAILED = 'cycle-failed-1';

before(async () => {
  // The bundled ORCL sample, two years only, to keep it fast.
  bt = okJson(await cli(['backtest', '--db', DB, '--to', '1996-12-31', '--json']));
  assert.equal(bt.status, 'ok');
  assert.ok(bt.bars > 400 && bt.orders > 0 && bt.trades > 0);

  // A failed top-level cycle, newer than the backtest, whose note carries an escape sequence.
  const db = openDatabase({ path: DB });
  try {
    db.runs.startRun({
      runId: FAILED, mode: 'paper', kind: 'cycle', startedAt: '2025-01-06T14:30:00.000Z', finishedAt: null, status: 'running',
      errorCodes: [], configSnapshotRef: null, codeVersion: '0.1.0', commitHash: 'abc1234', parentRunId: null, abortReason: null,
    });
    const stage = (name: string, over: Record<string, unknown> = {}) => ({
      stage: name, status: 'ok', attempts: 1, durationMs: 1.25, errorCode: null, note: null, retryDelaysMs: [], output: null, ...over,
    });
    db.runs.putArtifact({
      runId: FAILED, kind: 'cycle_result', schemaVersion: '1.0.0', commitHash: 'abc1234',
      content: {
        schemaVersion: '1.0.0', correlationId: FAILED, traceId: '0'.repeat(32), mode: 'paper', trigger: 'schedule',
        cycleTime: '2025-01-06T14:30:00.000Z', status: 'failed', startedAt: '2025-01-06T14:30:00.000Z', finishedAt: '2025-01-06T14:30:00.300Z',
        durationMs: 300, blockReason: null, timedOut: false,
        errors: [{ code: 'E_EXEC_BROKER_UNAVAILABLE', message: 'broker down', retryable: true, stage: 'EXEC' }],
        stageResults: STAGE_ORDER.map((s) =>
          s === 'EXEC' ? stage(s, { status: 'failed', attempts: 3, durationMs: 250.5, errorCode: 'E_EXEC_BROKER_UNAVAILABLE' })
          : s === 'PORT' || s === 'ANA' ? stage(s, { status: 'skipped', attempts: 0, durationMs: 0, note: 'after EXEC failed\u001b[2J' })
          : stage(s)),
      },
    });
    db.runs.finishRun(FAILED, { finishedAt: '2025-01-06T14:30:00.300Z', status: 'failed', errorCodes: ['E_EXEC_BROKER_UNAVAILABLE'] });
  } finally {
    db.close();
  }
});

test('runs list: top-level runs newest first, as a table and as JSON; the backtest cycles only on request', async () => {
  const [json, text, all, children, viaEnv] = await Promise.all([
    cli(['runs', 'list', '--db', DB, '--json']),
    cli(['runs', 'list', '--db', DB]),
    cli(['runs', 'list', '--db', DB, '--all', '--limit', '3', '--json']),
    cli(['runs', 'list', '--db', DB, '--parent', bt.runId, '--kind', 'cycle', '--limit', '1000', '--json']),
    cli(['runs', 'list', '--status', 'failed', '--json'], { env: { ORDINIS_DB_PATH: DB } }),
  ]);

  const j = okJson(json);
  assert.equal(j.limit, 50);
  assert.deepEqual(j.runs.map((r: { runId: string }) => r.runId), [FAILED, bt.runId]);
  const row = j.runs[1];
  assert.equal(row.kind, 'backtest');
  assert.equal(row.mode, 'backtest');
  assert.equal(row.status, 'ok');
  assert.equal(row.parentRunId, null);
  assert.match(row.configSnapshotRef, /^cfg:[0-9a-f]{16}$/);
  assert.deepEqual(j.runs[0].errorCodes, ['E_EXEC_BROKER_UNAVAILABLE']);

  const out = okText(text);
  const lines = out.split('\n');
  const header = lines[0];
  assert.match(header, /^RUN ID\s+KIND\s+MODE\s+STATUS\s+STARTED\s+DURATION\s+STRATEGY\s+PARAMS\s+SYMBOLS\s+RETURN\s+SHARPE\s+ERRORS$/);
  const failedLine = lines.find((l) => l.startsWith(FAILED));
  const btLine = lines.find((l) => l.startsWith(bt.runId));
  assert.ok(failedLine && btLine, out);
  assert.ok(lines.indexOf(failedLine) < lines.indexOf(btLine), 'newest first');
  // Columns line up with the header.
  for (const [col, a, b] of [['KIND', 'cycle', 'backtest'], ['STATUS', 'failed', 'ok'], ['ERRORS', 'E_EXEC_BROKER_UNAVAILABLE', '—']] as const) {
    assert.equal(failedLine.indexOf(a, columnOf(header, col)), columnOf(header, col), `${col} of ${failedLine}`);
    assert.equal(btLine.indexOf(b, columnOf(header, col)), columnOf(header, col), `${col} of ${btLine}`);
  }
  assert.match(failedLine, /2025-01-06 14:30:00Z\s+300 ms\s/);
  assert.match(out, /2 runs \(top-level runs, newest first\); backtests' cycles hidden: --all or --parent RUN_ID/);

  const c = okJson(children);
  assert.ok(c.runs.length <= bt.bars, 'at most one cycle run per bar');
  assert.ok(c.runs.every((r: { kind: string; parentRunId: string }) => r.kind === 'cycle' && r.parentRunId === bt.runId));
  childIds = c.runs.map((r: { runId: string }) => r.runId);
  childStatuses = c.runs.map((r: { status: string }) => r.status);
  okChildIds = c.runs.filter((r: { status: string }) => r.status === 'ok').map((r: { runId: string }) => r.runId);
  assert.deepEqual(childIds, [...childIds].sort().reverse(), 'newest first');

  // --all: the newest rows whatever their parent (the backtest's last cycles, stored after it).
  const a = okJson(all);
  assert.deepEqual(
    a.runs.map((r: { runId: string }) => r.runId),
    [FAILED, ...childIds, bt.runId].slice(0, 3),
  );

  assert.deepEqual(okJson(viaEnv).runs.map((r: { runId: string }) => r.runId), [FAILED], 'ORDINIS_DB_PATH picks the database');
});

test('runs show <backtest>: row, config snapshot ref, summary and cycle counts by status', async () => {
  const [json, text] = await Promise.all([cli(['runs', 'show', bt.runId, '--db', DB, '--json']), cli(['runs', 'show', bt.runId, '--db', DB])]);
  const d = okJson(json);
  assert.equal(d.run.runId, bt.runId);
  assert.equal(d.run.kind, 'backtest');
  assert.equal(d.configSnapshot.ref, d.run.configSnapshotRef);
  assert.match(d.configSnapshot.createdAt, /^\d{4}-\d\d-\d\dT/);
  assert.equal(d.cycle, null);
  assert.equal(d.summary.orders, bt.orders);
  assert.equal(d.summary.trades, bt.trades);
  assert.equal(d.summary.finalValue, bt.finalValue);
  assert.equal(d.summary.maxDrawdownPct, bt.maxDrawdownPct);
  assert.equal(d.summary.fills, undefined, 'the summary artifact has no fills');
  // Counted by status over the cycle runs stored under it (as many as `runs list --parent`
  // finds), never more than the backtest says it ran.
  const byStatus: Record<string, number> = {};
  for (const s of childStatuses) byStatus[s] = (byStatus[s] ?? 0) + 1;
  assert.deepEqual(d.children, { total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus });
  for (const [status, n] of Object.entries(byStatus)) assert.ok(n <= (bt.cycles[status] ?? 0), `${status}: ${n} stored of ${bt.cycles[status]} run`);
  assert.ok(d.children.total <= bt.bars);

  const out = okText(text);
  assert.match(out, new RegExp(`^run\\s+${bt.runId}$`, 'm'));
  assert.match(out, new RegExp(`^config\\s+${d.run.configSnapshotRef}\\s+\\(stored `, 'm'));
  assert.match(out, new RegExp(`^\\s+orders\\s+${bt.orders}\\s+\\(filled \\d+, rejected \\d+, unfilled \\d+\\)$`, 'm'));
  assert.match(out, new RegExp(`^\\s+trades\\s+${bt.trades}$`, 'm'));
  assert.match(out, new RegExp(`^\\s+final value\\s+${bt.finalValue.toFixed(2)}\\s+\\(return -?\\d+\\.\\d\\d%\\)$`, 'm'));
  assert.match(out, new RegExp(`^\\s+max DD\\s+${bt.maxDrawdownPct.toFixed(2)}%$`, 'm'));
  const counts = Object.entries(d.children.byStatus).map(([k, n]) => `${k} ${n}`).join(', ');
  const ran = Object.entries(bt.cycles).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
  assert.match(out, new RegExp(`^cycles\\s+${bt.bars} run \\(${ran}\\); ${d.children.total} stored as rows${counts ? ` \\(${counts}\\)` : ''}$`, 'm'));
});

test('runs show <cycle>: the stage timeline from its cycle_result artifact', async (t) => {
  const child = okChildIds[Math.floor(okChildIds.length / 2)];
  const [okJ, failedJ, failedText] = await Promise.all([
    child ? cli(['runs', 'show', child, '--db', DB, '--json']) : undefined,
    cli(['runs', 'show', FAILED, '--db', DB, '--json']),
    cli(['runs', 'show', FAILED, '--db', DB]),
  ]);
  if (okJ) {
    // A real cycle the backtest ran.
    const o = okJson(okJ);
    assert.equal(o.run.parentRunId, bt.runId);
    assert.equal(o.summary, null);
    assert.equal(o.children, null);
    assert.equal(o.cycle.status, 'ok');
    assert.equal(o.cycle.trigger, 'backtest');
    assert.deepEqual(o.cycle.stages.map((s: { stage: string }) => s.stage), [...STAGE_ORDER]);
    for (const s of o.cycle.stages) {
      assert.deepEqual(Object.keys(s), ['stage', 'status', 'attempts', 'durationMs', 'errorCode', 'note'], 'only the timeline fields');
      assert.equal(s.status, 'ok');
      assert.equal(s.attempts, 1);
    }
  } else {
    t.diagnostic('the backtest stored no ok cycle runs; only the seeded cycle is checked');
  }

  const f = okJson(failedJ);
  assert.equal(f.cycle.status, 'failed');
  assert.equal(f.cycle.durationMs, 300);
  assert.deepEqual(f.cycle.errors, [{ code: 'E_EXEC_BROKER_UNAVAILABLE', message: 'broker down', stage: 'EXEC' }]);
  const exec = f.cycle.stages.find((s: { stage: string }) => s.stage === 'EXEC');
  assert.deepEqual(exec, { stage: 'EXEC', status: 'failed', attempts: 3, durationMs: 250.5, errorCode: 'E_EXEC_BROKER_UNAVAILABLE', note: null });

  const out = okText(failedText);
  assert.match(out, /^cycle\s+failed  trigger schedule  at 2025-01-06 14:30:00Z  took 300 ms$/m);
  const lines = out.split('\n');
  const header = lines.find((l) => /^\s+STAGE\s+STATUS\s+ATTEMPTS\s+DURATION MS\s+ERROR\s+NOTE$/.test(l));
  assert.ok(header, out);
  const rows = lines.slice(lines.indexOf(header) + 1, lines.indexOf(header) + 1 + STAGE_ORDER.length);
  assert.deepEqual(rows.map((l) => l.trim().split(/\s+/)[0]), [...STAGE_ORDER]);
  const execLine = rows.find((l) => l.trim().startsWith('EXEC'))!;
  assert.match(execLine, /EXEC\s+failed\s+3\s+251\s+E_EXEC_BROKER_UNAVAILABLE\s+—$/);
  // ATTEMPTS and DURATION MS are right-aligned under their headers.
  const attemptsEnd = columnOf(header, 'ATTEMPTS') + 'ATTEMPTS'.length;
  assert.equal(execLine[attemptsEnd - 1], '3');
  const portLine = rows.find((l) => l.trim().startsWith('PORT'))!;
  assert.match(portLine, /PORT\s+skipped\s+0\s+0\s+—\s+after EXEC failed\\u001b\[2J$/, 'control characters escaped');
  assert.ok(!out.includes('\u001b'), 'no raw escape reaches the terminal');
  assert.match(out, /^errors\n  E_EXEC_BROKER_UNAVAILABLE \[EXEC\]: broker down$/m);
});

test('runs: unknown run id, bad flags and a missing database fail with a clear error and exit 1', async (t) => {
  const { dir: empty, db: missing } = tempDbPath(t);
  // (Every --limit/--status/--kind rule is covered in-process in render.test.ts; here, that
  // the errors reach the terminal the right way.)
  // A file written by an older build is refused, not migrated, by a command that only looks
  // (read-only-db.test.ts has the whole message).
  const older = join(empty, 'older.db');
  const raw = new Database(older);
  migrate(raw, { migrations: MIGRATIONS.slice(0, -1) });
  raw.close();
  const [show, limit0, status, noDb, olderList] = await Promise.all([
    cli(['runs', 'show', 'no-such-run', '--db', DB]),
    cli(['runs', 'list', '--db', DB, '--limit', '0', '--json']),
    cli(['runs', 'list', '--db', DB, '--status', 'done']),
    cli(['runs', 'list', '--db', missing]),
    cli(['runs', 'list', '--db', older, '--json']),
  ]);
  failsWith(olderList, 'E_DB_SCHEMA_TOO_OLD', /run a command that writes to it/);
  const check = new Database(older, { readonly: true });
  assert.equal(check.pragma('user_version', { simple: true }), LATEST_SCHEMA_VERSION - 1);
  check.close();
  failsWith(show, 'E_API_NOT_FOUND', /no run with id "no-such-run"/);
  failsWith(limit0, 'E_CFG_INVALID', /--limit "0": expected an integer from 1 to 1000/);
  failsWith(status, 'E_CFG_INVALID', /--status "done": expected one of running, ok, degraded, failed, blocked, aborted/);
  failsWith(noDb, 'E_DB_UNAVAILABLE', /no database at .*ordinis\.db \(pass --db FILE or set ORDINIS_DB_PATH\)/);
  assert.ok(!existsSync(missing), 'looking does not create a database');
  assert.ok(existsSync(empty));
});
