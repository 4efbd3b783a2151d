// The record layer on a real SQLite run store: 'all' writes the row before the stages and the
// CycleResult (times RFC 3339) at the end; a row that cannot be written stops the trading path
// when ORCH_FAIL_CLOSED_ON_DB is on; 'none' records nothing and keeps the cycle the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTempDatabase } from '../../persistence/temp-database.ts';
import { makeEngine } from '../../support/engine-harness.ts';
import { recordEveryCycleLayer, type RecordOptions } from '../../../src/kernel/layers/record.ts';
import type { RunStore } from '../../../src/kernel/run-store.ts';
import { cycleState } from './layer-fixtures.ts';

const trigger = { kind: 'manual' as const, at: Date.UTC(2024, 0, 2, 9, 30) };

test("'all': a run row and the CycleResult, its times (numbers in memory) stored as RFC 3339", async (t) => {
  const { db } = openTempDatabase(t);
  const h = makeEngine({ runStore: db.runs });
  h.engine.start();
  const r = await h.engine.runCycle(trigger);
  assert.equal(r.cycleTime, trigger.at, 'in memory the times are numbers');
  const row = db.runs.getRun(r.correlationId)!;
  assert.equal(row.status, 'ok');
  assert.equal(row.startedAt, '2024-01-02T00:00:00.000Z');
  const [artifact] = db.runs.listArtifacts(r.correlationId, 'cycle_result');
  const stored = artifact!.content as { cycleTime: string; startedAt: string; finishedAt: string; status: string };
  assert.equal(stored.cycleTime, '2024-01-02T09:30:00.000Z');
  assert.equal(stored.startedAt, '2024-01-02T00:00:00.000Z');
  assert.equal(stored.finishedAt, '2024-01-02T00:00:00.000Z');
  assert.equal(stored.status, 'ok');
});

test("'none': no row, no artifact, the same cycle", async (t) => {
  const { db } = openTempDatabase(t);
  const h = makeEngine({ runStore: db.runs });
  h.engine.start();
  const r = await h.engine.runCycle(trigger, { records: 'none' });
  assert.equal(r.status, 'ok');
  assert.equal(db.runs.getRun(r.correlationId), undefined);
  assert.deepEqual(db.runs.listArtifacts(r.correlationId), []);
  assert.equal(h.calls.length, 8);
});

test('a run row that cannot be written: fail closed halts the trading path (AUDIT still runs); fail open degrades', () => {
  const broken = {
    startRun() {
      throw new Error('disk full');
    },
    finishRun() {},
    putArtifact: () => 0,
    putConfigSnapshot: () => 'x',
  } satisfies RunStore;
  const options = (failClosedOnDb: boolean): RecordOptions => ({ store: broken, mode: 'paper', codeVersion: '0', commitHash: 'x', configSnapshot: undefined, failClosedOnDb, warn: () => {} });
  const closed = cycleState();
  let ran = 0;
  recordEveryCycleLayer(options(true))(closed, () => void ran++);
  assert.equal(ran, 1, 'the inner layers still run: AUDIT audits the refused cycle');
  assert.equal(closed.failed, true);
  assert.equal(closed.haltNote, 'run metadata not written (fail closed)');
  assert.equal(closed.errors[0]!.code, 'E_DB_UNAVAILABLE');
  const open = cycleState();
  recordEveryCycleLayer(options(false))(open, () => void ran++);
  assert.equal(open.failed, false);
  assert.equal(open.degraded, true);
  assert.equal(open.haltNote, null);
});
