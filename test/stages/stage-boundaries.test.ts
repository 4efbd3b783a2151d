// The stages' boundaries, read from the source tree: a stage imports no other stage (what
// one needs from another is a field of a domain type, or pure logic in src/domain/) and no
// stage does file I/O (files and databases are adapters, wired in by the modes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const STAGES = join(ROOT, 'src', 'stages');
const FILE_IO = new Set(['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'better-sqlite3']);

/** Every module specifier a TypeScript source imports or re-exports (static and dynamic), comments left out. */
function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs: string[] = [];
  for (const m of code.matchAll(/(?:^|[;\s])(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  for (const m of code.matchAll(/(?:^|[;\s])import\s*['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  for (const m of code.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]!);
  return specs;
}

/** The stage folder (`exec`, `port`, ...) a path lies in, or null outside src/stages/. */
function stageOf(path: string): string | null {
  const rel = relative(STAGES, path);
  if (rel.startsWith('..') || rel === '') return null;
  return rel.split(sep)[0]!;
}

interface Violation {
  file: string;
  specifier: string;
  why: string;
}

/** Breaches of the two rules by one file of stage `stage` at `file` with `source`. */
function violationsOf(file: string, source: string): Violation[] {
  const own = stageOf(file);
  const out: Violation[] = [];
  for (const specifier of importsOf(source)) {
    if (FILE_IO.has(specifier)) {
      out.push({ file: relative(ROOT, file), specifier, why: 'file I/O in a stage' });
      continue;
    }
    if (!specifier.startsWith('.')) continue;
    const target = stageOf(resolve(dirname(file), specifier));
    if (target !== null && target !== own) out.push({ file: relative(ROOT, file), specifier, why: `stage '${own}' imports stage '${target}'` });
  }
  return out;
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f))
    .sort();
}

test('the checker sees an import of another stage, a re-export, a dynamic import and file I/O, and ignores comments', () => {
  const file = join(STAGES, 'port', 'x.ts');
  const found = violationsOf(
    file,
    [
      "import { FLAT } from '../../domain/average-cost.ts';",
      "import type {\n  ExecutionBatch,\n} from '../exec/exec-stage.ts';",
      "export { thenMaybe } from '../exec/broker-adapter.ts';",
      "const m = await import('../ana/kpis.ts');",
      "import { readFileSync } from 'node:fs';",
      "import './ledger.ts';",
      "// import { x } from '../risk/chain.ts';",
      "/* import { y } from '../sig/registry.ts'; */",
    ].join('\n'),
  );
  assert.deepEqual(
    found.map((v) => [v.specifier, v.why]),
    [
      ['../exec/exec-stage.ts', "stage 'port' imports stage 'exec'"],
      ['../exec/broker-adapter.ts', "stage 'port' imports stage 'exec'"],
      ['node:fs', 'file I/O in a stage'],
      ['../ana/kpis.ts', "stage 'port' imports stage 'ana'"],
    ],
  );
});

test('no file under src/stages/<a>/ imports from src/stages/<b>/, and none imports node:fs or better-sqlite3', () => {
  const files = sourcesUnder(STAGES);
  // Every stage folder is looked at (a rename that emptied the scan would pass silently).
  assert.deepEqual([...new Set(files.map(stageOf))].sort(), ['ana', 'audit', 'exec', 'feat', 'ing', 'port', 'risk', 'sig']);
  const violations = files.flatMap((f) => violationsOf(f, readFileSync(f, 'utf8')));
  assert.deepEqual(violations, []);
});
