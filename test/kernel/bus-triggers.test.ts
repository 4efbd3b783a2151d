// The engine can be triggered from the bus: `ordinis.market.*` runs a cycle (a trigger that
// finds a cycle running is skipped and counted), `ordinis.ops.run.backtest.requested` runs a
// validated backtest in an isolated backtest-mode pipeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ManualClock } from '../../src/core/clock.ts';
import { SeededRandom } from '../../src/core/random.ts';
import { InMemoryBus } from '../../src/bus/in-memory-bus.ts';
import { EnvelopeFactory } from '../../src/bus/event-factory.ts';
import { loadConfig } from '../../src/config/load.ts';
import { openDatabase } from '../../src/persistence/database.ts';
import { DefaultBacktestDriver, backtestHostEngine, parseBacktestRequest } from '../../src/modes/backtest/backtest-request.ts';
import { OrdinisError } from '../../src/errors.ts';
import { makeEngine } from '../support/engine-harness.ts';

const tags = { instrument_type: 'equity', venue: 'paper', jurisdiction: 'US', env: 'dev' } as const;

function busAndFactory() {
  const clock = new ManualClock(Date.UTC(2024, 0, 2));
  const bus = new InMemoryBus({ clock });
  const factory = new EnvelopeFactory({ bus, clock, random: new SeededRandom(3), source: 'test', tags });
  return { bus, factory };
}

test('ordinis.market.* events trigger cycles, one at a time: a bar arriving mid-cycle waits its turn', async () => {
  const { bus, factory } = busAndFactory();
  let release!: () => void;
  let firstSig = true;
  const { engine, calls } = makeEngine({
    bus,
    behaviours: { SIG: () => (firstSig ? ((firstSig = false), new Promise((r) => (release = () => r([]))) as never) : []) },
  });
  engine.start();
  factory.emit('ordinis.market.bar.closed', { symbol: 'AAA' }, { partitionKey: 'AAA' });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(engine.isBusy, true);
  factory.emit('ordinis.market.bar.closed', { symbol: 'BBB' }, { partitionKey: 'BBB' });
  await new Promise((r) => setTimeout(r, 10));
  release();
  await bus.drain();
  const s = engine.status();
  // The bus delivers to the engine's subscription one event at a time, so the second bar's
  // cycle ran after the first finished: no overlap and no lost trigger.
  assert.equal(s.counts.ok, 2);
  assert.equal(s.counts.skipped, 0);
  assert.deepEqual(calls.slice(0, 9), ['ING', 'FEAT', 'SIG', 'RISK', 'EXEC', 'PORT', 'ANA', 'AUDIT', 'ING']);
  await engine.stop();
  factory.emit('ordinis.market.bar.closed', { symbol: 'AAA' }, { partitionKey: 'AAA' });
  await bus.drain();
  assert.equal(engine.status().counts.ok, 2, 'a stopped engine no longer listens');
});

test('ordinis.ops.run.backtest.requested runs a validated backtest and records it', async () => {
  const { bus, factory } = busAndFactory();
  const db = openDatabase({ path: join(mkdtempSync(join(tmpdir(), 'ordinis-btreq-')), 'bt.db') });
  const config = loadConfig({ env: {} }).config;
  const { engine } = makeEngine({ bus, backtest: new DefaultBacktestDriver({ config, db }) });
  engine.start();
  factory.emit('ordinis.ops.run.backtest.requested', {
    dataFiles: [join(import.meta.dirname, '..', '..', 'samples', 'orcl-1995-2014.txt')],
    symbols: ['ORCL'],
    strategy: 'sma-cross',
    strategyParams: { fast: 15, slow: 30 },
    sizing: { kind: 'fixed', qty: 10 },
    cash: 10000,
    to: '1996-12-31',
  });
  await bus.drain();
  const [run] = db.runs.listRuns({ kind: 'backtest', limit: 5 });
  assert.equal(run!.status, 'ok');
  const summary = db.runs.listArtifacts(run!.runId, 'backtest_summary')[0]!.content as { orders: number; bars: number };
  assert.ok(summary.bars > 400 && summary.orders > 0);
  db.close();
});

test('a bad backtest request is refused naming the field', () => {
  assert.throws(
    () => parseBacktestRequest({ dataFiles: [], strategy: 'sma-cross', sizing: { kind: 'fixed', qty: 1.5 }, cash: 10 }),
    (e: OrdinisError) => e.code === 'E_CFG_INVALID' && /dataFiles/.test(e.message) && /sizing.qty/.test(e.message),
  );
});

test('engine.runBacktest (the path `ordinis backtest` takes): the result, and the artifacts to whoever asked', async () => {
  const db = openDatabase({ path: join(mkdtempSync(join(tmpdir(), 'ordinis-btrun-')), 'bt.db') });
  const config = loadConfig({ env: {} }).config;
  let artifacts: { equity: readonly unknown[]; closedTrades: readonly unknown[] } | undefined;
  const engine = backtestHostEngine(config, new DefaultBacktestDriver({ config, db }, (o) => (artifacts = o.artifacts)));
  try {
    const r = (await engine.runBacktest({
      dataFiles: [join(import.meta.dirname, '..', '..', 'samples', 'orcl-1995-2014.txt')],
      symbols: ['ORCL'],
      strategy: 'sma-cross',
      strategyParams: { fast: 15, slow: 30 },
      sizing: { kind: 'fixed', qty: 10 },
      cash: 10000,
      to: '1996-12-31',
    })) as { runId: string; status: string; bars: number; cycles: Record<string, number> };
    assert.equal(r.status, 'ok');
    assert.equal(db.runs.getRun(r.runId)!.kind, 'backtest');
    assert.ok(artifacts && artifacts.equity.length > 0 && artifacts.closedTrades.length > 0);
    // A backtest records only its exceptions by default: every cycle was ok, so none has a row.
    assert.equal(r.cycles.ok, r.bars);
    assert.deepEqual(db.runs.listRuns({ parentRunId: r.runId, limit: 10 }), []);
    await assert.rejects(engine.runBacktest({ strategy: 'sma-cross' }), (e: OrdinisError) => e.code === 'E_CFG_INVALID' && /dataFiles/.test(e.message));
  } finally {
    await engine.stop();
    db.close();
  }
});

test('an engine without a backtest driver refuses runBacktest with E_ORCH_NOT_RUNNING', async () => {
  const { engine } = makeEngine();
  await assert.rejects(engine.runBacktest({}), (e: OrdinisError) => e.code === 'E_ORCH_NOT_RUNNING' && /no backtest driver/.test(e.message));
});
