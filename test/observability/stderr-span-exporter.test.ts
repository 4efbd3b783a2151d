import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { StderrJsonSpanExporter } from '../../src/observability/stderr-span-exporter.ts';

test('the console exporter writes one JSON line per span, with ids and attributes', async () => {
  const lines: string[] = [];
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new StderrJsonSpanExporter((l) => lines.push(l)))] });
  const tracer = provider.getTracer('t');
  tracer.startActiveSpan('orch.cycle', (root) => {
    tracer.startSpan('orch.stage.ING', { attributes: { 'ordinis.stage': 'ING' } }, trace.setSpan(context.active(), root)).end();
    root.end();
  });
  await provider.forceFlush();
  assert.equal(lines.length, 2);
  const [child, root] = lines.map((l) => JSON.parse(l));
  assert.ok(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n')));
  assert.equal(child.span, 'orch.stage.ING');
  assert.equal(child.attributes['ordinis.stage'], 'ING');
  assert.equal(root.span, 'orch.cycle');
  assert.equal(child.trace_id, root.trace_id);
  assert.equal(child.parent_span_id, root.span_id);
  await provider.shutdown();
});
