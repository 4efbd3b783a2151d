// Start-up recovery decides per run left 'running' by its recorded owner (a real paper
// runtime on a real SQLite file): gone (the pid now belongs to another start) -> aborted;
// no owner recorded (a row from before schema v6) -> aborted as abandoned, with its own
// reason; alive, or on another host (cannot be checked from here) -> left running, the
// latter with a warning.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { currentProcess } from '../../../src/core/process-identity.ts';
import { openDatabase } from '../../../src/persistence/database.ts';
import type { RunRow } from '../../../src/kernel/run-store.ts';
import { ABORT_REASON, UNOWNED_ABORT_REASON } from '../../../src/modes/recovery/recovery.ts';
import { openPaper, tempDir } from '../paper/paper-support.ts';

function running(runId: string, owner: RunRow['owner'], kind: RunRow['kind'] = 'backtest'): RunRow {
  return { runId, mode: 'backtest', kind, startedAt: '1995-01-01T00:00:00.000Z', finishedAt: null, status: 'running', errorCodes: [], configSnapshotRef: null, codeVersion: '0', commitHash: 'x', parentRunId: null, abortReason: null, owner };
}

test('recovery aborts the runs whose owner is gone or unrecorded and leaves live and remote ones running', async (t) => {
  const path = join(tempDir(t), 'owners.db');
  const me = currentProcess();
  const seed = openDatabase({ path });
  seed.runs.startRun(running('gone', { ...me, startedAt: 'an-earlier-start' }));
  seed.runs.startRun(running('legacy', null, 'cycle'));
  seed.runs.startRun(running('remote', { pid: me.pid, startedAt: me.startedAt, host: `${me.host}-elsewhere` }));
  seed.runs.startRun(running('live', undefined)); // this process: alive
  seed.close();

  const { db, rt } = await openPaper(t, path);
  const rec = rt.recovery;
  assert.equal(rec.ok, true, rec.reasons.join(' | '));
  assert.deepEqual([...rec.abortedRuns].sort(), ['gone', 'legacy']);
  assert.deepEqual(
    rec.runsLeftRunning.map((r) => [r.runId, r.ownerState]),
    [
      ['remote', 'other_host'],
      ['live', 'alive'],
    ],
  );
  assert.ok(rec.warnings.some((w) => w.includes('run remote left running') && w.includes('another host')), rec.warnings.join(' | '));
  assert.match(rec.steps.find((s) => s.step === 'abort_runs')!.detail, /2 run\(s\) marked aborted: .*2 left running: remote \(.*\), live \(its owner, pid \d+ on .*, is alive\)/);

  assert.equal(db.runs.getRun('gone')!.abortReason, ABORT_REASON);
  assert.equal(db.runs.getRun('legacy')!.abortReason, UNOWNED_ABORT_REASON);
  assert.equal(db.runs.getRun('remote')!.status, 'running');
  assert.equal(db.runs.getRun('live')!.status, 'running');
});

test('the abandoned runs are aborted in one transaction: a write that fails part-way leaves every row running and refuses the start', async (t) => {
  const path = join(tempDir(t), 'abort-one-tx.db');
  const me = currentProcess();
  const seed = openDatabase({ path });
  seed.runs.startRun(running('gone', { ...me, startedAt: 'an-earlier-start' }));
  seed.runs.startRun(running('legacy', null, 'cycle'));
  // A real fault inside SQLite: the second write of the step (the unowned run's) is refused.
  seed.handle.exec(`CREATE TRIGGER refuse_unowned_abort BEFORE UPDATE OF status ON runs WHEN NEW.run_id = 'legacy' BEGIN SELECT RAISE(ABORT, 'disk refused the write'); END`);
  seed.close();

  const { db, rt } = await openPaper(t, path);
  const rec = rt.recovery;
  assert.equal(rec.ok, false);
  const step = rec.steps.find((s) => s.step === 'abort_runs')!;
  assert.equal(step.status, 'failed');
  assert.match(step.detail, /runs left running could not be marked aborted: .*disk refused the write/);
  assert.deepEqual(rec.abortedRuns, []);
  // The owner-gone run was written first, in the same transaction: rolled back with it.
  assert.equal(db.runs.getRun('gone')!.status, 'running');
  assert.equal(db.runs.getRun('gone')!.abortReason, null);
  assert.equal(db.runs.getRun('legacy')!.status, 'running');
  assert.deepEqual(rec.steps.filter((s) => s.status === 'skipped').map((s) => s.step), ['ledger', 'audit_record']);
});
