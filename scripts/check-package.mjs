#!/usr/bin/env node
// Proves the package as a user gets it, not as this repository sees it:
//
//   1. pack      `npm pack` into a temp dir (runs `prepare`, the build)
//   2. project   a fresh project in os.tmpdir(), OUTSIDE the repository (so nothing
//                resolves to the sources or the repository's node_modules), with a strict
//                tsconfig (module/moduleResolution NodeNext: the package's `exports` and
//                its .d.ts files are what the compiler sees)
//   3. install   `npm install <tarball> zod tsx typescript @types/node`, as a user would
//                (zod for a pack's parameter schema; versions: the ranges this
//                repository's package.json asks for)
//   4. copy      examples/*.ts, and the runnable snippets of docs/guide/*.md (which blocks
//                run: scripts/doc-snippets.mjs — ```ts check and ```sh check)
//   5. typecheck `tsc --noEmit` over all of them
//   6. run       each example and ts snippet with `node --import tsx` (non-zero exit fails),
//                each sh snippet with `bash -e -o pipefail`, node_modules/.bin on PATH
//   7. bin       `ordinis --help`, and `ordinis backtest --json` (its JSON must say ok)
//   8. init      `ordinis init proj --package-spec <tarball>`, then `npm install`, its
//                `npm run typecheck` (when the template has one) and `npm test` inside it
//
// Usage: node scripts/check-package.mjs [--tarball FILE] [--skip-init] [--keep]
//   --tarball FILE  check this tarball instead of packing one
//   --skip-init     leave out step 8
//   --keep          keep the temp dir (its path is printed) to look at after a failure
//
// Exit 0 when every step passed, 1 at the first failure (its output shown). The temp dir
// is removed either way unless --keep. Network: the npm registry only (npm install).

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnableSnippets } from './doc-snippets.mjs';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
const MINUTE = 60_000;

const args = process.argv.slice(2);
const opt = {
  tarball: valueOf('--tarball'),
  skipInit: args.includes('--skip-init'),
  keep: args.includes('--keep'),
};

function valueOf(flag) {
  const i = args.indexOf(flag);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (!v || v.startsWith('--')) {
    console.error(`${flag} needs a value`);
    process.exit(2);
  }
  return resolve(v);
}

class StepFailure extends Error {}

function fail(message) {
  throw new StepFailure(message);
}

/** The range this repository asks for, so the check installs what the project is tested with. */
function rangeOf(name) {
  const range = PKG.devDependencies?.[name] ?? PKG.dependencies?.[name] ?? PKG.peerDependencies?.[name];
  return range ? `${name}@${range}` : name;
}

// Children inherit the environment minus what would make npm act on this repository (when
// the script itself is run through `npm run`), plus quiet install output.
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_(config_(local_)?prefix|package_|lifecycle_)/.test(k)));
Object.assign(baseEnv, { npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' });

/** Runs a command; on a non-zero exit (or a timeout) fails the step with its output. */
function run(cmd, argv, { cwd, env = baseEnv, timeoutMs = 2 * MINUTE, input } = {}) {
  const r = spawnSync(cmd, argv, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, input });
  const shown = `${cmd} ${argv.join(' ')}  (in ${cwd})`;
  if (r.error) fail(`${shown}: ${r.error.message}\n${tail(r.stdout)}${tail(r.stderr)}`);
  if (r.status !== 0) fail(`${shown}: exit ${r.status ?? r.signal}\n--- stdout ---\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`);
  return r.stdout;
}

function tail(s, lines = 60) {
  const all = (s ?? '').trimEnd().split('\n');
  return (all.length > lines ? [`... (${all.length - lines} lines before)`, ...all.slice(-lines)] : all).join('\n');
}

const timings = [];
/** Runs one step: `id` names it in the closing timings line, `what` says what it does. */
async function step(id, what, fn) {
  const name = `${id}: ${what}`;
  process.stdout.write(`▶ ${name}\n`);
  const t0 = performance.now();
  const out = await fn();
  const s = (performance.now() - t0) / 1000;
  timings.push([id, s]);
  process.stdout.write(`  ✓ ${name} (${s.toFixed(1)} s)\n`);
  return out;
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    // The package's own .d.ts files are checked too: a declaration that does not compile
    // under a user's strict settings is a bug of the package.
    skipLibCheck: false,
    noEmit: true,
  },
  include: ['examples', 'guide'],
};

function binEnv(project) {
  return { ...baseEnv, PATH: `${join(project, 'node_modules', '.bin')}${delimiter}${baseEnv.PATH ?? ''}` };
}

function outsideRepo(dir) {
  const real = realpathSync(dir);
  return real !== REPO && !real.startsWith(REPO + sep);
}

