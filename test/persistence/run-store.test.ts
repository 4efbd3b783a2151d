import { test } from 'node:test';
import assert from 'node:assert/strict';
import { currentProcess } from '../../src/core/process-identity.ts';
import { expectCode, openTempDatabase, runRow } from './temp-database.ts';

test('run rows round-trip through start, finish and reopen', (t) => {
  const temp = openTempDatabase(t);
  const row = runRow('run-1', { errorCodes: ['E_ING_DATA_STALE'], configSnapshotRef: 'cfg:0123456789abcdef' });
  temp.db.runs.startRun(row);
  // The row names its owner: this process.
  assert.deepEqual(temp.db.runs.getRun('run-1'), { ...row, owner: currentProcess() });
  temp.db.runs.finishRun('run-1', { finishedAt: '2025-01-02T03:04:06.000Z', status: 'degraded', errorCodes: ['E_ANA_COMPUTE_FAILED'] });
  const finished = { ...row, owner: currentProcess(), finishedAt: '2025-01-02T03:04:06.000Z', status: 'degraded' as const, errorCodes: ['E_ANA_COMPUTE_FAILED'] };
  assert.deepEqual(temp.reopen().runs.getRun('run-1'), finished);
  assert.equal(temp.db.runs.getRun('nope'), undefined);
});

test('finishRun sets the abort reason only when given', (t) => {
  const { db } = openTempDatabase(t);
  db.runs.startRun(runRow('r'));
  db.runs.finishRun('r', { finishedAt: 'x', status: 'aborted', errorCodes: [], abortReason: 'operator stop' });
  db.runs.finishRun('r', { finishedAt: 'y', status: 'aborted', errorCodes: [] });
  assert.equal(db.runs.getRun('r')?.abortReason, 'operator stop');
  db.runs.finishRun('r', { finishedAt: 'z', status: 'failed', errorCodes: [], abortReason: null });
  assert.equal(db.runs.getRun('r')?.abortReason, null);
});

test('a duplicate run id, an unknown run and an orphan artifact are E_DB_CONSTRAINT', (t) => {
  const { db } = openTempDatabase(t);
  db.runs.startRun(runRow('r'));
  expectCode(() => db.runs.startRun(runRow('r')), 'E_DB_CONSTRAINT');
  expectCode(() => db.runs.finishRun('ghost', { finishedAt: 'x', status: 'ok', errorCodes: [] }), 'E_DB_CONSTRAINT');
  expectCode(
    () => db.runs.putArtifact({ runId: 'ghost', kind: 'cycle_result', schemaVersion: '1.0.0', commitHash: 'c', content: {} }),
    'E_DB_CONSTRAINT',
  );
  expectCode(() => db.runs.startRun(runRow('bad', { status: 'sideways' as never })), 'E_DB_CONSTRAINT');
});

test('listRuns: newest first, filtered by status, kind and parent, limited', (t) => {
  const { db } = openTempDatabase(t);
  db.runs.startRun(runRow('bt', { kind: 'backtest', mode: 'backtest' }));
  for (let i = 1; i <= 5; i++) db.runs.startRun(runRow(`bt-c${i}`, { parentRunId: 'bt', mode: 'backtest' }));
  db.runs.startRun(runRow('live-1'));
  db.runs.finishRun('live-1', { finishedAt: 'x', status: 'failed', errorCodes: ['E_ORCH_STAGE_FAILED'] });
  db.runs.startRun(runRow('live-2'));

  assert.deepEqual(
    db.runs.listRuns().map((r) => r.runId),
    ['live-2', 'live-1', 'bt-c5', 'bt-c4', 'bt-c3', 'bt-c2', 'bt-c1', 'bt'],
  );
  assert.deepEqual(db.runs.listRuns({ limit: 2 }).map((r) => r.runId), ['live-2', 'live-1']);
  assert.deepEqual(db.runs.listRuns({ status: 'failed' }).map((r) => r.runId), ['live-1']);
  assert.deepEqual(db.runs.listRuns({ kind: 'backtest' }).map((r) => r.runId), ['bt']);
  assert.deepEqual(db.runs.listRuns({ parentRunId: null }).map((r) => r.runId), ['live-2', 'live-1', 'bt']);
  assert.deepEqual(db.runs.listRuns({ parentRunId: 'bt', limit: 2 }).map((r) => r.runId), ['bt-c5', 'bt-c4']);
  assert.deepEqual(db.runs.listRuns({ parentRunId: null, status: 'running', kind: 'cycle' }).map((r) => r.runId), ['live-2']);
});

