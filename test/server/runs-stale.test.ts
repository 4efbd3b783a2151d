// GET /runs and /runs/:id say whether a running run still has a live owner: a run whose
// owner process is gone is `stale: true` (only start-up recovery changes its row).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { currentProcess } from '../../src/core/process-identity.ts';
import { seedRun, startOps } from './ops-harness.ts';

test('GET /runs: a running run whose owner is gone is stale; a live one and a finished one are not', async (t) => {
  const f = await startOps(t);
  const me = currentProcess();
  seedRun(f.db, { runId: 'bt-dead', kind: 'backtest', status: 'running', owner: { ...me, startedAt: 'an-earlier-start' } });
  seedRun(f.db, { runId: 'bt-live', kind: 'backtest', status: 'running' });
  seedRun(f.db, { runId: 'c-done', status: 'ok' });

  const r = await f.api('/runs');
  assert.equal(r.status, 200);
  const byId = new Map((r.json.runs as { runId: string; ownerState: string | null; stale: boolean }[]).map((x) => [x.runId, x]));
  assert.deepEqual([byId.get('bt-dead')?.ownerState, byId.get('bt-dead')?.stale], ['gone', true]);
  assert.deepEqual([byId.get('bt-live')?.ownerState, byId.get('bt-live')?.stale], ['alive', false]);
  assert.deepEqual([byId.get('c-done')?.ownerState, byId.get('c-done')?.stale], [null, false]);

  const one = await f.api('/runs/bt-dead');
  assert.equal(one.status, 200);
  assert.equal(one.json.run.stale, true);
  assert.equal(one.json.run.status, 'running');
});
