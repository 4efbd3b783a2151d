// The `console` trace exporter, but on stderr as one JSON line per span: stdout belongs to
// command output (`--json` must stay parseable), and the SDK's ConsoleSpanExporter writes
// multi-line objects to stdout.

import { ExportResultCode, hrTimeToMicroseconds, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

export class StderrJsonSpanExporter implements SpanExporter {
  constructor(private readonly write: (line: string) => void = (l) => process.stderr.write(l)) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const s of spans) {
      const ctx = s.spanContext();
      this.write(
        `${JSON.stringify({
          span: s.name,
          trace_id: ctx.traceId,
          span_id: ctx.spanId,
          parent_span_id: s.parentSpanContext?.spanId,
          start_us: hrTimeToMicroseconds(s.startTime),
          duration_us: hrTimeToMicroseconds(s.duration),
          status: s.status.code,
          attributes: s.attributes,
        })}\n`,
      );
    }
    done({ code: ExportResultCode.SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
