// The strategy-file loader on real files in a temp directory: .mjs by plain import, .ts
// through tsx, the export rules, and every way a file can be wrong (each E_SIG_STRATEGY_FILE
// naming the file), then parameters and feature declarations through resolveStrategyFile.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TestContext } from 'node:test';
import { OrdinisError } from '../../../src/errors.ts';
import {
  isStrategyFileArgument,
  loadStrategyFile,
  pickStrategyExport,
  resolveStrategyFile,
  tsxMissingError,
} from '../../../src/adapters/strategy/strategy-file.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

/** A temp project whose node_modules is the repository's, so a file can import zod as a user's would. */
function project(t: TestContext): { dir: string; write(name: string, text: string): string } {
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-strategy-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return {
    dir,
    write(name, text) {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    },
  };
}

const EMA_PACK = `{
  id: 'my-ema',
  version: '2.1.0',
  params: z.object({ period: z.coerce.number().int().min(2).default(10) }).strict(),
  features: (p) => [
    { kind: 'ema', name: 'ema', period: p.period },
    { kind: 'crossover', name: 'cross', a: 'close', b: 'ema' },
  ],
  decide: (v) => (v.features.cross === 1 ? { direction: 'LONG', reason: 'up' } : v.features.cross === -1 ? { direction: 'FLAT', reason: 'down' } : null),
}`;

