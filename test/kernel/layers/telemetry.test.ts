// The trace, metrics and events layers, through a real engine: composed by default (a root
// span per cycle with a span per stage attempt beneath it, observer figures, the cycle's
// events), and left out when the mode composes no per-cycle telemetry (a backtest): no span,
// no observer call, a trace id of zeros, the same cycle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setupTracing } from '../../../src/observability/tracing.ts';
import { getTracer } from '../../../src/kernel/span-names.ts';
import { makeEngine } from '../../support/engine-harness.ts';
import { OrdinisError } from '../../../src/errors.ts';
import type { EngineObserver } from '../../../src/kernel/engine.ts';

function countingObserver() {
  const seen: string[] = [];
  const observer: EngineObserver = {
    cycleStarted: () => void seen.push('cycleStarted'),
    stageFinished: (_c, r) => void seen.push(`stage ${r.stage}`),
    cycleFinished: () => void seen.push('cycleFinished'),
    warn: () => {},
  };
  return { observer, seen };
}

test('composed: a root span with eight stage spans beneath it, the observer told, the events emitted', async () => {
  const tracing = setupTracing({ exporter: 'memory', serviceName: 'layers', registerGlobal: false });
  try {
    const { observer, seen } = countingObserver();
    const h = makeEngine({ tracer: getTracer(tracing.provider), observer, behaviours: { ANA: () => { throw new OrdinisError('E_ANA_COMPUTE_FAILED', 'no'); } } });
    h.engine.start();
    const r = await h.engine.runCycle({ kind: 'manual' });
    const spans = tracing.memoryExporter!.getFinishedSpans();
    const root = spans.find((s) => s.name === 'orch.cycle')!;
    assert.equal(r.traceId, root.spanContext().traceId);
    const stages = spans.filter((s) => s.name.startsWith('orch.stage.'));
    assert.equal(stages.length, 8);
    assert.ok(stages.every((s) => s.parentSpanContext?.spanId === root.spanContext().spanId));
    assert.equal(root.attributes['ordinis.status'], 'degraded');
    assert.deepEqual(seen, ['cycleStarted', 'stage ING', 'stage FEAT', 'stage SIG', 'stage RISK', 'stage EXEC', 'stage PORT', 'stage ANA', 'stage AUDIT', 'cycleFinished']);
    assert.deepEqual(h.events.topics(), ['ordinis.ops.cycle.started', 'ordinis.ops.stage.failed', 'ordinis.ops.cycle.completed']);
    assert.equal(h.events.events[0]!.meta?.traceId, r.traceId);
  } finally {
    await tracing.shutdown();
  }
});

test('not composed: no span, no observer figure, trace id zeros, the same outcome', async () => {
  const tracing = setupTracing({ exporter: 'memory', serviceName: 'layers-off', registerGlobal: false });
  try {
    const { observer, seen } = countingObserver();
    const h = makeEngine({ tracer: getTracer(tracing.provider), observer, cycleTelemetry: { trace: false, metrics: false } });
    h.engine.start();
    const r = await h.engine.runCycle({ kind: 'manual' });
    assert.equal(r.status, 'ok');
    assert.equal(r.traceId, '0'.repeat(32));
    assert.deepEqual(tracing.memoryExporter!.getFinishedSpans(), []);
    assert.deepEqual(seen, []);
    assert.deepEqual(h.events.topics(), ['ordinis.ops.cycle.started', 'ordinis.ops.cycle.completed'], 'events are not telemetry: still emitted');
  } finally {
    await tracing.shutdown();
  }
});
