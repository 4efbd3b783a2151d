// The strategy `ordinis backtest` and `ordinis paper` run, when it is a user's file: loaded
// and bound to its parameters here, in the command's action, BEFORE the database is opened,
// so a bad file or a rejected parameter leaves no run row, no venue and no paper book
// behind. The pack then reaches the run through a registry holding it alone, under its own
// id (a file's pack may reuse a built-in id: it is the file's that runs).

import { loadStrategyFile, resolveStrategyFile, type StrategyFile } from '../adapters/strategy/strategy-file.ts';
import { isStrategyFileArgument } from '../adapters/strategy/strategy-file-name.ts';
import { StrategyRegistry, type ResolvedStrategy } from '../stages/sig/registry.ts';
import type { StrategyFileFingerprint } from '../modes/paper/paper-book.ts';

/** A built-in id as given, or a file's pack with its registry and what identifies the file. */
export type CliStrategy =
  | { kind: 'builtin'; id: string }
  | { kind: 'file'; id: string; registry: StrategyRegistry; resolved: ResolvedStrategy; source: StrategyFile };

/**
 * `--strategy` and its raw parameters as the run needs them. A built-in id is passed on (the
 * run resolves it, as before); a file is loaded and resolved now: E_SIG_STRATEGY_FILE for
 * the file, E_CFG_INVALID naming it for rejected parameters.
 */
export async function loadCliStrategy(strategy: string, params: Record<string, unknown>, cwd: string = process.cwd()): Promise<CliStrategy> {
  if (!isStrategyFileArgument(strategy)) return { kind: 'builtin', id: strategy };
  const source = await loadStrategyFile(strategy, { cwd });
  const resolved = resolveStrategyFile(source, params, strategy);
  return { kind: 'file', id: source.pack.id, registry: new StrategyRegistry().register(source.pack), resolved, source };
}

/** What a paper book records of a file strategy (absent for a built-in): its version and content. */
export function strategyFileFingerprint(strategy: CliStrategy): StrategyFileFingerprint | undefined {
  if (strategy.kind !== 'file') return undefined;
  const { file, pack, bytes, sha256 } = strategy.source;
  return { file, version: pack.version, bytes, sha256 };
}
