import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { DeferredSpanExporter } from '../../src/observability/deferred-span-exporter.ts';
import { setupTracing } from '../../src/observability/tracing.ts';

/** Records each batch it is handed, and whether that happened inside the caller's turn. */
class RecordingExporter implements SpanExporter {
  batches: string[][] = [];
  shutdowns = 0;
  throwOnExport = false;
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    if (this.throwOnExport) throw new Error('transport exploded');
    this.batches.push(spans.map((s) => s.name));
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    this.shutdowns++;
    return Promise.resolve();
  }
}

function endSpans(provider: BasicTracerProvider, n: number, prefix = 's'): void {
  const tracer = provider.getTracer('t');
  for (let i = 0; i < n; i++) tracer.startSpan(`${prefix}${i}`, {}, ROOT_CONTEXT).end();
}

test('a full batch is exported on the next turn, not inside the span.end() that filled it', async () => {
  const inner = new RecordingExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(new DeferredSpanExporter(inner), { maxExportBatchSize: 4, scheduledDelayMillis: 60_000 })],
  });
  endSpans(provider, 4);
  assert.equal(inner.batches.length, 0, 'the fourth end() returned without exporting');
  await nextTurn();
  assert.deepEqual(inner.batches, [['s0', 's1', 's2', 's3']]);
  await provider.shutdown();
});

test('forceFlush and shutdown still deliver every span, then shut the real exporter down once', async () => {
  const inner = new RecordingExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(new DeferredSpanExporter(inner), { maxExportBatchSize: 4, scheduledDelayMillis: 60_000 })],
  });
  endSpans(provider, 6);
  await provider.forceFlush();
  assert.deepEqual(inner.batches.flat(), ['s0', 's1', 's2', 's3', 's4', 's5']);
  endSpans(provider, 2, 'late');
  await provider.shutdown();
  assert.deepEqual(inner.batches.flat().slice(6), ['late0', 'late1']);
  assert.equal(inner.shutdowns, 1);
});

test('an exporter that throws is reported to the processor as a failed export, not as an uncaught error', async () => {
  const inner = new RecordingExporter();
  inner.throwOnExport = true;
  const results: ExportResult[] = [];
  new DeferredSpanExporter(inner).export([], (r) => results.push(r));
  await nextTurn();
  assert.equal(results.length, 1);
  assert.equal(results[0]!.code, ExportResultCode.FAILED);
  assert.match(String(results[0]!.error?.message), /transport exploded/);
});

test('setupTracing batches through the deferred exporter: 512 ended spans leave nothing exported in the same turn', async () => {
  const inner = new RecordingExporter();
  const tracing = setupTracing({ exporter: 'otlp', batchExporter: inner, serviceName: 'ordinis-test', registerGlobal: false });
  try {
    for (let i = 0; i < 512; i++) tracing.tracer.startSpan(`x${i}`, {}, ROOT_CONTEXT).end();
    assert.equal(inner.batches.length, 0);
    await nextTurn();
    assert.equal(inner.batches.length, 1);
    assert.equal(inner.batches[0]!.length, 512);
  } finally {
    await tracing.shutdown();
  }
});
