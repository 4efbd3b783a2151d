// Sweeps on SQLite (sqlite-sweep-store.ts, migration 8): a definition and its results survive
// a reopen bit for bit, a point is stored once, the same definition again is a new sweep.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTempDatabase } from './temp-database.ts';
import { OrdinisError } from '../../src/errors.ts';
import type { SweepResult } from '../../src/modes/sweep/sweep-outcome.ts';
import type { SweepSpec } from '../../src/modes/sweep/sweep-spec.ts';

const SPEC: SweepSpec = {
  flags: { data: ['orcl.csv'], symbols: 'ORCL' },
  grid: ['fast=5,10'],
  samples: null,
  seed: 42,
  objective: 'sharpe',
  defaults: { cash: 100_000, commission: { kind: 'none' }, strategy: { strategy: 'sma-cross', params: {} } },
  config: { ORCH_SEED: 42 },
  cwd: '/tmp',
  strategyFile: null,
};

const result = (index: number, finalValue: number): SweepResult => ({
  index,
  params: { fast: 5 + 5 * index, mode: 'x' },
  runId: `bt-${index}`,
  status: 'ok',
  finalValue,
  totalReturnPct: 100 * (finalValue / 100_000 - 1),
  maxDrawdownPct: 0.1 + 0.2,
  trades: 3,
  kpis: { totalReturnPct: 1 / 3, annualizedReturnPct: null, volatilityPct: 2 ** -40, sharpe: -0.1, sortino: null, maxDrawdownPct: 0.30000000000000004, maxDrawdownMoney: 5, calmar: null, winRatePct: 50, profitFactor: 1.25, exposurePct: 10, turnover: 0.5, fees: 0, trades: 3, bars: 100 },
  error: null,
});

test('definition and results round-trip through a reopen, every double bit for bit, in index order', (t) => {
  const temp = openTempDatabase(t);
  const id = temp.db.sweeps.create('sw-abc', SPEC, 2);
  assert.equal(id, 'sw-abc');
  const refused: SweepResult = { ...result(1, 100_000), runId: null, status: 'failed', kpis: null, error: { code: 'E_CFG_INVALID', message: 'fast must be less than slow' } };
  temp.db.sweeps.putResult(id, refused);
  temp.db.sweeps.putResult(id, result(0, 100_063.49995999999));
  const db = temp.reopen();
  const stored = db.sweeps.get(id)!;
  assert.deepEqual(stored.spec, SPEC);
  assert.equal(stored.points, 2);
  assert.deepEqual(db.sweeps.results(id), [result(0, 100_063.49995999999), refused]);
  assert.deepEqual([...db.sweeps.doneIndexes(id)].sort(), [0, 1]);
  assert.equal(db.sweeps.get('sw-none'), undefined);
});

test('a point is stored once; the same definition again is a new sweep with a counter', (t) => {
  const { db } = openTempDatabase(t);
  const id = db.sweeps.create('sw-abc', SPEC, 2);
  db.sweeps.putResult(id, result(0, 1));
  assert.throws(() => db.sweeps.putResult(id, result(0, 2)), (e: unknown) => e instanceof OrdinisError && e.code === 'E_DB_CONSTRAINT');
  assert.equal(db.sweeps.results(id)[0]!.finalValue, 1, 'the first result stands');
  assert.equal(db.sweeps.create('sw-abc', SPEC, 2), 'sw-abc-2');
  assert.equal(db.sweeps.create('sw-abc', SPEC, 2), 'sw-abc-3');
  assert.deepEqual(db.sweeps.results('sw-abc-2'), []);
});
