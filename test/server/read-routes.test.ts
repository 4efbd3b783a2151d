import { test } from 'node:test';
import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { assertError, cycleResult, parseMetrics, seedRun, stageResults, startOps, type OpsFixture } from './ops-harness.ts';
import { CHILD_RUNS_LIMIT } from '../../src/server/routes/runs.ts';

/** bt-1 (backtest) with cycles c-1 (ok) and c-2 (failed); c-3 top-level, blocked. Inserted in that order. */
function seedHistory(f: OpsFixture): void {
  seedRun(f.db, { runId: 'bt-1', kind: 'backtest', status: 'ok' });
  seedRun(f.db, { runId: 'c-1', parentRunId: 'bt-1', status: 'ok' }, cycleResult('c-1'));
  seedRun(
    f.db,
    { runId: 'c-2', parentRunId: 'bt-1', status: 'failed', errorCodes: ['E_EXEC_BROKER_UNAVAILABLE'] },
    cycleResult('c-2', {
      status: 'failed',
      errors: [{ code: 'E_EXEC_BROKER_UNAVAILABLE', message: 'broker down', retryable: true, stage: 'EXEC' }],
      stageResults: stageResults({
        EXEC: { status: 'failed', attempts: 3, durationMs: 250.5, errorCode: 'E_EXEC_BROKER_UNAVAILABLE', retryDelaysMs: [10, 20] },
        PORT: { status: 'skipped', attempts: 0, durationMs: 0, note: 'after EXEC failed' },
        ANA: { status: 'skipped', attempts: 0, durationMs: 0, note: 'after EXEC failed' },
      }),
    }),
  );
  seedRun(f.db, { runId: 'c-3', status: 'blocked' }, cycleResult('c-3', { status: 'blocked', blockReason: 'kill switch active: x' }));
}

const ids = (runs: { runId: string }[]): string[] => runs.map((r) => r.runId);

test('GET /healthz: 200 {ok:true}, JSON, not cached; HEAD gives headers only', async (t) => {
  const f = await startOps(t);
  const r = await f.api('/healthz');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { ok: true });
  assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  const head = await f.api('/healthz', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
});

test('GET /readyz: 200 when ready, 503 with reasons when not, 503 when the check throws', async (t) => {
  const f = await startOps(t);
  assert.deepEqual((await f.api('/readyz')).json, { ready: true, reasons: [] });

  f.readiness.value = { ready: false, reasons: ['recovery not finished', 'engine not running'] };
  const r = await f.api('/readyz');
  assert.equal(r.status, 503);
  assert.deepEqual(r.json, { ready: false, reasons: ['recovery not finished', 'engine not running'] });

  f.readiness.value = () => {
    throw new Error('secret detail from /var/lib/x');
  };
  const thrown = await f.api('/readyz');
  assert.equal(thrown.status, 503);
  assert.equal(thrown.json.ready, false);
  assert.doesNotMatch(thrown.text, /secret detail/);
  assert.ok(f.logs.some((l) => l.level === 'error' && (l.obj.err as Error).message.includes('secret detail')));
});

test('GET /metrics: the registry in Prometheus text with its content type; a counter reads back', async (t) => {
  const f = await startOps(t);
  f.counter.inc(3);
  const r = await f.api('/metrics');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), f.registry.contentType);
  assert.match(r.text, /# HELP ordinis_test_requests_total test counter/);
  assert.match(r.text, /# TYPE ordinis_test_requests_total counter/);
  assert.equal(parseMetrics(r.text).get('ordinis_test_requests_total'), 3);
  f.counter.inc();
  assert.equal(parseMetrics((await f.api('/metrics')).text).get('ordinis_test_requests_total'), 4);
});

test('GET /status: engine status and the full kill state', async (t) => {
  const f = await startOps(t);
  const r = await f.api('/status');
  assert.equal(r.status, 200);
  assert.equal(r.json.engine.state, 'running');
  assert.equal(r.json.engine.mode, 'paper');
  assert.deepEqual(r.json.engine.counts, { ok: 0, degraded: 0, failed: 0, blocked: 0, skipped: 0 });
  assert.equal(r.json.kill.state, 'INACTIVE');
  assert.equal(r.json.kill.actor, null);
  assert.equal(typeof r.json.kill.updatedAt, 'string');
});

