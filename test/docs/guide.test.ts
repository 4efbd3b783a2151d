// Keeps docs/guide/ and examples/ honest from inside the repository. Running them against
// the packed package is scripts/check-package.mjs's job (CI); here: which blocks it runs,
// that no TypeScript in the guide escapes it, that the code imports only the package's
// public entry points, that links and error codes point at things that exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fencedBlocks, runnableSnippets } from '../../scripts/doc-snippets.mjs';
import { ERROR_CATALOG } from '../../src/errors.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GUIDE = join(ROOT, 'docs', 'guide');
const EXAMPLES = join(ROOT, 'examples');
const pages = readdirSync(GUIDE).filter((f) => f.endsWith('.md')).sort();
const read = (dir: string, f: string): string => readFileSync(join(dir, f), 'utf8');

test('the guide has its six pages (and may have more)', () => {
  for (const page of ['configuration.md', 'getting-started.md', 'modes.md', 'operations.md', 'writing-a-stage.md', 'writing-a-strategy.md']) {
    assert.ok(pages.includes(page), `docs/guide/${page} is missing`);
  }
});

test('snippets: ts check and sh check blocks run, numbered per page; other blocks do not', () => {
  const md = ['# t', '```ts check', 'const a = 1;', '```', '```sh', 'npm install x', '```', '````sh check', 'echo ```', '````', '```ts', 'x', '```'].join('\n');
  assert.deepEqual(
    runnableSnippets('page.md', md).map((s) => [s.kind, s.file, s.line, s.code]),
    [
      ['ts', 'page.1.ts', 2, 'const a = 1;\n'],
      ['sh', 'page.2.sh', 8, 'echo ```\n'],
    ],
  );
  assert.deepEqual(fencedBlocks(md).map((b) => [b.lang, b.check]), [['ts', true], ['sh', false], ['sh', true], ['ts', false]]);
  assert.deepEqual(fencedBlocks('```ts no-check\nawait broker.connect();\n```\n').map((b) => [b.check, b.noCheck]), [[false, true]]);
});

test('snippets: an unclosed block, or check on a block that cannot run, is an error naming the line', () => {
  assert.throws(() => fencedBlocks('a\n```ts check\nconst x = 1;\n'), /line 2: a code block that is never closed/);
  assert.throws(() => runnableSnippets('p.md', '```json check\n{}\n```\n'), /p\.md:1: 'check' on a json block/);
});

test('every TypeScript block of the guide is checked or says it cannot be, and the guide has shell snippets that run too', () => {
  let ts = 0;
  let sh = 0;
  for (const page of pages) {
    for (const b of fencedBlocks(read(GUIDE, page))) {
      if (b.lang === 'ts' || b.lang === 'typescript') {
        assert.ok(b.check || b.noCheck, `${page}:${b.line}: a ts block that is neither \`check\` (CI runs it) nor \`no-check\` (it cannot run in CI)`);
      }
    }
    for (const s of runnableSnippets(page, read(GUIDE, page))) s.kind === 'ts' ? ts++ : sh++;
  }
  assert.ok(ts >= 6, `${ts} TypeScript snippets`);
  assert.ok(sh >= 5, `${sh} shell snippets`);
});

/** Module specifiers of `import ... from '...'` and `import('...')`. */
function importsOf(code: string): string[] {
  return [...code.matchAll(/\bfrom\s+'([^']+)'|\bimport\s*\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]!);
}

test('examples and guide snippets import only the package entry points, zod and node builtins', () => {
  const allowed = (s: string): boolean => s === 'ordinis-orch' || s === 'ordinis-orch/testing' || s === 'zod' || s.startsWith('node:');
  const sources: [string, string][] = [
    ...readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts')).map((f): [string, string] => [`examples/${f}`, read(EXAMPLES, f)]),
    ...pages.flatMap((p) => runnableSnippets(p, read(GUIDE, p)).filter((s) => s.kind === 'ts').map((s): [string, string] => [`docs/guide/${p}:${s.line}`, s.code])),
  ];
  assert.ok(sources.length >= 10);
  for (const [where, code] of sources) {
    const specs = importsOf(code);
    assert.ok(specs.includes('ordinis-orch') || specs.includes('ordinis-orch/testing'), `${where} does not use the package`);
    for (const s of specs) assert.ok(allowed(s), `${where} imports '${s}'`);
  }
});

test('the four examples exist, each with a header saying what it shows and how to run it', () => {
  const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts')).sort();
  assert.deepEqual(examples, ['custom-risk-policy.ts', 'embedded-engine.ts', 'replaced-ana-stage.ts', 'strategy-with-indicator.ts']);
  for (const f of examples) {
    const header = read(EXAMPLES, f).split('\n').filter((l) => l.startsWith('//')).join('\n');
    assert.match(header, /Shows:/, `${f}: no "Shows:" in its header`);
    assert.ok(header.includes(`Run:  node --import tsx examples/${f}`), `${f}: its header does not say how to run it`);
  }
});

test('the guide links to files that exist and names only error codes that exist', () => {
  for (const page of pages) {
    const md = read(GUIDE, page);
    for (const m of md.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      assert.ok(existsSync(join(GUIDE, target)), `${page}: link to ${target}, which does not exist`);
    }
    for (const m of md.matchAll(/`((?:examples|scripts|src)\/[\w./-]+)`/g)) {
      assert.ok(existsSync(join(ROOT, m[1]!)), `${page}: names ${m[1]}, which does not exist`);
    }
    for (const m of md.matchAll(/\bE_[A-Z_]+\b/g)) assert.ok(m[0] in ERROR_CATALOG, `${page}: ${m[0]} is not in src/errors.ts`);
  }
  assert.ok(existsSync(join(dirname(GUIDE), '..', 'scripts', 'check-package.mjs')));
});
