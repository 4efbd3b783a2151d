// Which names are strategy files, apart from the loader (strategy-file.ts) so that the CLI's
// option definitions can tell a file from a built-in id without importing the strategy
// registry and zod (start-up: src/cli/lazy-action.ts).

/** The extensions a strategy file may have; `.ts`/`.mts` need tsx. */
export const STRATEGY_FILE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

/**
 * Whether a `--strategy` argument names a file rather than a built-in id: it contains a path
 * separator or ends in a strategy file extension. Built-in ids (`sma-cross`) never do.
 */
export function isStrategyFileArgument(arg: string): boolean {
  return arg.includes('/') || arg.includes('\\') || STRATEGY_FILE_EXTENSIONS.some((e) => arg.endsWith(e));
}