test('GET /runs: newest first, filtered by status and kind, limited', async (t) => {
  const f = await startOps(t);
  seedHistory(f);
  const all = await f.api('/runs');
  assert.equal(all.status, 200);
  assert.equal(all.json.limit, 50);
  assert.deepEqual(ids(all.json.runs), ['c-3', 'c-2', 'c-1', 'bt-1']);
  const c2 = all.json.runs[1];
  assert.equal(c2.status, 'failed');
  assert.deepEqual(c2.errorCodes, ['E_EXEC_BROKER_UNAVAILABLE']);
  assert.equal(c2.parentRunId, 'bt-1');

  const limited = await f.api('/runs?limit=2');
  assert.deepEqual(ids(limited.json.runs), ['c-3', 'c-2']);
  assert.equal(limited.json.limit, 2);
  assert.deepEqual(ids((await f.api('/runs?status=failed')).json.runs), ['c-2']);
  assert.deepEqual(ids((await f.api('/runs?kind=backtest')).json.runs), ['bt-1']);
  assert.deepEqual(ids((await f.api('/runs?kind=cycle&status=ok&limit=1000')).json.runs), ['c-1']);
  assert.deepEqual((await f.api('/runs?status=aborted')).json.runs, []);
});

test('GET /runs: a bad query parameter is 400 E_API_BAD_REQUEST naming the parameter', async (t) => {
  const f = await startOps(t);
  const cases: [string, string][] = [
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=', 'limit'],
    ['limit=99999999999999999999', 'limit'],
    ['status=bogus', 'status'],
    ['kind=strategy', 'kind'],
    ['limit=1&limit=2', 'limit'],
    ['parent=bt-1', 'parent'],
  ];
  for (const [query, param] of cases) {
    const r = await f.api(`/runs?${query}`);
    const message = assertError(r, 400, 'E_API_BAD_REQUEST');
    assert.match(message, new RegExp(`query parameter '${param}'`), `${query}: ${message}`);
    assert.equal(r.json.error.details.issues[0].field, param);
  }
  assert.match((await f.api('/runs?status=bogus')).json.error.message, /must be one of running, ok, degraded, failed, blocked, aborted/);
});

test('GET /runs/:id: the run and its cycle_result stage timeline', async (t) => {
  const f = await startOps(t);
  seedHistory(f);
  const r = await f.api('/runs/c-2');
  assert.equal(r.status, 200);
  assert.equal(r.json.run.runId, 'c-2');
  assert.equal(r.json.run.status, 'failed');
  assert.equal(r.json.children, null);
  const cycle = r.json.cycle;
  assert.equal(cycle.status, 'failed');
  assert.equal(cycle.schemaVersion, '1.0.0');
  assert.equal(typeof cycle.artifactId, 'number');
  assert.deepEqual(cycle.errors, [{ code: 'E_EXEC_BROKER_UNAVAILABLE', message: 'broker down', stage: 'EXEC' }]);
  assert.deepEqual(
    cycle.stages.map((s: { stage: string }) => s.stage),
    ['ING', 'FEAT', 'SIG', 'RISK', 'EXEC', 'PORT', 'ANA', 'AUDIT'],
  );
  const exec = cycle.stages[4];
  // Exactly the timeline fields; the stage's output summary stays out of this view.
  assert.deepEqual(exec, { stage: 'EXEC', status: 'failed', attempts: 3, durationMs: 250.5, errorCode: 'E_EXEC_BROKER_UNAVAILABLE', note: null });
  assert.deepEqual(cycle.stages[5], { stage: 'PORT', status: 'skipped', attempts: 0, durationMs: 0, errorCode: null, note: 'after EXEC failed' });

  const blocked = await f.api('/runs/c-3');
  assert.equal(blocked.json.cycle.blockReason, 'kill switch active: x');
});