test('artifacts round-trip with their kind, schema version and commit hash', (t) => {
  const temp = openTempDatabase(t);
  const { runs } = temp.db;
  runs.startRun(runRow('r1'));
  runs.startRun(runRow('r2'));
  const content = { status: 'ok', stages: { ING: { ms: 1.5 }, SIG: [1, 2, 3] }, note: null };
  const a1 = runs.putArtifact({ runId: 'r1', kind: 'cycle_result', schemaVersion: '1.0.0', commitHash: 'abc', content });
  const a2 = runs.putArtifact({ runId: 'r1', kind: 'analytics_report', schemaVersion: '2.1.0', commitHash: 'abc', content: { sharpe: 1.2 } });
  runs.putArtifact({ runId: 'r2', kind: 'cycle_result', schemaVersion: '1.0.0', commitHash: 'abc', content: 'plain string' });
  assert.ok(a2 > a1);

  const reopened = temp.reopen().runs;
  const got = reopened.getArtifact(a1);
  assert.ok(got);
  assert.equal(got.runId, 'r1');
  assert.equal(got.kind, 'cycle_result');
  assert.equal(got.schemaVersion, '1.0.0');
  assert.equal(got.commitHash, 'abc');
  assert.deepEqual(got.content, content);
  assert.ok(!Number.isNaN(Date.parse(got.createdAt)));
  assert.deepEqual(reopened.listArtifacts('r1').map((a) => a.id), [a1, a2]);
  assert.deepEqual(reopened.listArtifacts('r1', 'analytics_report').map((a) => a.content), [{ sharpe: 1.2 }]);
  assert.deepEqual(reopened.listArtifacts('r2').map((a) => a.content), ['plain string']);
  assert.deepEqual(reopened.listArtifacts('none'), []);
  assert.equal(reopened.getArtifact(9999), undefined);
});

test('config snapshots: a stable ref, same content is a no-op, other content is refused', (t) => {
  const { db } = openTempDatabase(t);
  const config = { profile: 'paper', orch: { cycleBudgetMs: 5000, retryMax: 1 }, symbols: ['AAPL', 'MSFT'] };
  const ref = db.runs.putConfigSnapshot('run-1', config);
  assert.match(ref, /^cfg:[0-9a-f]{16}$/);
  // Same content with keys in another order: same ref, nothing written.
  const reordered = { symbols: ['AAPL', 'MSFT'], orch: { retryMax: 1, cycleBudgetMs: 5000 }, profile: 'paper' };
  assert.equal(db.runs.putConfigSnapshot('run-1', reordered), ref);
  // Same content under another run: same ref (content-addressed).
  assert.equal(db.runs.putConfigSnapshot('run-2', config), ref);
  const err = expectCode(() => db.runs.putConfigSnapshot('run-1', { ...config, profile: 'prod' }), 'E_DB_CONSTRAINT');
  assert.match(err.message, /immutable/);
  assert.deepEqual(db.runs.getConfigSnapshot('run-1')?.config, config);
  assert.equal(db.runs.getConfigSnapshot('run-1')?.ref, ref);
  assert.equal(db.runs.getConfigSnapshot('nope'), undefined);
  // The table itself refuses updates, whoever writes.
  assert.throws(() => db.handle.prepare("UPDATE run_config_snapshot SET config_json = '{}'").run(), /immutable/);
});

