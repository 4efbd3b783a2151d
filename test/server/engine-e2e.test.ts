// End to end: an OrchestrationEngine sharing its KillSwitch and run store with the ops
// server. The kill switch flipped over HTTP stops the next cycle before SIG, so EXEC never
// runs, and the blocked cycle is visible through /status and /runs/:id.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOps } from './ops-harness.ts';

test('kill switch activated over HTTP blocks the next cycle; EXEC does not run; lifting it restores trading', async (t) => {
  const f = await startOps(t);

  const before = await f.engine.runCycle({ kind: 'manual' });
  assert.equal(before.status, 'ok');
  assert.ok(f.calls.includes('EXEC'));

  const activated = await f.post('/kill/activate', { reason: 'ops drill', actor: 'alice' });
  assert.equal(activated.status, 200, activated.text);

  f.calls.length = 0;
  const blocked = await f.engine.runCycle({ kind: 'manual' });
  assert.equal(blocked.status, 'blocked');
  assert.equal(blocked.blockReason, 'kill switch active: ops drill');
  assert.ok(!f.calls.includes('SIG'), `stages run: ${f.calls.join(',')}`);
  assert.ok(!f.calls.includes('EXEC'), `stages run: ${f.calls.join(',')}`);
  assert.equal(blocked.stageResults.find((s) => s.stage === 'EXEC')?.status, 'blocked');

  const status = await f.api('/status');
  assert.equal(status.json.engine.lastCycle.status, 'blocked');
  assert.equal(status.json.engine.lastCycle.correlationId, blocked.correlationId);
  assert.equal(status.json.engine.counts.blocked, 1);
  assert.equal(status.json.kill.actor, 'alice');

  // The run store the engine wrote is what the API reads back.
  const list = await f.api('/runs?status=blocked');
  assert.deepEqual(
    list.json.runs.map((r: { runId: string }) => r.runId),
    [blocked.correlationId],
  );
  const detail = await f.api(`/runs/${encodeURIComponent(blocked.correlationId)}`);
  assert.equal(detail.json.run.status, 'blocked');
  assert.deepEqual(detail.json.run.errorCodes, ['E_ORCH_BLOCKED']);
  const stages = Object.fromEntries(
    (detail.json.cycle.stages as { stage: string; status: string; note: string | null; attempts: number }[]).map((s) => [s.stage, s]),
  );
  for (const s of ['SIG', 'RISK', 'EXEC']) {
    assert.equal(stages[s].status, 'blocked', s);
    assert.equal(stages[s].attempts, 0, s);
    assert.equal(stages[s].note, 'kill switch active: ops drill', s);
  }
  assert.equal(stages.ING.status, 'ok');
  assert.equal(detail.json.cycle.blockReason, 'kill switch active: ops drill');

  // The audit log holds the HTTP actor's activation; the chain holds.
  const audit = await f.api('/audit/verify');
  assert.equal(audit.json.ok, true);
  assert.ok(f.db.audit.list().some((r) => r.kind === 'kill.activate' && r.actor === 'alice'));

  assert.equal((await f.post('/kill/deactivate', { actor: 'bob' })).status, 200);
  f.calls.length = 0;
  const after = await f.engine.runCycle({ kind: 'manual' });
  assert.equal(after.status, 'ok');
  assert.ok(f.calls.includes('EXEC'));
  assert.equal((await f.api('/status')).json.engine.counts.ok, 2);
});
