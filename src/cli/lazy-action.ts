// A command's work is imported when the command runs, not when the program is built: the
// work pulls in zod, SQLite, pino, prom-client and OpenTelemetry, and `ordinis --help`,
// `ordinis <cmd> --help` or a mistyped flag must not pay for them (start-up, README's
// Performance). commands/*.ts declare options with commander alone; actions/*.ts do the work.

/** A commander action that imports its implementation on first call and passes the arguments through. */
export function lazyAction<A extends unknown[]>(load: () => Promise<(...args: A) => void | Promise<void>>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const action = await load();
    await action(...args);
  };
}
