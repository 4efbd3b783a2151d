// startupHelpMs: `ordinis --help` of the built package, a fresh process each run: start-up
// alone (node, commander and the commands' option definitions; no command's work is loaded,
// cli/lazy-action.ts). Beside it, `node -e 0` the same number of times, alternated, so a
// reader can tell the CLI's share from the machine's floor for any Node process.

import { ensureBuilt, timedOrdinis, timedProcess } from './lib/built-cli.ts';
import { median, round } from './lib/stats.ts';

export interface StartupFigures {
  median: number;
  nodeBareMs: number;
  runs: number;
}

export function benchStartupHelp(quick: boolean, root: string): StartupFigures {
  process.stderr.write(`startupHelpMs: ${ensureBuilt(root)}\n`);
  const runs = quick ? 5 : 21;
  // One unmeasured run of each: the first start fills the OS file cache.
  timedOrdinis(root, ['--help']);
  timedProcess(root, ['-e', '0']);
  const help: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    help.push(timedOrdinis(root, ['--help']));
    bare.push(timedProcess(root, ['-e', '0']));
  }
  return { median: round(median(help), 1), nodeBareMs: round(median(bare), 1), runs };
}
