// One engine wired the way entry points wire it: spans to an in-memory exporter, metrics in
// its own registry, run rows and CycleResults in a real SQLite file. Cycles of every status,
// a failed and a timed-out stage, and a database that goes away.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { OrdinisError } from '../../src/errors.ts';
import { setupTracing } from '../../src/observability/tracing.ts';
import { createOrchMetrics } from '../../src/observability/metrics.ts';
import { createEngineObserver } from '../../src/observability/engine-observer.ts';
import { openDatabase } from '../../src/persistence/database.ts';
import { EMPTY_OUTPUTS, makeEngine, type Behaviour } from '../support/engine-harness.ts';
import type { StageName } from '../../src/kernel/stage-contract.ts';

const tracing = setupTracing({ exporter: 'memory', serviceName: 'ordinis-test' });
after(() => tracing.shutdown());
const dir = mkdtempSync(join(tmpdir(), 'ordinis-obs-'));

function wired(behaviours: Partial<Record<StageName, Behaviour>>, dbFile = join(dir, `${Math.random().toString(36).slice(2)}.db`)) {
  const db = openDatabase({ path: dbFile });
  const metrics = createOrchMetrics();
  const h = makeEngine({ behaviours, runStore: db.runs, tracer: tracing.tracer, observer: createEngineObserver({ metrics }), specOverrides: { SIG: { budgetMs: 30 } }, settings: { retryMax: 0 } });
  h.engine.start();
  return { ...h, db, metrics };
}

test('spans: one orch.cycle root with orch.stage.<name> children carrying correlation id, attempt, status and error code', async () => {
  tracing.memoryExporter!.reset();
  const { engine } = wired({ ANA: () => { throw new OrdinisError('E_ANA_COMPUTE_FAILED', 'x'); }, SIG: () => new Promise(() => {}) });
  const r = await engine.runCycle({ kind: 'manual' });
  await tracing.forceFlush();
  const spans = tracing.memoryExporter!.getFinishedSpans();
  const root = spans.find((s) => s.name === 'orch.cycle')!;
  assert.equal(root.attributes['ordinis.correlation_id'], r.correlationId);
  assert.equal(root.spanContext().traceId, r.traceId);
  const children = spans.filter((s) => s.name.startsWith('orch.stage.'));
  assert.deepEqual(children.map((s) => s.name), ['orch.stage.ING', 'orch.stage.FEAT', 'orch.stage.SIG', 'orch.stage.AUDIT']);
  for (const c of children) {
    assert.equal(c.parentSpanContext?.spanId, root.spanContext().spanId);
    assert.equal(c.attributes['ordinis.correlation_id'], r.correlationId);
    assert.equal(c.attributes['ordinis.attempt'], 1);
  }
  const sig = children.find((s) => s.name === 'orch.stage.SIG')!;
  assert.equal(sig.attributes['ordinis.status'], 'timed_out');
  assert.equal(sig.attributes['ordinis.error_code'], 'E_ORCH_TIMEOUT');
});

