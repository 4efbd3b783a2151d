// `ordinis backtest|paper --strategy FILE --param k=v` and `ordinis init DIR` through the real
// CLI (child processes), real strategy files in temp directories and real SQLite files: a
// good file runs, every bad one fails naming the file with a stable code and leaves no run
// row (the database is opened after the file loads), and a paper book refuses edited code.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cli, cleanEnv, failsWith, okJson, ROOT, tempDbPath } from './cli-harness.ts';

const SAMPLE = join(ROOT, 'samples', 'orcl-1995-2014.txt');
/** A short slice of the sample keeps each run quick. */
const SHORT = ['--data', SAMPLE, '--symbols', 'ORCL', '--from', '2010-01-01', '--to', '2011-12-31'];

/**
 * Links a project's node_modules to this repository: `zod` and `tsx` as installed here, and
 * `ordinis-orch` as a package whose entry points are the sources (what the packed package
 * builds from), so a user's file imports the package by name as it would after npm install.
 */
function linkPackages(dir: string): void {
  const nm = join(dir, 'node_modules');
  mkdirSync(join(nm, 'ordinis-orch'), { recursive: true });
  for (const p of ['zod', 'tsx']) symlinkSync(join(ROOT, 'node_modules', p), join(nm, p), 'dir');
  symlinkSync(join(ROOT, 'src'), join(nm, 'ordinis-orch', 'src'), 'dir');
  writeFileSync(
    join(nm, 'ordinis-orch', 'package.json'),
    JSON.stringify({ name: 'ordinis-orch', type: 'module', exports: { '.': './src/index.ts', './testing': './src/testing/index.ts' } }),
  );
}

const EMA_PACK = (version = '1.0.0') => `import { z } from 'zod';
export default {
  id: 'my-ema',
  version: '${version}',
  params: z.object({ period: z.coerce.number().int().min(2).default(10) }).strict(),
  features: (p) => [
    { kind: 'ema', name: 'ema', period: p.period },
    { kind: 'crossover', name: 'cross', a: 'close', b: 'ema' },
  ],
  decide: (v) => (v.features.cross === 1 ? { direction: 'LONG', reason: 'up' } : v.features.cross === -1 ? { direction: 'FLAT', reason: 'down' } : null),
};
`;

function runRows(db: string): { total: number; running: number } {
  const h = new Database(db, { readonly: true });
  try {
    const r = h.prepare("SELECT count(*) AS total, sum(status = 'running') AS running FROM runs").get() as { total: number; running: number | null };
    return { total: r.total, running: r.running ?? 0 };
  } finally {
    h.close();
  }
}

test('backtest --strategy FILE.mjs with --param: the pack runs under its id with its parameters', async (t) => {
  const { dir, db } = tempDbPath(t);
  linkPackages(dir);
  writeFileSync(join(dir, 'ema.mjs'), EMA_PACK());
  const [byFile, withParam] = await Promise.all([
    cli(['backtest', '--json', '--db', db, '--strategy', join(dir, 'ema.mjs'), ...SHORT]),
    cli(['backtest', '--json', '--db', join(dir, 'b.db'), '--strategy', join(dir, 'ema.mjs'), '--param', 'period=30', ...SHORT]),
  ]);
  const a = okJson(byFile);
  assert.equal(a.status, 'ok');
  assert.deepEqual(a.strategy, { ...a.strategy, id: 'my-ema', params: { period: 10 } });
  assert.ok(a.trades > 0, 'the pack traded');
  const b = okJson(withParam);
  assert.deepEqual(b.strategy.params, { period: 30 });
  assert.notEqual(b.trades, a.trades, 'another period, other trades');
});

