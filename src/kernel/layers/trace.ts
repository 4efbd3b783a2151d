// Tracing: the cycle's root span `orch.cycle` (its trace id is the cycle's) and a span per
// stage attempt, `orch.stage.<name>`, beneath it. Composed only where someone reads traces
// (paper and live by default; a backtest when asked): without it a cycle's trace id is all
// zeros and no span is made. A root span that the tracer does not record (the API's no-op
// tracer) gets no stage spans and is not made current: nothing could read them.

import { context, INVALID_SPAN_CONTEXT, isSpanContextValid, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { whenDone, type Layer } from '../compose.ts';
import { CYCLE_SPAN, STAGE_SPANS, ATTR } from '../span-names.ts';
import type { CycleState, StageStep } from '../cycle-state.ts';
import type { BudgetOutcome } from '../budget.ts';

export function traceCycleLayer(tracer: Tracer): Layer<CycleState> {
  return (c, next) => {
    const parent = context.active();
    const root = tracer.startSpan(CYCLE_SPAN, { attributes: { [ATTR.correlationId]: c.correlationId, [ATTR.mode]: c.mode, [ATTR.trigger]: c.trigger.kind } }, parent);
    const sc = root.spanContext();
    c.traceId = sc.traceId;
    c.spanId = sc.spanId;
    const end = () => endCycleSpan(root, c);
    // (The no-op tracer's span carries the shared invalid context: no hex validation needed.)
    if (sc === INVALID_SPAN_CONTEXT || !isSpanContextValid(sc)) return whenDone(next(c), end);
    const active = trace.setSpan(parent, root);
    c.spanContext = active;
    // Under context.with, promise continuations of the cycle keep the span current too.
    return whenDone(context.with(active, () => next(c)), end);
  };
}

/** Around each attempt of a stage of a traced cycle: its own span, current while the stage runs. */
export function traceAttemptLayer(tracer: Tracer): Layer<StageStep> {
  return (s, next) => {
    const parent = s.cycle.spanContext;
    if (!parent) return next(s);
    const name = s.spec.name;
    const span = tracer.startSpan(STAGE_SPANS[name], { attributes: { [ATTR.correlationId]: s.cycle.correlationId, [ATTR.stage]: name, [ATTR.attempt]: s.attempt } }, parent);
    return whenDone(context.with(trace.setSpan(parent, span), () => next(s)), () => endStageSpan(span, s.outcome));
  };
}

function endCycleSpan(root: Span, c: CycleState): void {
  const r = c.result;
  if (r) {
    root.setAttribute(ATTR.status, r.status);
    if (r.status === 'failed') root.setStatus({ code: SpanStatusCode.ERROR, message: r.errors[0]?.message ?? 'failed' });
  }
  root.end();
}

function endStageSpan(span: Span, r: BudgetOutcome<unknown> | undefined): void {
  if (r) {
    span.setAttribute(ATTR.status, r.ok ? 'ok' : r.timedOut ? 'timed_out' : 'failed');
    if (!r.ok) {
      span.setAttribute(ATTR.errorCode, r.error.code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: r.error.message });
    }
  }
  span.end();
}
