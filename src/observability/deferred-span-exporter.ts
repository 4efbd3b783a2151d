// An exporter that hands each batch to the real one on the next turn of the event loop.
//
// Why: the SDK's BatchSpanProcessor exports as soon as its buffer holds a full batch (512
// spans), synchronously, inside the span.end() that filled it. The OTLP/HTTP exporter then
// serialises the whole batch before it returns: 2.4-3.8 ms for 512 stage spans on the
// benchmark VM. That end() is a stage span's, in the middle of a cycle: a loop running more
// than about eleven cycles a second fills a batch before the processor's 5 s timer fires, and
// one cycle in every ~57 would carry that pause, possibly just before EXEC. Deferred, the
// serialisation runs between cycles; the processor still waits for the export's callback
// (its flush, forceFlush and shutdown are unchanged), and nothing is dropped.

import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

export class DeferredSpanExporter implements SpanExporter {
  private readonly inner: SpanExporter;

  constructor(inner: SpanExporter) {
    this.inner = inner;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    setImmediate(() => {
      try {
        this.inner.export(spans, resultCallback);
      } catch (e) {
        // An exporter that throws instead of reporting: the processor hears it as a failure.
        resultCallback({ code: ExportResultCode.FAILED, error: e instanceof Error ? e : new Error(String(e)) });
      }
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
