import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, register as globalRegistry } from 'prom-client';
import { createOrchMetrics } from '../../src/observability/metrics.ts';

type Json = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** The sample of `name` (or its `_bucket`/`_count`/`_sum` series) whose labels are exactly `labels`. */
function value(json: Json, name: string, labels: Record<string, string> = {}, series = name): number | undefined {
  const m = json.find((x) => x.name === name);
  assert.ok(m, `metric ${name} missing`);
  const wanted = Object.entries(labels);
  const v = m.values.find((x) => {
    const sampleName = (x as { metricName?: string }).metricName ?? name;
    const got = Object.entries(x.labels);
    return sampleName === series && got.length === wanted.length && wanted.every(([k, w]) => String(x.labels[k]) === w);
  });
  return v?.value;
}

test('orchestrator metrics read back from the engine\'s own registry', async () => {
  const m = createOrchMetrics();
  m.cycleFinished('ok', 12);
  m.cycleFinished('ok', 40);
  m.cycleFinished('failed', 3000);
  m.stageLatency('ING', 0.3);
  m.stageLatency('EXEC', 120);
  m.stageFailed('EXEC', 'E_EXEC_BROKER_UNAVAILABLE');
  m.stageFailed('EXEC', 'E_EXEC_BROKER_UNAVAILABLE');
  m.stageFailed('ANA', 'E_ANA_COMPUTE_FAILED');
  m.stageRetried('EXEC');
  m.cycleSkipped('cycle_in_progress');
  m.setConsecutiveFailedCycles(1);
  m.setKillState(true);
  m.killActivated('ledger_invariant');
  m.auditFailed();
  m.alertRaised('audit_failure');

  const json = await m.registry.getMetricsAsJSON();
  assert.equal(value(json, 'ordinis_cycles_total', { status: 'ok' }), 2);
  assert.equal(value(json, 'ordinis_cycles_total', { status: 'failed' }), 1);
  assert.equal(value(json, 'ordinis_cycles_total', { status: 'degraded' }), 0, 'zero-initialised');
  assert.equal(value(json, 'ordinis_cycle_duration_seconds', {}, 'ordinis_cycle_duration_seconds_count'), 3);
  assert.ok(Math.abs(value(json, 'ordinis_cycle_duration_seconds', {}, 'ordinis_cycle_duration_seconds_sum')! - 3.052) < 1e-12, 'observed in seconds');
  assert.equal(value(json, 'ordinis_cycle_duration_seconds', { le: '0.05' }, 'ordinis_cycle_duration_seconds_bucket'), 2);
  assert.equal(value(json, 'ordinis_stage_duration_seconds', { stage: 'EXEC' }, 'ordinis_stage_duration_seconds_count'), 1);
  assert.equal(value(json, 'ordinis_stage_duration_seconds', { stage: 'SIG' }, 'ordinis_stage_duration_seconds_count'), 0, 'zero-initialised');
  assert.equal(value(json, 'ordinis_stage_duration_seconds', { stage: 'ING', le: '0.0005' }, 'ordinis_stage_duration_seconds_bucket'), 1);
  assert.equal(value(json, 'ordinis_stage_failures_total', { stage: 'EXEC', error_code: 'E_EXEC_BROKER_UNAVAILABLE' }), 2);
  assert.equal(value(json, 'ordinis_stage_failures_total', { stage: 'ANA', error_code: 'E_ANA_COMPUTE_FAILED' }), 1);
  assert.equal(value(json, 'ordinis_stage_retries_total', { stage: 'EXEC' }), 1);
  assert.equal(value(json, 'ordinis_stage_retries_total', { stage: 'ING' }), 0);
  assert.equal(value(json, 'ordinis_cycles_skipped_total', { reason: 'cycle_in_progress' }), 1);
  assert.equal(value(json, 'ordinis_consecutive_failed_cycles'), 1);
  assert.equal(value(json, 'ordinis_kill_switch_active'), 1);
  assert.equal(value(json, 'ordinis_kill_switch_activations_total', { reason: 'ledger_invariant' }), 1);
  assert.equal(value(json, 'ordinis_audit_failures_total'), 1);
  assert.equal(value(json, 'ordinis_alerts_total', { alert: 'audit_failure' }), 1);

  m.setKillState(false);
  assert.equal(value(await m.registry.getMetricsAsJSON(), 'ordinis_kill_switch_active'), 0);

  const text = await m.registry.metrics();
  assert.match(text, /^# TYPE ordinis_stage_duration_seconds histogram$/m);
  assert.match(text, /^ordinis_stage_duration_seconds_bucket\{le="0.25",stage="EXEC"\} 1$/m);
  assert.match(text, /^ordinis_stage_failures_total\{stage="EXEC",error_code="E_EXEC_BROKER_UNAVAILABLE"\} 2$/m);
});

test('bus metrics, directly and through the bus\'s onMetric kinds', async () => {
  const m = createOrchMetrics();
  m.bus.published('ordinis.market.bar.closed');
  m.bus.onBusMetric({ kind: 'published', topic: 'ordinis.market.bar.closed' });
  m.bus.onBusMetric({ kind: 'published', topic: 'ordinis.signals.generated' });
  m.bus.onBusMetric({ kind: 'dispatched', topic: 'ordinis.signals.generated', dispatchLatencyMs: 0.4 });
  m.bus.onBusMetric({ kind: 'dispatched', topic: 'ordinis.signals.generated' }); // a retry: no latency
  m.bus.onBusMetric({ kind: 'delivered', topic: 'ordinis.signals.generated' });
  m.bus.onBusMetric({ kind: 'failed', topic: 'ordinis.signals.generated' });
  m.bus.failed();
  m.bus.onBusMetric({ kind: 'dead_lettered', topic: 'ordinis.signals.generated' });
  m.bus.onBusMetric({ kind: 'backpressure', topic: 'ordinis.market.bar.closed' });
  m.bus.onBusMetric({ kind: 'retry_scheduled', topic: 'x' }); // not counted here
  m.bus.dispatchLatency(3);

  const json = await m.registry.getMetricsAsJSON();
  assert.equal(value(json, 'ordinis_bus_published_total', { topic: 'ordinis.market.bar.closed' }), 2);
  assert.equal(value(json, 'ordinis_bus_published_total', { topic: 'ordinis.signals.generated' }), 1);
  assert.equal(value(json, 'ordinis_bus_delivered_total'), 1);
  assert.equal(value(json, 'ordinis_bus_failed_total'), 2);
  assert.equal(value(json, 'ordinis_bus_dead_lettered_total'), 1);
  assert.equal(value(json, 'ordinis_bus_backpressure_total', { topic: 'ordinis.market.bar.closed' }), 1);
  assert.equal(value(json, 'ordinis_bus_dispatch_duration_seconds', {}, 'ordinis_bus_dispatch_duration_seconds_count'), 2);
  assert.equal(value(json, 'ordinis_bus_dispatch_duration_seconds', { le: '0.0005' }, 'ordinis_bus_dispatch_duration_seconds_bucket'), 1);
});

test('one registry per engine: instances are independent and the global registry is untouched', async () => {
  const a = createOrchMetrics();
  const b = createOrchMetrics(new Registry());
  a.cycleFinished('ok', 1);
  assert.equal(value(await a.registry.getMetricsAsJSON(), 'ordinis_cycles_total', { status: 'ok' }), 1);
  assert.equal(value(await b.registry.getMetricsAsJSON(), 'ordinis_cycles_total', { status: 'ok' }), 0);
  assert.equal(globalRegistry.getSingleMetric('ordinis_cycles_total'), undefined);
  // The same registry cannot hold two engines' metrics: prom-client refuses duplicate names.
  assert.throws(() => createOrchMetrics(a.registry), /already been registered/);
});

test('process metrics are opt-in', async () => {
  const plain = createOrchMetrics();
  assert.equal((await plain.registry.getMetricsAsJSON()).some((x) => x.name === 'process_cpu_user_seconds_total'), false);
  const withProcess = createOrchMetrics(new Registry(), { processMetrics: true });
  assert.equal((await withProcess.registry.getMetricsAsJSON()).some((x) => x.name === 'process_cpu_user_seconds_total'), true);
});

test('after a registry reset the recorder keeps counting into the reset series, and a non-finite latency is refused', async () => {
  const m = createOrchMetrics();
  m.cycleFinished('ok', 5);
  m.stageLatency('FEAT', 0.2);
  m.bus.dispatchLatency(0.3);
  m.registry.resetMetrics();
  m.cycleFinished('ok', 7);
  m.stageLatency('FEAT', 2);
  m.bus.dispatchLatency(4);
  const json = await m.registry.getMetricsAsJSON();
  assert.equal(value(json, 'ordinis_cycles_total', { status: 'ok' }), 1);
  assert.equal(value(json, 'ordinis_cycle_duration_seconds', {}, 'ordinis_cycle_duration_seconds_sum'), 0.007);
  assert.equal(value(json, 'ordinis_stage_duration_seconds', { stage: 'FEAT' }, 'ordinis_stage_duration_seconds_count'), 1);
  assert.equal(value(json, 'ordinis_stage_duration_seconds', { stage: 'FEAT', le: '0.0025' }, 'ordinis_stage_duration_seconds_bucket'), 1);
  assert.equal(value(json, 'ordinis_stage_duration_seconds', { stage: 'FEAT', le: '0.001' }, 'ordinis_stage_duration_seconds_bucket'), 0);
  assert.equal(value(json, 'ordinis_bus_dispatch_duration_seconds', {}, 'ordinis_bus_dispatch_duration_seconds_sum'), 0.004);
  // prom-client's own validation applies (no path around it).
  assert.throws(() => m.stageLatency('FEAT', Number.NaN), TypeError);
  assert.throws(() => m.cycleFinished('ok', Number.POSITIVE_INFINITY), TypeError);
});