async function main() {
  const root = mkdtempSync(join(tmpdir(), 'ordinis-package-check-'));
  if (!outsideRepo(root)) fail(`temp dir ${root} is inside the repository; set TMPDIR elsewhere`);
  console.log(`package ${PKG.name}@${PKG.version}, temp dir ${root}`);
  const t0 = performance.now();
  try {
    const tarball = await step('pack', 'npm pack (runs prepare: the build)', () => {
      if (opt.tarball) {
        if (!existsSync(opt.tarball)) fail(`--tarball ${opt.tarball}: no such file`);
        return opt.tarball;
      }
      const dest = join(root, 'pack');
      mkdirSync(dest);
      const out = run('npm', ['pack', '--json', '--pack-destination', dest], { cwd: REPO, timeoutMs: 10 * MINUTE });
      // stdout also carries the prepare script's lines; the JSON array starts a line.
      const [info] = JSON.parse(out.slice(out.search(/^\[/m)));
      const file = join(dest, info.filename);
      console.log(`  ${basename(file)}: ${info.entryCount} files, ${(info.size / 1024).toFixed(0)} kB packed`);
      return file;
    });

    const project = join(root, 'project');
    await step('project', 'a fresh project, strict tsconfig, NodeNext', () => {
      mkdirSync(project);
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'ordinis-package-check', private: true, type: 'module' }, null, 2) + '\n');
      writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2) + '\n');
    });

    await step('install', 'the tarball and what a user adds', () => {
      const deps = [tarball, rangeOf('zod'), rangeOf('tsx'), rangeOf('typescript'), rangeOf('@types/node')];
      console.log(`  npm install ${deps.map((d) => (d === tarball ? basename(d) : d)).join(' ')}`);
      run('npm', ['install', '--prefer-offline', ...deps], { cwd: project, timeoutMs: 15 * MINUTE });
    });

    const programs = await step('copy', 'examples and the guide\'s snippets', () => {
      const list = [];
      const examples = join(REPO, 'examples');
      mkdirSync(join(project, 'examples'));
      for (const f of readdirSync(examples).filter((f) => f.endsWith('.ts')).sort()) {
        cpSync(join(examples, f), join(project, 'examples', f));
        list.push({ kind: 'ts', file: join('examples', f), from: `examples/${f}` });
      }
      const guide = join(REPO, 'docs', 'guide');
      mkdirSync(join(project, 'guide'));
      for (const page of readdirSync(guide).filter((f) => f.endsWith('.md')).sort()) {
        for (const s of runnableSnippets(page, readFileSync(join(guide, page), 'utf8'))) {
          writeFileSync(join(project, 'guide', s.file), s.code);
          list.push({ kind: s.kind, file: join('guide', s.file), from: `docs/guide/${page}:${s.line}` });
        }
      }
      const ts = list.filter((p) => p.kind === 'ts').length;
      console.log(`  ${ts} TypeScript programs (${list.filter((p) => p.from.startsWith('examples/')).length} examples), ${list.length - ts} shell snippets`);
      return list;
    });

    await step('typecheck', 'tsc --noEmit over all of them', () => {
      run(join(project, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', '.'], { cwd: project, timeoutMs: 5 * MINUTE });
    });

    await step('run', 'every example and snippet', () => {
      for (const p of programs) {
        const t = performance.now();
        const out =
          p.kind === 'ts'
            ? run(process.execPath, ['--import', 'tsx', p.file], { cwd: project, env: binEnv(project) })
            : run('bash', ['-e', '-o', 'pipefail', p.file], { cwd: project, env: binEnv(project) });
        const last = out.trimEnd().split('\n').filter(Boolean).at(-1) ?? '(no output)';
        console.log(`  ok ${p.from} (${((performance.now() - t) / 1000).toFixed(1)} s): ${last.slice(0, 100)}`);
      }
    });

    await step('bin', 'the installed ordinis: --help, backtest --json', () => {
      const bin = join(project, 'node_modules', '.bin', 'ordinis');
      const help = run(bin, ['--help'], { cwd: project });
      if (!/backtest/.test(help)) fail(`ordinis --help does not list backtest:\n${help}`);
      const out = run(bin, ['backtest', '--json', '--db', join(root, 'backtest.db')], { cwd: project, timeoutMs: 5 * MINUTE });
      let result;
      try {
        result = JSON.parse(out);
      } catch {
        fail(`ordinis backtest --json printed no JSON:\n${tail(out)}`);
      }
      if (result.status !== 'ok') fail(`ordinis backtest --json: status ${result.status}\n${tail(out)}`);
      console.log(`  backtest ${result.strategy?.id ?? ''} over ${result.bars} bars: ${result.trades} trades, final value ${result.finalValue}`);
    });

    if (opt.skipInit) {
      console.log('- init: skipped (--skip-init)');
    } else {
      await step('init', 'ordinis init proj --package-spec <tarball>; npm install; npm test', () => {
        const bin = join(project, 'node_modules', '.bin', 'ordinis');
        run(bin, ['init', 'proj', '--package-spec', tarball], { cwd: project });
        const proj = join(project, 'proj');
        run('npm', ['install', '--prefer-offline'], { cwd: proj, timeoutMs: 15 * MINUTE });
        // Its own type check too, when the template has one: the generated code must compile
        // against the package's types, not only run.
        const scripts = JSON.parse(readFileSync(join(proj, 'package.json'), 'utf8')).scripts ?? {};
        if (scripts.typecheck) run('npm', ['run', 'typecheck'], { cwd: proj, timeoutMs: 5 * MINUTE });
        const out = run('npm', ['test'], { cwd: proj, timeoutMs: 5 * MINUTE });
        console.log(tail(out, 8).replace(/^/gm, '  | '));
      });
    }

    const total = (performance.now() - t0) / 1000;
    console.log(`\npackage check passed in ${total.toFixed(1)} s (${timings.map(([id, s]) => `${id} ${s.toFixed(1)}`).join(', ')})`);
  } finally {
    if (opt.keep) console.log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e) => {
  if (e instanceof StepFailure) console.error(`\n✗ package check failed: ${e.message}`);
  else console.error('\n✗ package check crashed:', e);
  process.exit(1);
});
