// `ordinis init DIR`: writes a working strategy project (init-project.ts decides its files)
// into a new or empty directory. Each file is created exclusively: an existing file is
// never overwritten, even one that appeared after the emptiness check.

import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OrdinisError } from '../../errors.ts';
import { SAMPLE_DATA } from '../pipeline-options.ts';
import { initProjectFiles, packageSpecOf, type InitTemplates, type OwnPackage } from '../init-project.ts';

/** The package root: src/ and dist/ sit at the same depth under it. */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TEMPLATES = join(PACKAGE_ROOT, 'templates', 'init');
const TEMPLATE_NAMES = ['strategy.ts', 'strategy.test.ts', 'tsconfig.json', 'README.md', 'gitignore'] as const;

interface InitFlags {
  packageSpec?: string;
}

/** E_CFG_INVALID unless `dir` is absent or an empty directory. */
function checkTarget(dir: string, shown: string): void {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new OrdinisError('E_CFG_INVALID', `init ${shown}: exists and is not a directory`);
    entries = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (entries.length > 0) {
    const some = entries.slice(0, 5).join(', ');
    throw new OrdinisError('E_CFG_INVALID', `init ${shown}: the directory is not empty (${some}${entries.length > 5 ? ', ...' : ''}); give a new or empty directory`, { details: { dir } });
  }
}

export async function runInitCommand(dirArg: string, flags: InitFlags): Promise<void> {
  const cwd = process.cwd();
  const dir = resolve(cwd, dirArg);
  checkTarget(dir, dirArg);
  const templates = Object.fromEntries(TEMPLATE_NAMES.map((n) => [n, readFileSync(join(TEMPLATES, n), 'utf8')])) as unknown as InitTemplates;
  const own = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as OwnPackage;
  const files = initProjectFiles({
    dirName: basename(dir),
    templates,
    own,
    sample: readFileSync(SAMPLE_DATA, 'utf8'),
    ...(flags.packageSpec !== undefined ? { packageSpec: packageSpecOf(flags.packageSpec, cwd) } : {}),
  });
  for (const [path, text] of Object.entries(files)) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text, { flag: 'wx' });
  }
  const shown = relative(cwd, dir) || '.';
  process.stdout.write(
    [
      `created ${shown}: ${Object.keys(files).sort().join(', ')}`,
      '',
      'next:',
      ...(shown === '.' ? [] : [`  cd ${shown}`]),
      '  npm install',
      '  npm test',
      '  npm run backtest',
      '',
    ].join('\n'),
  );
}