test('config snapshots redact secret-looking keys at any depth', (t) => {
  const { db } = openTempDatabase(t);
  db.runs.putConfigSnapshot('run-1', {
    broker: { apiKey: 'AK-live', api_key: 'x', 'api-key': 'y', accountId: 'acc-1', nested: { authToken: 't', refreshTOKEN: 'r' } },
    server: { bearerToken: 'b', port: 9100, tokenless: null },
    db: { password: 'pw', user: 'ordinis' },
    hooks: [{ id: 'h1', webhookSecret: 's' }],
    privateKey: { pem: '-----BEGIN' },
  });
  const stored = db.runs.getConfigSnapshot('run-1')?.config;
  assert.deepEqual(stored, {
    broker: { apiKey: '***', api_key: '***', 'api-key': '***', accountId: 'acc-1', nested: { authToken: '***', refreshTOKEN: '***' } },
    server: { bearerToken: '***', port: 9100, tokenless: null },
    db: { password: '***', user: 'ordinis' },
    hooks: [{ id: 'h1', webhookSecret: '***' }],
    privateKey: '***',
  });
  const raw = db.handle.prepare('SELECT config_json FROM run_config_snapshot').pluck().get() as string;
  for (const secret of ['AK-live', '"pw"', '"s"', 'BEGIN']) assert.ok(!raw.includes(secret), `${secret} leaked`);
});

test('listRunning lists the running rows with their owners; abortRuns closes the given ones that still run, once', (t) => {
  const temp = openTempDatabase(t);
  const elsewhere = { pid: 4242, startedAt: '99@boot', host: 'other-host' };
  temp.db.runs.startRun(runRow('done'));
  temp.db.runs.finishRun('done', { finishedAt: '2025-01-02T03:04:06.000Z', status: 'ok', errorCodes: [] });
  temp.db.runs.startRun(runRow('crashed-1'));
  temp.db.runs.startRun(runRow('crashed-2', { kind: 'backtest', owner: elsewhere }));
  temp.db.runs.startRun(runRow('legacy', { owner: null }));
  const runs = temp.reopen().runs;
  assert.deepEqual(
    runs.listRunning().map((r) => [r.runId, r.owner]),
    [
      ['crashed-1', currentProcess()],
      ['crashed-2', elsewhere],
      ['legacy', null],
    ],
  );
  const aborted = runs.abortRuns(['crashed-1', 'crashed-2', 'done'], 'process restarted', '2025-01-03T00:00:00.000Z');
  assert.deepEqual(aborted, ['crashed-1', 'crashed-2'], 'a finished run is not aborted');
  const r = runs.getRun('crashed-1');
  assert.equal(r?.status, 'aborted');
  assert.equal(r?.abortReason, 'process restarted');
  assert.equal(r?.finishedAt, '2025-01-03T00:00:00.000Z');
  assert.equal(runs.getRun('done')?.status, 'ok');
  assert.equal(runs.getRun('legacy')?.status, 'running', 'only the given runs');
  assert.deepEqual(runs.abortRuns(['crashed-1'], 'again', '2025-01-04T00:00:00.000Z'), []);
  assert.equal(runs.getRun('crashed-1')?.abortReason, 'process restarted');
});

test('transaction batches writes: all commit together, a throw rolls every one back', (t) => {
  const { db } = openTempDatabase(t);
  db.runs.startRun(runRow('bt', { kind: 'backtest' }));
  db.transaction(() => {
    for (let i = 0; i < 500; i++) {
      db.runs.startRun(runRow(`c${i}`, { parentRunId: 'bt' }));
      db.runs.putArtifact({ runId: `c${i}`, kind: 'cycle_result', schemaVersion: '1.0.0', commitHash: 'c', content: { i } });
      db.runs.finishRun(`c${i}`, { finishedAt: 'x', status: 'ok', errorCodes: [] });
    }
  });
  assert.equal(db.runs.listRuns({ parentRunId: 'bt', limit: 1000 }).length, 500);

  assert.throws(
    () =>
      db.transaction(() => {
        db.runs.startRun(runRow('lost-1'));
        db.runs.startRun(runRow('lost-2'));
        throw new Error('cycle failed half way');
      }),
    /half way/,
  );
  assert.equal(db.runs.getRun('lost-1'), undefined);
  assert.equal(db.runs.getRun('lost-2'), undefined);

  // A store error inside a batch surfaces with its code and undoes the batch.
  expectCode(
    () =>
      db.transaction(() => {
        db.runs.startRun(runRow('lost-3'));
        db.runs.startRun(runRow('c0'));
      }),
    'E_DB_CONSTRAINT',
  );
  assert.equal(db.runs.getRun('lost-3'), undefined);
  // An async callback cannot hold a SQLite transaction open: refused and rolled back.
  expectCode(
    () =>
      db.transaction(() => {
        db.runs.startRun(runRow('lost-4'));
        return Promise.resolve();
      }),
    'E_INTERNAL',
  );
  assert.equal(db.runs.getRun('lost-4'), undefined);
});