function rejectsWith(code: string, pattern: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof OrdinisError, `an OrdinisError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    return true;
  };
}

test('a path-like --strategy argument is a file; a plain id is not', () => {
  for (const a of ['./s.ts', 's.ts', 'dir/s', 'C:\\s\\x', 's.mjs', 's.js', 's.mts', '/abs/s.ts']) assert.equal(isStrategyFileArgument(a), true, a);
  for (const a of ['sma-cross', 'close-sma', 'rsi', 'my.pack']) assert.equal(isStrategyFileArgument(a), false, a);
});

test('.mjs: the default export is the pack, with the file fingerprinted by content', async (t) => {
  const p = project(t);
  const text = `import { z } from 'zod';\nexport default ${EMA_PACK};\n`;
  const file = p.write('ema.mjs', text);
  const loaded = await loadStrategyFile('ema.mjs', { cwd: p.dir });
  assert.equal(loaded.file, file);
  assert.equal(loaded.exportName, 'default');
  assert.equal(loaded.pack.id, 'my-ema');
  assert.equal(loaded.bytes, Buffer.byteLength(text));
  assert.equal(loaded.sha256, createHash('sha256').update(text).digest('hex'));
  const r = resolveStrategyFile(loaded, { period: '5' });
  assert.equal(r.modelId, 'my-ema@2.1.0');
  assert.deepEqual(r.params, { period: 5 });
  assert.equal(r.warmupBars, 6, 'the EMA from bar 5, its crossover from bar 6');
});

test('.ts with types loads through tsx, from a named export `strategy`', async (t) => {
  const p = project(t);
  p.write(
    'ema.ts',
    `import { z } from 'zod';\ninterface Unused { a: number }\nconst period: number = 3;\nexport const strategy = ${EMA_PACK.replace("default(10)", 'default(period)')};\nexport const helper = (x: Unused): number => x.a;\n`,
  );
  const loaded = await loadStrategyFile(join(p.dir, 'ema.ts'));
  assert.equal(loaded.exportName, 'strategy');
  assert.deepEqual(resolveStrategyFile(loaded, {}).params, { period: 3 });
});

test('the same pack as default and `strategy` is fine; two different ones are ambiguous', async (t) => {
  const p = project(t);
  p.write('same.mjs', `import { z } from 'zod';\nexport const strategy = ${EMA_PACK};\nexport default strategy;\n`);
  assert.equal((await loadStrategyFile('same.mjs', { cwd: p.dir })).exportName, 'default');
  p.write('two.mjs', `import { z } from 'zod';\nexport const strategy = ${EMA_PACK};\nexport default { ...strategy, id: 'other' };\n`);
  await assert.rejects(loadStrategyFile('two.mjs', { cwd: p.dir }), rejectsWith('E_SIG_STRATEGY_FILE', /strategy file two\.mjs: exports both a default export and a named export `strategy`, and they are different objects/));
});

test('every way a file is wrong: E_SIG_STRATEGY_FILE naming the file and what is wrong', async (t) => {
  const p = project(t);
  await assert.rejects(loadStrategyFile('missing.ts', { cwd: p.dir }), rejectsWith('E_SIG_STRATEGY_FILE', /strategy file missing\.ts: not found \(looked for .*missing\.ts\)/));
  await assert.rejects(loadStrategyFile('notes.txt', { cwd: p.dir }), rejectsWith('E_SIG_STRATEGY_FILE', /strategy file notes\.txt: expected a \.ts, \.mts, \.js, \.mjs file, not \.txt/));
  mkdirSync(join(p.dir, 'dir.ts'));
  await assert.rejects(loadStrategyFile('dir.ts', { cwd: p.dir }), rejectsWith('E_SIG_STRATEGY_FILE', /strategy file dir\.ts: is a directory/));

  p.write('syntax.ts', 'export default {\n  id: "x",, \n};\n');
  await assert.rejects(loadStrategyFile('syntax.ts', { cwd: p.dir }), (e: unknown) => {
    rejectsWith('E_SIG_STRATEGY_FILE', /strategy file syntax\.ts: could not be loaded as a module: .*syntax\.ts:2/)(e);
    assert.ok((e as OrdinisError).cause, 'the cause is kept');
    return true;
  });
  p.write('throws.mjs', "throw new Error('no API key');\n");
  await assert.rejects(loadStrategyFile('throws.mjs', { cwd: p.dir }), rejectsWith('E_SIG_STRATEGY_FILE', /throws\.mjs: could not be loaded as a module: no API key/));
  p.write('imports.mjs', "import 'no-such-package-xyz';\nexport default {};\n");
  await assert.rejects(loadStrategyFile('imports.mjs', { cwd: p.dir }), rejectsWith('E_SIG_STRATEGY_FILE', /imports\.mjs: could not be loaded as a module: .*no-such-package-xyz/));

  p.write('nothing.mjs', 'export const fast = 1;\nexport function helper() {}\n');
  await assert.rejects(loadStrategyFile('nothing.mjs', { cwd: p.dir }), rejectsWith('E_SIG_STRATEGY_FILE', /nothing\.mjs: exports no strategy pack: .*it exports fast, helper$/));
  p.write('empty.mjs', '// nothing yet\n');
  await assert.rejects(loadStrategyFile('empty.mjs', { cwd: p.dir }), rejectsWith('E_SIG_STRATEGY_FILE', /empty\.mjs: exports no strategy pack: .*it exports nothing$/));

  p.write('bad-id.mjs', `import { z } from 'zod';\nexport default { ...${EMA_PACK}, id: 'My EMA' };\n`);
  await assert.rejects(loadStrategyFile('bad-id.mjs', { cwd: p.dir }), rejectsWith('E_SIG_STRATEGY_FILE', /bad-id\.mjs: its default export is not a strategy pack: bad id 'My EMA'/));
  p.write('no-version.mjs', `import { z } from 'zod';\nexport const strategy = { ...${EMA_PACK}, version: '' };\n`);
  await assert.rejects(loadStrategyFile('no-version.mjs', { cwd: p.dir }), rejectsWith('E_SIG_STRATEGY_FILE', /no-version\.mjs: its export `strategy` is not a strategy pack: 'my-ema' needs a version/));
  p.write('number.mjs', 'export default 42;\n');
  await assert.rejects(loadStrategyFile('number.mjs', { cwd: p.dir }), rejectsWith('E_SIG_STRATEGY_FILE', /number\.mjs: its default export is not a strategy pack: not an object/));
});

test('parameters the schema rejects and an unknown feature kind name the file (E_CFG_INVALID)', async (t) => {
  const p = project(t);
  p.write('ema.mjs', `import { z } from 'zod';\nexport default ${EMA_PACK};\n`);
  const loaded = await loadStrategyFile('ema.mjs', { cwd: p.dir });
  assert.throws(() => resolveStrategyFile(loaded, { period: '1' }, 'ema.mjs'), rejectsWith('E_CFG_INVALID', /^E_CFG_INVALID: strategy file ema\.mjs: strategy 'my-ema': invalid parameters: period: /));
  assert.throws(() => resolveStrategyFile(loaded, { perod: '5' }, 'ema.mjs'), rejectsWith('E_CFG_INVALID', /strategy file ema\.mjs: .*perod/));

  p.write('kind.mjs', "export default { id: 'k', version: '1', features: () => [{ kind: 'moon_phase', name: 'm', period: 3 }], decide: () => null };\n");
  const kind = await loadStrategyFile('kind.mjs', { cwd: p.dir });
  assert.throws(() => resolveStrategyFile(kind, {}, 'kind.mjs'), rejectsWith('E_CFG_INVALID', /strategy file kind\.mjs: strategy 'k': bad feature declaration: feature spec: 'm': unknown kind 'moon_phase'/));
});

test('pickStrategyExport: a CommonJS-compiled default export is unwrapped', () => {
  const pack = { id: 'x' };
  assert.equal(pickStrategyExport({ default: { __esModule: true, default: pack } }, 'f.ts').pack, pack);
  const cjs = { __esModule: true, strategy: pack };
  assert.deepEqual(pickStrategyExport({ default: cjs, strategy: pack }, 'f.ts'), { pack, exportName: 'strategy' });
});

test('CommonJS files: module.exports = pack, and exports.strategy = pack', async (t) => {
  const p = project(t);
  p.write('package.json', '{ "type": "commonjs" }');
  const pack = "{ id: 'cjs', version: '1', features: () => [{ kind: 'sma', name: 's', period: 2 }], decide: () => null }";
  p.write('whole.js', `module.exports = ${pack};\n`);
  p.write('named.js', `exports.strategy = ${pack};\nexports.helper = 1;\n`);
  assert.equal((await loadStrategyFile('whole.js', { cwd: p.dir })).exportName, 'default');
  const named = await loadStrategyFile('named.js', { cwd: p.dir });
  assert.equal(named.exportName, 'strategy');
  assert.equal(named.pack.id, 'cjs');
});

test('a .ts file without tsx installed: the error says what to install and names the file; .mjs needs no tsx', async (t) => {
  const p = project(t);
  p.write('ema.ts', `import { z } from 'zod';\nexport default ${EMA_PACK};\n`);
  p.write('ema.mjs', `import { z } from 'zod';\nexport default ${EMA_PACK};\n`);
  const loader = pathToFileURL(join(ROOT, 'src', 'adapters', 'strategy', 'strategy-file.ts')).href;
  const script = `import { loadStrategyFile } from ${JSON.stringify(loader)};
for (const f of ['ema.mjs', 'ema.ts']) {
  try { const l = await loadStrategyFile(f); console.log(f, 'loaded', l.pack.id); }
  catch (e) { console.log(f, e.code, e.message); }
}`;
  const out = await new Promise<string>((resolvePromise, reject) =>
    execFile(process.execPath, ['--import', 'tsx', '--import', join(import.meta.dirname, 'without-tsx.mjs'), '--input-type=module', '-e', script], { cwd: p.dir, timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolvePromise(stdout),
    ),
  );
  assert.match(out, /^ema\.mjs loaded my-ema$/m);
  assert.match(out, /^ema\.ts E_SIG_STRATEGY_FILE E_SIG_STRATEGY_FILE: strategy file ema\.ts: a TypeScript strategy file needs tsx to load: run `npm install --save-dev tsx` in your project/m);
  assert.equal(tsxMissingError('x.ts', undefined).code, 'E_SIG_STRATEGY_FILE');
});
