// What `ordinis init` writes, from the shipped templates, the bundled sample and this
// package's own package.json (init-project.ts, pure); the command itself: init-cli.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INIT_DATA_FILE, cutSample, initProjectFiles, packageNameOf, packageSpecOf, type InitTemplates } from '../../src/cli/init-project.ts';
import { ROOT } from './cli-harness.ts';

const templates = Object.fromEntries(
  ['strategy.ts', 'strategy.test.ts', 'tsconfig.json', 'README.md', 'gitignore'].map((n) => [n, readFileSync(join(ROOT, 'templates', 'init', n), 'utf8')]),
) as unknown as InitTemplates;
const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const sample = readFileSync(join(ROOT, 'samples', 'orcl-1995-2014.txt'), 'utf8');

test('package names from directory names', () => {
  assert.equal(packageNameOf('my-strategy'), 'my-strategy');
  assert.equal(packageNameOf('My Strategy!'), 'my-strategy');
  assert.equal(packageNameOf('.hidden_dir'), 'hidden_dir');
  assert.equal(packageNameOf('___'), 'my-strategy');
});

test('the data file is the sample\'s 2013 and 2014 rows under its header', () => {
  const cut = cutSample(sample, ['2013', '2014']);
  const lines = cut.text.trimEnd().split('\n');
  assert.equal(lines[0], 'Date,Open,High,Low,Close,Adj Close,Volume');
  assert.equal(cut.rows, lines.length - 1);
  assert.ok(cut.rows > 400 && cut.rows < 520, `a few hundred daily bars, got ${cut.rows}`);
  assert.equal(cut.first, '2013-01-02');
  assert.equal(cut.last, '2014-12-31');
  for (const l of lines.slice(1)) assert.ok(sample.includes(`${l}\n`), `row copied verbatim: ${l}`);
  assert.throws(() => cutSample(sample, ['1980']), /no rows for 1980/);
});

test('the project: package.json depends on this package, scripts test and backtest, the templates', () => {
  const files = initProjectFiles({ dirName: 'Acme Strat', templates, own, sample });
  assert.deepEqual(Object.keys(files).sort(), ['.gitignore', 'README.md', INIT_DATA_FILE, 'package.json', 'strategy.test.ts', 'strategy.ts', 'tsconfig.json'].sort());
  const pkg = JSON.parse(files['package.json']!);
  assert.equal(pkg.name, 'acme-strat');
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.dependencies['ordinis-orch'], `^${own.version}`);
  assert.equal(pkg.dependencies.zod, own.dependencies.zod, 'the engine\'s own zod range');
  assert.deepEqual(Object.keys(pkg.devDependencies).sort(), ['@types/node', 'tsx', 'typescript']);
  assert.equal(pkg.scripts.test, 'node --import tsx --test strategy.test.ts');
  assert.equal(pkg.scripts.backtest, `ordinis backtest --strategy ./strategy.ts --data ${INIT_DATA_FILE}`);
  assert.match(files['README.md']!, /^# acme-strat\n/);
  assert.doesNotMatch(files['README.md']!, /\{\{/, 'every placeholder filled');
  for (const cmd of ['npm install', 'npm test', 'npm run backtest']) assert.ok(files['README.md']!.includes(`\n${cmd}\n`), cmd);
  assert.match(files['strategy.ts']!, /from 'ordinis-orch'/);
  assert.match(files['strategy.test.ts']!, /from 'ordinis-orch\/testing'/);

  const ci = initProjectFiles({ dirName: 'p', templates, own, sample, packageSpec: 'file:/tmp/ordinis-orch-0.1.0.tgz' });
  assert.equal(JSON.parse(ci['package.json']!).dependencies['ordinis-orch'], 'file:/tmp/ordinis-orch-0.1.0.tgz');
});

test('--package-spec: a local path or tarball becomes an absolute file: spec; a range, tag or URL stays', () => {
  assert.equal(packageSpecOf('./ordinis-orch-0.1.0.tgz', '/work/ci'), 'file:/work/ci/ordinis-orch-0.1.0.tgz');
  assert.equal(packageSpecOf('../orch', '/work/ci'), 'file:/work/orch');
  assert.equal(packageSpecOf('/tmp/o.tgz', '/work/ci'), 'file:/tmp/o.tgz');
  assert.equal(packageSpecOf('o.tar.gz', '/work/ci'), 'file:/work/ci/o.tar.gz');
  assert.equal(packageSpecOf('file:../x', '/work/ci'), 'file:../x');
  assert.equal(packageSpecOf('^0.2.0', '/work/ci'), '^0.2.0');
  assert.equal(packageSpecOf('next', '/work/ci'), 'next');
  assert.equal(packageSpecOf('https://example.com/o.tgz', '/work/ci'), 'https://example.com/o.tgz');
});
