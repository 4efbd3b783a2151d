// `ordinis init DIR`: its options; the project is written by actions/init.ts, loaded when the
// command runs.

import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.ts';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a strategy project in DIR (new or empty): package.json, an EMA-cross strategy, its test, daily bars, tsconfig.json, a README')
    .argument('<dir>', 'the project directory (created; refused when it exists and is not empty)')
    .option('--package-spec <spec>', 'how the project depends on ordinis-orch (default ^<this version>; a tarball or a path, e.g. for CI)')
    .action(lazyAction(async () => (await import('../actions/init.ts')).runInitCommand));
}
