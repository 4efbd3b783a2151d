// POST /backtests over real HTTP: the request is published on a real bus, the engine that
// serves requested backtests runs it into a real SQLite file through runBacktest, and the
// outcome is read back from GET /events like any client would.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { systemClock } from '../../src/core/clock.ts';
import { SeededRandom } from '../../src/core/random.ts';
import { createBus, createModeEmitter } from '../../src/bus/create-bus.ts';
import { openDatabase } from '../../src/persistence/database.ts';
import { startBacktestRequests } from '../../src/modes/backtest/backtest-requests.ts';
import { assertError, startOps } from './ops-harness.ts';
import { openSse } from './sse-client.ts';

const ORCL = join(import.meta.dirname, '..', '..', 'samples', 'orcl-1995-2014.txt');

const request = (over: Record<string, unknown> = {}) => ({
  dataFiles: [ORCL],
  symbols: ['ORCL'],
  strategy: 'sma-cross',
  strategyParams: { fast: 15, slow: 30 },
  sizing: { kind: 'fixed', qty: 10 },
  cash: 100_000,
  to: '1997-12-31',
  ...over,
});

async function backtestApi(t: TestContext, env: Record<string, string> = {}) {
  const config = loadConfig({ env }).config;
  const bus = createBus(config, { clock: systemClock });
  const random = new SeededRandom(11);
  const events = createModeEmitter({ bus, config, clock: systemClock, random, source: 'orch.test', venue: 'paper' });
  const dbPath = join(mkdtempSync(join(tmpdir(), 'ordinis-btapi-')), 'bt.db');
  const db = openDatabase({ path: dbPath });
  const backtests = startBacktestRequests({ config, dbPath, bus, events, random });
  const ops = await startOps(t, { bus, backtests });
  t.after(async () => {
    await backtests.stop();
    bus.close();
    db.close();
  });
  return { ops, db, bus, backtests };
}

test('POST /backtests runs the backtest through the engine and publishes its run id on /events', async (t) => {
  const { ops, db } = await backtestApi(t);
  const stream = await openSse(`${ops.base}/events?topic=ordinis.ops.run.backtest.*`);
  t.after(() => stream.close());

  const r = await ops.post('/backtests', request());
  assert.equal(r.status, 202, r.text);
  const { requestId, eventId, topic } = r.json;
  assert.equal(topic, 'ordinis.ops.run.backtest.requested');

  const frames = await stream.waitFor((f) => f.some((x) => x.event === 'ordinis.ops.run.backtest.completed'));
  assert.deepEqual(frames.map((f) => f.event), ['ordinis.ops.run.backtest.requested', 'ordinis.ops.run.backtest.completed']);
  const requested = JSON.parse(frames[0]!.data!);
  assert.equal(requested.event_id, eventId);
  assert.equal(requested.correlation_id, requestId);
  const completed = JSON.parse(frames[1]!.data!);
  assert.equal(completed.correlation_id, requestId);
  assert.equal(completed.payload.request_id, requestId);

  const [run] = db.runs.listRuns({ kind: 'backtest', limit: 5 });
  assert.equal(completed.payload.run_id, run!.runId);
  assert.equal(run!.status, 'ok');
  const summary = db.runs.listArtifacts(run!.runId, 'backtest_summary')[0]!.content as { bars: number; orders: number; finalValue: number };
  assert.equal(completed.payload.bars, summary.bars);
  assert.equal(completed.payload.orders, summary.orders);
  assert.equal(completed.payload.final_value, summary.finalValue);
  assert.ok(summary.bars > 700 && summary.orders > 0);
});

test('a backtest that cannot run is published as .failed with its error code', async (t) => {
  const { ops, db } = await backtestApi(t);
  const stream = await openSse(`${ops.base}/events?topic=ordinis.ops.run.backtest.failed`);
  t.after(() => stream.close());
  const r = await ops.post('/backtests', request({ from: '2030-01-01', to: '2030-12-31' }));
  assert.equal(r.status, 202, r.text);
  const [failed] = await stream.waitFor((f) => f.length >= 1);
  const event = JSON.parse(failed!.data!);
  assert.equal(event.correlation_id, r.json.requestId);
  assert.equal(event.payload.error_code, 'E_ING_NO_DATA');
  assert.equal(event.payload.run_id, null);
  assert.match(event.payload.message, /2030/);
  assert.equal(db.runs.listRuns({ kind: 'backtest', limit: 5 }).length, 0);
});

test('POST /backtests validates the body as the backtest request, needs the token, and is 503 where nothing runs backtests', async (t) => {
  const { ops } = await backtestApi(t);
  const bad = assertError(await ops.post('/backtests', request({ sizing: { kind: 'fixed', qty: 1.5 }, dataFiles: [] })), 400, 'E_API_BAD_REQUEST');
  assert.match(bad, /dataFiles/);
  assert.match(bad, /sizing\.qty/);
  assertError(await ops.post('/backtests', request({ extra: 1 })), 400, 'E_API_BAD_REQUEST');
  assertError(await ops.post('/backtests', request(), { token: 'wrong' }), 401, 'E_API_UNAUTHORIZED');
  assertError(await ops.post('/backtests', request(), { token: null }), 401, 'E_API_UNAUTHORIZED');
  const plain = await startOps(t);
  assertError(await plain.post('/backtests', request()), 503, 'E_SB_UNAVAILABLE');
});

test('requests past SB_MAX_QUEUE_DEPTH are refused with 503 E_SB_BACKPRESSURE; the accepted ones all run', async (t) => {
  const { ops, db, bus } = await backtestApi(t, { ORDINIS_SB_MAX_QUEUE_DEPTH: '2' });
  // A second consumer of requests that is busy until told otherwise: its queue fills first.
  let release!: () => void;
  const busy = new Promise<void>((r) => (release = r));
  bus.subscribe({ topic: 'ordinis.ops.run.backtest.requested', name: 'busy-consumer' }, () => busy);
  assert.equal((await ops.post('/backtests', request({ to: '1995-12-31' }))).status, 202);
  assert.equal((await ops.post('/backtests', request({ to: '1995-12-31' }))).status, 202);
  assert.match(assertError(await ops.post('/backtests', request({ to: '1995-12-31' })), 503, 'E_SB_BACKPRESSURE'), /queue is full/);
  release();
  await bus.drain();
  assert.equal(db.runs.listRuns({ kind: 'backtest', limit: 10 }).length, 2);
});
