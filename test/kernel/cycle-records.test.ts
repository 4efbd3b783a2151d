// `records: 'exceptions'` (what a backtest uses to skip per-cycle records): an ok cycle leaves
// no run row or CycleResult; any other cycle leaves exactly the row and artifact 'all' would
// have left, written at its end. The cycles themselves run the same either way.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { OrdinisError } from '../../src/errors.ts';
import { cycleResultDocument, type CycleResult } from '../../src/kernel/cycle-result.ts';
import type { Stage, StageName } from '../../src/kernel/stage-contract.ts';
import { EMPTY_OUTPUTS, makeEngine, scriptedStages, type Behaviour } from '../support/engine-harness.ts';
import { openTempDatabase } from '../persistence/temp-database.ts';

const trigger = { kind: 'manual' as const };

/** Cycle 0 ok, 1 degraded (ANA fails), 2 failed (FEAT fails), 3 ok, 4 blocked (kill switch). */
const behaviours: Partial<Record<StageName, Behaviour>> = {
  ANA: (ctx) => {
    if (ctx.cycleIndex === 1) throw new OrdinisError('E_ANA_COMPUTE_FAILED', 'no');
    return EMPTY_OUTPUTS.ANA;
  },
  FEAT: (ctx) => {
    if (ctx.cycleIndex === 2) throw new OrdinisError('E_FEAT_COMPUTE_FAILED', 'no');
    return EMPTY_OUTPUTS.FEAT;
  },
};

async function fiveCycles(t: TestContext, records: 'all' | 'exceptions') {
  const { db } = openTempDatabase(t);
  const h = makeEngine({ behaviours, runStore: db.runs });
  h.engine.start();
  const results: CycleResult[] = [];
  for (let i = 0; i < 5; i++) {
    if (i === 4) h.kill.activate('halt', 'alice');
    results.push(await h.engine.runCycle(trigger, { parentRunId: 'bt-parent', records }));
  }
  const rows = results.map((r) => db.runs.getRun(r.correlationId));
  const artifacts = results.map((r) => db.runs.listArtifacts(r.correlationId).map((a) => ({ kind: a.kind, content: a.content })));
  return { results, rows, artifacts, calls: h.calls };
}

test("records 'exceptions': only the cycles that did not end ok are recorded, exactly as 'all' records them", async (t) => {
  const all = await fiveCycles(t, 'all');
  const lean = await fiveCycles(t, 'exceptions');
  assert.deepEqual(lean.results.map((r) => r.status), ['ok', 'degraded', 'failed', 'ok', 'blocked']);
  assert.deepEqual(
    lean.results.map((r) => ({ ...r, durationMs: 0, stageResults: r.stageResults.map((s) => ({ ...s, durationMs: 0 })) })),
    all.results.map((r) => ({ ...r, durationMs: 0, stageResults: r.stageResults.map((s) => ({ ...s, durationMs: 0 })) })),
    'the same cycles (up to timings)',
  );
  assert.deepEqual(lean.calls, all.calls, 'the same stages ran');
  for (const i of [0, 3]) {
    assert.equal(lean.rows[i], undefined, `ok cycle ${i} leaves no run row`);
    assert.deepEqual(lean.artifacts[i], [], `ok cycle ${i} leaves no artifact`);
    assert.ok(all.rows[i], "'all' records it");
  }
  for (const i of [1, 2, 4]) {
    assert.deepEqual(lean.rows[i], all.rows[i], `cycle ${i}: the same run row`);
    assert.equal(lean.rows[i]!.status, lean.results[i]!.status);
    assert.equal(lean.rows[i]!.parentRunId, 'bt-parent');
    assert.equal(lean.artifacts[i]!.length, 1);
    assert.equal(lean.artifacts[i]![0]!.kind, 'cycle_result');
    assert.deepEqual(lean.artifacts[i]![0]!.content, JSON.parse(JSON.stringify(cycleResultDocument(lean.results[i]!))), `cycle ${i}: its CycleResult`);
  }
});

test("records 'exceptions' with the database gone: the cycle runs (nothing is written first), its record's failure is on the result", async (t) => {
  const { db } = openTempDatabase(t);
  const h = makeEngine({ behaviours: { ANA: () => { throw new OrdinisError('E_ANA_COMPUTE_FAILED', 'no'); } }, runStore: db.runs });
  h.engine.start();
  db.close();
  const r = await h.engine.runCycle(trigger, { parentRunId: 'bt-parent', records: 'exceptions' });
  assert.equal(r.status, 'degraded');
  assert.deepEqual(h.calls, ['ING', 'FEAT', 'SIG', 'RISK', 'EXEC', 'PORT', 'ANA', 'AUDIT']);
  assert.ok(r.errors.some((e) => e.code === 'E_DB_UNAVAILABLE'), JSON.stringify(r.errors));
  assert.ok(h.warnings.includes('cycle result not persisted'));
});

test("an ok cycle nothing records is not summarised: 'exceptions' skips every stage's summarize, 'all' and a failed cycle keep the summaries", async () => {
  const summarized: string[] = [];
  const run = async (records: 'all' | 'exceptions', failFeat: boolean) => {
    const calls: string[] = [];
    const stages = scriptedStages(calls, failFeat ? { FEAT: () => { throw new OrdinisError('E_FEAT_COMPUTE_FAILED', 'no'); } } : {});
    for (const name of ['ING', 'SIG'] as const) {
      (stages[name] as Stage).summarize = () => {
        summarized.push(`${records}:${name}`);
        return { seen: name };
      };
    }
    const h = makeEngine({ stages });
    h.engine.start();
    return h.engine.runCycle(trigger, { records });
  };
  const lean = await run('exceptions', false);
  assert.equal(lean.status, 'ok');
  assert.deepEqual(summarized, [], 'no summarize call for an unrecorded ok cycle');
  assert.ok(lean.stageResults.every((s) => s.output === null));
  const all = await run('all', false);
  assert.deepEqual(summarized, ['all:ING', 'all:SIG']);
  assert.deepEqual(all.stageResults.find((s) => s.stage === 'SIG')!.output, { seen: 'SIG' });
  summarized.length = 0;
  const failed = await run('exceptions', true);
  assert.equal(failed.status, 'failed');
  assert.deepEqual(summarized, ['exceptions:ING'], 'a recorded (failed) cycle summarises the stages that ran ok');
  assert.deepEqual(failed.stageResults.find((s) => s.stage === 'ING')!.output, { seen: 'ING' });
});