test('GET /runs/:id for a backtest lists its cycles; more than the cap is flagged truncated', async (t) => {
  const f = await startOps(t);
  seedHistory(f);
  const bt = await f.api('/runs/bt-1');
  assert.equal(bt.status, 200);
  assert.equal(bt.json.run.kind, 'backtest');
  assert.equal(bt.json.cycle, null);
  assert.deepEqual(ids(bt.json.children.runs), ['c-2', 'c-1']);
  assert.equal(bt.json.children.truncated, false);

  seedRun(f.db, { runId: 'bt-big', kind: 'backtest', status: 'ok' });
  f.db.transaction(() => {
    for (let i = 0; i < CHILD_RUNS_LIMIT + 5; i++) seedRun(f.db, { runId: `bt-big-c${i}`, parentRunId: 'bt-big', status: 'ok' });
  });
  const big = await f.api('/runs/bt-big');
  assert.equal(big.json.children.runs.length, CHILD_RUNS_LIMIT);
  assert.equal(big.json.children.limit, CHILD_RUNS_LIMIT);
  assert.equal(big.json.children.truncated, true);
  assert.equal(big.json.children.runs[0].runId, `bt-big-c${CHILD_RUNS_LIMIT + 4}`);
});

test('GET /runs/:id: unknown 404, ids are URI-decoded, bad encoding 400, unreadable artifact reported', async (t) => {
  const f = await startOps(t);
  assert.match(assertError(await f.api('/runs/nope'), 404, 'E_API_NOT_FOUND'), /no run with id "nope"/);
  seedRun(f.db, { runId: 'run with/slash', status: 'ok' });
  assert.equal((await f.api(`/runs/${encodeURIComponent('run with/slash')}`)).json.run.runId, 'run with/slash');
  assertError(await f.api('/runs/%E0%A4%A'), 400, 'E_API_BAD_REQUEST');
  assertError(await f.api('/runs/'), 404, 'E_API_NOT_FOUND');
  assertError(await f.api('/runs/nope?verbose=1'), 400, 'E_API_BAD_REQUEST');

  seedRun(f.db, { runId: 'odd', status: 'ok' }, { not: 'a cycle result' });
  const odd = await f.api('/runs/odd');
  assert.equal(odd.status, 200);
  assert.equal(odd.json.cycle, null);
  assert.match(odd.json.cycleUnreadable, /does not have the expected shape/);
});

test('GET /audit/verify: 200 ok on an intact chain; 200 ok:false with where and why once tampered', async (t) => {
  const f = await startOps(t);
  const empty = await f.api('/audit/verify');
  assert.equal(empty.status, 200);
  assert.equal(empty.json.ok, true);
  assert.equal(empty.json.checked, 0);

  f.kill.activate('drill', 'alice');
  f.kill.deactivate('bob');
  const intact = await f.api('/audit/verify');
  assert.equal(intact.json.ok, true);
  assert.equal(intact.json.checked, 4);
  assert.equal(intact.json.head.seq, 4);
  assert.match(intact.json.head.hash, /^[0-9a-f]{64}$/);
  assert.equal(intact.json.anchor.seq, 0);

  dropAuditTriggers(f.db.handle);
  f.db.handle.exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2");
  const broken = await f.api('/audit/verify');
  assert.equal(broken.status, 200);
  assert.equal(broken.json.ok, false);
  assert.equal(broken.json.brokenAt, 2);
  assert.match(broken.json.reason, /row edited/);
});

test('a closed database is 503 E_DB_UNAVAILABLE with the generic message; the path stays in the log', async (t) => {
  const f = await startOps(t);
  f.db.close();
  for (const path of ['/runs', '/runs/x', '/audit/verify']) {
    const r = await f.api(path);
    assert.equal(assertError(r, 503, 'E_DB_UNAVAILABLE'), 'database unavailable');
    assert.doesNotMatch(r.text, /ordinis\.db|ordinis-persist/);
  }
  const logged = f.logs.filter((l) => l.level === 'error');
  assert.equal(logged.length, 3);
  assert.match((logged[0]!.obj.err as Error).message, /ordinis\.db/);
  // Liveness does not depend on the database.
  assert.equal((await f.api('/healthz')).status, 200);
});

function dropAuditTriggers(handle: Database.Database): void {
  const names = handle
    .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")
    .pluck()
    .all() as string[];
  for (const name of names) handle.exec(`DROP TRIGGER "${name}"`);
}