test('hot path: 20k cycles (run row, artifact, finish) in batches stay fast', (t) => {
  const { db } = openTempDatabase(t);
  db.runs.startRun(runRow('bt', { kind: 'backtest' }));
  const content = { status: 'ok', stages: { ING: 0.2, FEAT: 0.3, SIG: 0.1, RISK: 0.1, EXEC: 0.4, PORT: 0.2, ANA: 0.5, AUDIT: 0.1 } };
  const started = performance.now();
  for (let batch = 0; batch < 20; batch++) {
    db.transaction(() => {
      for (let i = 0; i < 1000; i++) {
        const id = `c${batch}-${i}`;
        db.runs.startRun(runRow(id, { parentRunId: 'bt' }));
        db.runs.putArtifact({ runId: id, kind: 'cycle_result', schemaVersion: '1.0.0', commitHash: 'c', content });
        db.runs.finishRun(id, { finishedAt: 'x', status: 'ok', errorCodes: [] });
      }
    });
  }
  const ms = performance.now() - started;
  t.diagnostic(`20k cycles in ${ms.toFixed(0)} ms (${((ms * 1000) / 20_000).toFixed(1)} µs per cycle)`);
  // Generous bound: catches a per-write fsync or a missing transaction, not a slow machine.
  assert.ok(ms < 10_000, `took ${ms} ms`);
});

test('a config object mutated in place is snapshotted with its new content, not a cached one', (t) => {
  const { db } = openTempDatabase(t);
  const config: Record<string, unknown> = { profile: 'paper', retryMax: 1 };
  const first = db.runs.putConfigSnapshot('run-1', config);
  assert.equal(db.runs.putConfigSnapshot('run-2', config), first);
  config.retryMax = 2;
  const second = db.runs.putConfigSnapshot('run-3', config);
  assert.notEqual(second, first);
  assert.deepEqual(db.runs.getConfigSnapshot('run-3')?.config, { profile: 'paper', retryMax: 2 });
});

test('runs_parent indexes only child rows and serves the per-parent listing (v3)', (t) => {
  const { db } = openTempDatabase(t);
  const plan = (sql: string): string =>
    (db.handle.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('bt') as { detail: string }[]).map((r) => r.detail).join('; ');
  assert.match(plan("SELECT run_id FROM runs WHERE parent_run_id = ? AND (NULL IS NULL) ORDER BY rowid DESC LIMIT 5"), /runs_parent/);
  assert.match(plan('SELECT status, COUNT(*) FROM runs WHERE parent_run_id = ? GROUP BY status'), /runs_parent/);
  const sql = db.handle.prepare("SELECT sql FROM sqlite_master WHERE name = 'runs_parent'").pluck().get() as string;
  assert.match(sql, /WHERE parent_run_id IS NOT NULL/);
});

test('a run row costs one index entry per index that serves a query: no recorded_at index (v4)', (t) => {
  const { db } = openTempDatabase(t);
  const indexes = db.handle.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runs' ORDER BY name").pluck().all();
  assert.deepEqual(indexes, ['runs_parent', 'runs_running', 'sqlite_autoindex_runs_1']);
});
