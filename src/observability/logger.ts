// JSON logs (pino): one object per line with `level` (a name), `time` (RFC 3339), `component`
// and `msg`; cycle-scoped children add `correlation_id`, `trace_id` and `span_id` so a log
// line can be joined to its trace and run. Logs go to stderr by default, keeping stdout for
// command output; tests pass a stream of their own.

import pino from 'pino';
import { isSpanContextValid, trace, type Span } from '@opentelemetry/api';

export type Logger = pino.Logger;
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface LoggerOptions {
  level?: LogLevel;
  /** Which part of the system logs: "orch", "cli", "server", "bus", ... */
  component: string;
  /** Where lines go; default stderr (synchronous, so nothing is lost on exit). */
  destination?: pino.DestinationStream;
}

/** Fields that may carry credentials, masked wherever they appear one level deep. */
export const REDACTED_LOG_PATHS = [
  'API_TOKEN',
  '*.API_TOKEN',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
];

/** Each logger made here, mapped to its root, so a component can be replaced rather than repeated. */
const roots = new WeakMap<Logger, Logger>();

export function createLogger(options: LoggerOptions): Logger {
  const root = pino(
    {
      level: options.level ?? 'info',
      base: {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_LOG_PATHS, censor: '***' },
    },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
  const logger = root.child({ component: options.component });
  roots.set(logger, root);
  return logger;
}

/**
 * A logger for a sub-component ("orch.engine", "kill-switch"), sharing level, destination and
 * other bindings. Pino appends child bindings, so the child is made from the root with the
 * component replaced; otherwise a line would carry `component` twice.
 */
export function componentLogger(logger: Logger, component: string): Logger {
  const root = roots.get(logger);
  if (!root) return logger.child({ component });
  const { component: _previous, ...rest } = logger.bindings();
  const child = root.child({ ...rest, component });
  child.level = logger.level;
  roots.set(child, root);
  return child;
}

/** Trace ids given directly, for code that holds them without a span. */
export interface TraceIds {
  traceId: string;
  spanId?: string;
}

/**
 * A child logger for one cycle (or request): correlation_id plus the trace_id/span_id of the
 * given span, or of the active span when none is given. With tracing off there is no valid
 * span and the trace fields are left out rather than logged as zeros.
 */
export function withTraceContext(logger: Logger, correlationId: string, from: Span | TraceIds | undefined = trace.getActiveSpan()): Logger {
  const bindings: Record<string, string> = { correlation_id: correlationId };
  if (from !== undefined) {
    if ('spanContext' in from) {
      const sc = from.spanContext();
      if (isSpanContextValid(sc)) {
        bindings.trace_id = sc.traceId;
        bindings.span_id = sc.spanId;
      }
    } else {
      bindings.trace_id = from.traceId;
      if (from.spanId !== undefined) bindings.span_id = from.spanId;
    }
  }
  const child = logger.child(bindings);
  const root = roots.get(logger);
  if (root) roots.set(child, root);
  return child;
}