test('metrics read back from the registry: cycles by status, stage latency, failures by code', async () => {
  let n = 0;
  const { engine, metrics, kill } = wired({
    ANA: () => { if (n++ === 0) throw new OrdinisError('E_ANA_COMPUTE_FAILED', 'x'); return EMPTY_OUTPUTS.ANA; },
    SIG: (ctx) => (ctx.cycleIndex === 2 ? new Promise(() => {}) : []),
  });
  await engine.runCycle({ kind: 'manual' }); // degraded (ANA)
  await engine.runCycle({ kind: 'manual' }); // ok
  await engine.runCycle({ kind: 'manual' }); // failed (SIG timed out)
  kill.activate('halt', 'alice');
  await engine.runCycle({ kind: 'manual' }); // blocked
  const json = await metrics.registry.getMetricsAsJSON();
  const metric = (name: string) => json.find((m) => m.name === name)!;
  const cycles = Object.fromEntries(metric('ordinis_cycles_total').values.map((v) => [v.labels.status, v.value]));
  assert.deepEqual(cycles, { ok: 1, degraded: 1, failed: 1, blocked: 1 });
  const fails = metric('ordinis_stage_failures_total').values.map((v) => `${v.labels.stage}:${v.labels.error_code}=${v.value}`).sort();
  assert.deepEqual(fails, ['ANA:E_ANA_COMPUTE_FAILED=1', 'SIG:E_ORCH_TIMEOUT=1']);
  const ingCount = metric('ordinis_stage_duration_seconds').values.find((v) => v.labels.stage === 'ING' && (v as { metricName?: string }).metricName === 'ordinis_stage_duration_seconds_count');
  assert.equal(ingCount?.value, 4);
  const text = await metrics.registry.metrics();
  assert.match(text, /^ordinis_cycle_duration_seconds_count 4$/m);
});

test('every cycle writes its run row and CycleResult artifact, whatever its status', async () => {
  const { engine, db, kill } = wired({ FEAT: (ctx) => { if (ctx.cycleIndex === 1) throw new OrdinisError('E_FEAT_COMPUTE_FAILED', 'bad'); return EMPTY_OUTPUTS.FEAT; } });
  const ok = await engine.runCycle({ kind: 'manual' });
  const failed = await engine.runCycle({ kind: 'manual' });
  kill.activate('halt', 'alice');
  const blocked = await engine.runCycle({ kind: 'manual' });
  for (const [r, status] of [[ok, 'ok'], [failed, 'failed'], [blocked, 'blocked']] as const) {
    const row = db.runs.getRun(r.correlationId)!;
    assert.equal(row.status, status);
    assert.ok(row.finishedAt);
    assert.notEqual(row.commitHash, '');
    const [art] = db.runs.listArtifacts(r.correlationId, 'cycle_result');
    assert.equal(art!.schemaVersion, '1.0.0');
    assert.equal((art!.content as { status: string }).status, status);
  }
  assert.deepEqual(db.runs.getRun(failed.correlationId)!.errorCodes, ['E_ORCH_STAGE_FAILED', 'E_FEAT_COMPUTE_FAILED']);
  db.close();
});

test('a database that is read-only or disappears fails the cycle closed before any side effect', async () => {
  // Read-only: opened read-only (SQLite enforces it even for root, unlike file modes).
  const file = join(dir, 'ro.db');
  openDatabase({ path: file }).close();
  const ro = openDatabase({ path: file, readonly: true });
  const roCalls: string[] = [];
  const h = makeEngine({ runStore: ro.runs, behaviours: { EXEC: () => { roCalls.push('EXEC'); return EMPTY_OUTPUTS.EXEC; } } });
  h.engine.start();
  const rr = await h.engine.runCycle({ kind: 'manual' });
  assert.equal(rr.status, 'failed');
  assert.ok(rr.errors.some((e) => e.code === 'E_DB_UNAVAILABLE'), JSON.stringify(rr.errors));
  assert.deepEqual(roCalls, []);
  ro.close();
  // Gone: the directory holding the database is deleted under the running engine.
  const goneDir = mkdtempSync(join(tmpdir(), 'ordinis-gone-'));
  const calls: string[] = [];
  const g = wired({ EXEC: () => { calls.push('EXEC'); return EMPTY_OUTPUTS.EXEC; } }, join(goneDir, 'gone.db'));
  rmSync(goneDir, { recursive: true, force: true });
  const r = await g.engine.runCycle({ kind: 'manual' });
  assert.equal(r.status, 'failed');
  assert.ok(r.errors.some((e) => e.code === 'E_DB_UNAVAILABLE'));
  assert.deepEqual(calls, [], 'EXEC never ran');
  assert.equal(r.stageResults.find((s) => s.stage === 'EXEC')!.status, 'skipped');
  g.db.close();
});
