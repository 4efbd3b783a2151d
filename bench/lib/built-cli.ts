// The start-up benchmarks time what a user runs after `npm install`: bin/ordinis.js over the
// built dist/, a fresh process each time, no TypeScript loader. The build is checked first
// and made when dist/ is missing or older than a source file, and the benchmark says so: a
// stale dist/ would time code that is no longer in the tree.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** The newest modification time among src/ and the build's configuration. */
function newestSourceMs(root: string): number {
  const files = readdirSync(join(root, 'src'), { recursive: true }).map((f) => join(root, 'src', String(f)));
  files.push(join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json'));
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

/** Builds dist/ (`npm run build`) unless it is up to date; returns what it did, for the output. */
export function ensureBuilt(root: string): string {
  const entry = join(root, 'dist', 'cli', 'main.js');
  const why = !existsSync(entry) ? 'dist/ is missing' : statSync(entry).mtimeMs < newestSourceMs(root) ? 'dist/ is older than src/' : undefined;
  if (why === undefined) return 'dist/ is up to date with src/';
  // tsc writes its diagnostics on stdout.
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status ?? r.signal}): ${`${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-5).join(' | ')}`);
  return `${why}: built it first (npm run build)`;
}

/** Wall time of one fresh process, exec to exit; a non-zero exit is an error. */
export function timedProcess(root: string, args: readonly string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return ms;
}

/** One `ordinis ...` process of the built package. */
export function timedOrdinis(root: string, args: readonly string[]): number {
  return timedProcess(root, [join(root, 'bin', 'ordinis.js'), ...args]);
}
