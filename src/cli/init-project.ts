// What `ordinis init DIR` writes, as a pure function of its inputs: the templates shipped in
// the package (templates/init/), the bundled ORCL sample and this package's own package.json
// (its name, version and the versions it builds with). The action (actions/init.ts) reads
// those and writes the files; this decides their content, so a test can check it directly.

import { isAbsolute, resolve } from 'node:path';

/** The template files, by their name in templates/init/. */
export interface InitTemplates {
  'strategy.ts': string;
  'strategy.test.ts': string;
  'tsconfig.json': string;
  'README.md': string;
  /** Written as `.gitignore` (npm leaves a `.gitignore` out of a published package). */
  gitignore: string;
}

/** The parts of this package's package.json the new project's depends on. */
export interface OwnPackage {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export interface InitInput {
  /** The project directory's base name (becomes the package name). */
  dirName: string;
  templates: InitTemplates;
  own: OwnPackage;
  /** The bundled sample CSV's text (Date,Open,High,Low,Close,Adj Close,Volume). */
  sample: string;
  /** How the project depends on this package; default `^<version>`. A tarball or a path for CI. */
  packageSpec?: string;
}

/** The years of the sample cut into the project's data file: a few hundred daily bars. */
export const INIT_DATA_YEARS = ['2013', '2014'] as const;
/** Named by its symbol: a CSV file's stem is the symbol a backtest trades it as. */
export const INIT_DATA_FILE = 'data/ORCL.csv';

/** An npm package name from a directory name: lowercase, URL-safe, no leading dot or underscore. */
export function packageNameOf(dirName: string): string {
  const name = dirName
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+/, '')
    .replace(/-+$/, '')
    .slice(0, 214);
  return name === '' ? 'my-strategy' : name;
}

/**
 * `--package-spec` as the new package.json needs it: a local path or tarball becomes an
 * absolute `file:` spec (npm would read a relative one from the project, not from where
 * `init` ran); a version range, tag or URL stays as given.
 */
export function packageSpecOf(spec: string, cwd: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec) && !isAbsolute(spec)) return spec; // file:, https:, git+ssh:, github:, npm:
  const local = spec.startsWith('.') || isAbsolute(spec) || /\.(tgz|tar\.gz)$/.test(spec);
  return local ? `file:${resolve(cwd, spec)}` : spec;
}

/** The header and the rows of `years` from the sample, as a CSV text. */
export function cutSample(sample: string, years: readonly string[]): { text: string; rows: number; first: string; last: string } {
  const lines = sample.split(/\r?\n/).filter((l) => l.trim() !== '');
  const rows = lines.slice(1).filter((l) => years.some((y) => l.startsWith(`${y}-`)));
  if (rows.length === 0) throw new Error(`the sample has no rows for ${years.join(', ')}`);
  return { text: `${[lines[0], ...rows].join('\n')}\n`, rows: rows.length, first: rows[0]!.slice(0, 10), last: rows[rows.length - 1]!.slice(0, 10) };
}

function versionOf(own: OwnPackage, dep: string, fallback: string): string {
  return own.devDependencies?.[dep] ?? own.dependencies?.[dep] ?? own.peerDependencies?.[dep] ?? fallback;
}

/** Every file of the new project, by its path relative to the project directory. */
export function initProjectFiles(input: InitInput): Record<string, string> {
  const name = packageNameOf(input.dirName);
  const data = cutSample(input.sample, INIT_DATA_YEARS);
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      test: 'node --import tsx --test strategy.test.ts',
      typecheck: 'tsc --noEmit',
      backtest: `ordinis backtest --strategy ./strategy.ts --data ${INIT_DATA_FILE}`,
    },
    dependencies: {
      [input.own.name]: input.packageSpec ?? `^${input.own.version}`,
      // The pack's parameter schema; the same major as the engine's, which validates with it.
      zod: versionOf(input.own, 'zod', '^4.0.0'),
    },
    devDependencies: {
      '@types/node': versionOf(input.own, '@types/node', '^20.19.0'),
      tsx: versionOf(input.own, 'tsx', '^4.0.0'),
      typescript: versionOf(input.own, 'typescript', '^5.9.0'),
    },
  };
  const fill = (text: string): string =>
    text
      .replaceAll('{{name}}', name)
      .replaceAll('{{dataFile}}', INIT_DATA_FILE)
      .replaceAll('{{dataRows}}', String(data.rows))
      .replaceAll('{{dataRange}}', `${data.first} to ${data.last}`);
  return {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'strategy.ts': input.templates['strategy.ts'],
    'strategy.test.ts': input.templates['strategy.test.ts'],
    'tsconfig.json': input.templates['tsconfig.json'],
    'README.md': fill(input.templates['README.md']),
    '.gitignore': input.templates.gitignore,
    [INIT_DATA_FILE]: data.text,
  };
}
