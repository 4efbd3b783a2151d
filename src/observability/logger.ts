// JSON logs (pino): one object per line with `level` (a name), `time` (RFC 3339), `component`
// and `msg`; a cycle's lines carry `correlation_id` and `trace_id` (engine-observer.ts) so a
// log line can be joined to its trace and run. Logs go to stderr by default, keeping stdout
// for command output; tests pass a stream of their own.

import pino from 'pino';

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
