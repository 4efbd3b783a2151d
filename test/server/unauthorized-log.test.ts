// Issue 11, item 13 (last bullet): a flood of unauthorized requests to the kill routes logs
// one line per burst (the first request in full, then a count), not one line per request.
// A real server and its log sink (the harness collects what the server logs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, startOps } from './ops-harness.ts';

const FLOOD = 60;

test('a flood of 401s on the kill routes: the first is logged, the rest as a count, nothing logged as a mutation', async (t) => {
  const ops = await startOps(t, { unauthorizedLogIntervalMs: 1_000 });
  for (let i = 0; i < FLOOD; i++) {
    const path = i % 2 === 0 ? '/kill/activate' : '/kill/deactivate';
    assertError(await ops.post(path, { reason: 'x', actor: 'mallory' }, { token: i % 3 === 0 ? null : 'wrong-token' }), 401, 'E_API_UNAUTHORIZED');
  }
  assert.equal(ops.kill.isActive(), false);
  // The count goes out at the end of the interval, even with no request after it.
  const isUnauthorized = (m: string | undefined): boolean => (m ?? '').startsWith('ops API: unauthorized request');
  for (let waited = 0; waited < 10_000; waited += 50) {
    const lines = ops.logs.filter((l) => isUnauthorized(l.msg));
    const counted = lines.reduce((n, l) => n + (typeof l.obj.count === 'number' ? l.obj.count : 1), 0);
    if (counted >= FLOOD) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const lines = ops.logs.filter((l) => isUnauthorized(l.msg));
  const full = lines.filter((l) => l.obj.count === undefined);
  const summaries = lines.filter((l) => typeof l.obj.count === 'number');
  assert.equal(full[0]?.obj.path, '/kill/activate', 'the first request is logged in full');
  assert.equal(full[0]?.obj.code, 'E_API_UNAUTHORIZED');
  assert.equal(full.length + summaries.reduce((n, l) => n + (l.obj.count as number), 0), FLOOD, 'every request is accounted for');
  assert.ok(summaries.length >= 1, 'the rest are summed up');
  // One summary per second of flood: a handful of lines, however slow this machine is today.
  assert.ok(lines.length < FLOOD / 4, `${lines.length} log lines for ${FLOOD} requests`);
  assert.equal(ops.logs.filter((l) => l.msg === 'ops API mutation').length, 0, 'a refused request is not logged as a mutation');
});

test('after a quiet interval the next unauthorized request is logged in full again; authorized mutations are still logged each', async (t) => {
  const ops = await startOps(t, { unauthorizedLogIntervalMs: 100 });
  assertError(await ops.post('/kill/activate', { reason: 'x', actor: 'm' }, { token: 'bad' }), 401, 'E_API_UNAUTHORIZED');
  // Quiet: the burst closes after an interval with no request (no summary: nothing counted).
  for (let waited = 0; waited < 5_000 && ops.logs.filter((l) => (l.msg ?? '').startsWith('ops API: unauthorized')).length < 2; waited += 50) {
    if (waited >= 500) assertError(await ops.post('/kill/activate', { reason: 'x', actor: 'm' }, { token: 'bad' }), 401, 'E_API_UNAUTHORIZED');
    await new Promise((r) => setTimeout(r, 50));
  }
  const full = ops.logs.filter((l) => l.msg === 'ops API: unauthorized request');
  assert.equal(full.length, 2, 'two bursts, each logged in full');
  assert.equal((await ops.post('/kill/activate', { reason: 'drill', actor: 'alice' })).status, 200);
  assert.equal(ops.logs.filter((l) => l.msg === 'ops API mutation').length, 1);
});