test('a bad strategy file or parameter: a clear error naming it, exit 1, and no run row written', async (t) => {
  const { dir, db } = tempDbPath(t);
  linkPackages(dir);
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const good = file('ema.mjs', EMA_PACK());
  okJson(await cli(['backtest', '--json', '--db', db, '--strategy', good, ...SHORT]));
  assert.deepEqual(runRows(db), { total: 1, running: 0 });

  const cases: Array<[args: string[], code: string, message: RegExp]> = [
    [['--strategy', join(dir, 'missing.ts')], 'E_SIG_STRATEGY_FILE', /strategy file .*missing\.ts: not found/],
    [['--strategy', file('syntax.ts', 'export default { id: "x",, };\n')], 'E_SIG_STRATEGY_FILE', /strategy file .*syntax\.ts: could not be loaded as a module: .*syntax\.ts:1/],
    [['--strategy', file('nothing.mjs', 'export const period = 3;\n')], 'E_SIG_STRATEGY_FILE', /nothing\.mjs: exports no strategy pack: .*it exports period/],
    [['--strategy', file('bad-id.mjs', EMA_PACK().replace("id: 'my-ema'", "id: 'My EMA'"))], 'E_SIG_STRATEGY_FILE', /bad-id\.mjs: its default export is not a strategy pack: bad id 'My EMA'/],
    [['--strategy', good, '--param', 'period=1'], 'E_CFG_INVALID', /strategy file .*ema\.mjs: strategy 'my-ema': invalid parameters: period: /],
    [['--strategy', good, '--param', 'perod=5'], 'E_CFG_INVALID', /strategy file .*ema\.mjs: .*perod/],
    [['--strategy', file('kind.mjs', EMA_PACK().replace("kind: 'ema'", "kind: 'moon_phase'"))], 'E_CFG_INVALID', /kind\.mjs: strategy 'my-ema': bad feature declaration: .*unknown kind 'moon_phase'/],
    [['--strategy', good, '--period', '5'], 'E_CFG_INVALID', /--period is a flag of the built-in packs; give a strategy file's parameters as --param period=5/],
    [['--strategy', good, '--param', 'period=5', '--param', 'period=6'], 'E_CFG_INVALID', /--param period given twice/],
    [['--strategy', 'sma-cross', '--fast', '5', '--param', 'fast=6'], 'E_CFG_INVALID', /--fast and --param fast: give the parameter once/],
    [['--strategy', 'sma-cross', '--param', 'fast'], 'E_CFG_INVALID', /--param "fast": expected key=value/],
  ];
  const results = await Promise.all(cases.map(([args]) => cli(['backtest', '--json', '--db', db, ...args, ...SHORT])));
  results.forEach((r, i) => failsWith(r, cases[i]![1], cases[i]![2]));
  assert.deepEqual(runRows(db), { total: 1, running: 0 }, 'no failing command wrote a run row');

  // On a fresh path the database is not even created, by backtest or by paper.
  const fresh = join(dir, 'fresh.db');
  const [bt, paper] = await Promise.all([
    cli(['backtest', '--db', fresh, '--strategy', join(dir, 'nothing.mjs'), ...SHORT]),
    cli(['paper', '--db', fresh, '--strategy', join(dir, 'kind.mjs'), ...SHORT]),
  ]);
  failsWith(bt, 'E_SIG_STRATEGY_FILE', /nothing\.mjs/);
  failsWith(paper, 'E_CFG_INVALID', /kind\.mjs/);
  assert.equal(existsSync(fresh), false, 'no database file');
});

test('paper --strategy FILE: the book records the file; a resume with the same code continues, edited code is refused', async (t) => {
  const { dir, db } = tempDbPath(t);
  linkPackages(dir);
  const file = join(dir, 'ema.mjs');
  writeFileSync(file, EMA_PACK('1.0.0'));
  const paper = (extra: string[] = []) => cli(['paper', '--json', '--db', db, '--strategy', file, '--param', 'period=5', '--max-cycles', '30', ...SHORT, ...extra]);
  const first = okJson(await paper());
  assert.equal(first.book.action, 'create');
  assert.match(first.book.identity, /^my-ema@1\.0\.0 \(.*ema\.mjs\) \{"period":5\} on ORCL/);
  const second = okJson(await paper());
  assert.equal(second.book.action, 'same');
  assert.ok(second.resumedAfter, 'resumed after the first session\'s last bar');

  writeFileSync(file, EMA_PACK('1.0.0').replace("reason: 'up'", "reason: 'crossed_up'"));
  const edited = await paper();
  failsWith(edited, 'E_PAPER_BOOK_MISMATCH', /strategy code: .*ema\.mjs \(version 1\.0\.0, \d+ bytes, sha256 [0-9a-f]{12}\) -> .*ema\.mjs \(version 1\.0\.0/);
  writeFileSync(file, EMA_PACK('1.0.0'));
  assert.equal(okJson(await paper()).book.action, 'same', 'the original code is the same book again');
});

test('ordinis init DIR: a project whose test passes and whose strategy runs through the CLI; a non-empty DIR is refused', async (t) => {
  const { dir } = tempDbPath(t);
  const proj = join(dir, 'my-strategy');
  const init = await cli(['init', proj]);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /^created .*my-strategy: \.gitignore, README\.md, data\/ORCL\.csv, package\.json, strategy\.test\.ts, strategy\.ts, tsconfig\.json\n/);
  assert.match(init.stdout, /\n {2}npm install\n {2}npm test\n {2}npm run backtest\n$/);
  const pkg = JSON.parse(readFileSync(join(proj, 'package.json'), 'utf8'));
  assert.equal(pkg.name, 'my-strategy');
  linkPackages(proj);

  // The project's own `npm test` command, run as npm would, against this package's sources.
  const test = await new Promise<{ code: number; out: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', '--test', 'strategy.test.ts'], { cwd: proj, env: cleanEnv(), timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code) : 0, out: stdout + stderr }),
    );
  });
  assert.equal(test.code, 0, test.out);
  assert.match(test.out, /# pass 3\n/);
  assert.match(test.out, /# fail 0\n/);

  const csv = readFileSync(join(proj, 'data', 'ORCL.csv'), 'utf8').trimEnd().split('\n').slice(1);
  const openOf = new Map(csv.map((l) => l.split(',')).map(([date, open]) => [date!, Number(open)]));
  const run = okJson(await cli(['backtest', '--json', '--db', join(dir, 'bt.db'), '--strategy', join(proj, 'strategy.ts'), '--data', join(proj, 'data', 'ORCL.csv')]));
  assert.equal(run.status, 'ok');
  assert.deepEqual(run.strategy, { ...run.strategy, id: 'ema-cross', params: { fast: 10, slow: 30 } });
  assert.deepEqual(run.symbols, ['ORCL']);
  assert.equal(run.bars, csv.length);
  assert.ok(run.fills.length > 0, 'it traded');
  for (const f of run.fills) assert.equal(f.price, openOf.get(f.ts.slice(0, 10)), `fill ${f.ts} at that day's open`);

  writeFileSync(join(dir, 'notes.txt'), 'mine');
  const before = readdirSync(dir).sort();
  const [nonEmpty, aFile] = await Promise.all([cli(['init', dir]), cli(['init', join(dir, 'notes.txt')])]);
  failsWith(nonEmpty, 'E_CFG_INVALID', /init .*: the directory is not empty \(.*notes\.txt.*\); give a new or empty directory/);
  failsWith(aFile, 'E_CFG_INVALID', /init .*notes\.txt: exists and is not a directory/);
  assert.deepEqual(readdirSync(dir).sort(), before, 'nothing written');
  assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'mine');
});
