// `ordinis --help`, `ordinis backtest --help` and a flag error load commander and the option
// definitions only (commands/*.ts); a command's work and its libraries are imported when it
// runs (cli/lazy-action.ts). Each case runs the real CLI with a resolve hook that records
// every module the process loads, and the control case (a command that does run) shows the
// recorder sees those libraries when they are loaded.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { BIN, ROOT, cleanEnv, type CliResult } from './cli-harness.ts';

const RECORDER = join(ROOT, 'test', 'support', 'module-recorder.mjs');

/**
 * The packages the CLI from the sources loads before any command runs: tsx and its esbuild
 * (they compile the sources; the built bin has neither) and commander. Nothing else: not zod,
 * pino, prom-client, better-sqlite3, @opentelemetry/* or csv-parse, which a command's work needs.
 */
const START_UP_PACKAGES = ['commander', 'esbuild', 'tsx'];

interface Recorded extends CliResult {
  urls: string[];
}

function cliRecordingModules(t: TestContext, args: readonly string[]): Promise<Recorded> {
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-modules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'modules.txt');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', RECORDER, BIN, ...args],
      { cwd: ROOT, env: cleanEnv({ RECORD_MODULES_TO: out, ORDINIS_DB_PATH: join(dir, 'o.db') }), timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        const urls = readFileSync(out, 'utf8').split('\n').filter((l) => l !== '');
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr, urls });
      },
    );
  });
}

/** The names of the packages loaded, sorted, each once (`@scope/name` for a scoped one). */
function packagesLoaded(urls: readonly string[]): string[] {
  const names = urls.map((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter((n) => n !== undefined);
  return [...new Set(names)].sort();
}

function actionsLoaded(urls: readonly string[]): string[] {
  return urls.filter((u) => u.includes('/src/cli/actions/'));
}

test('ordinis --help, backtest --help and a flag error load no command work and none of its libraries', async (t) => {
  const [help, backtestHelp, badFlag] = await Promise.all([
    cliRecordingModules(t, ['--help']),
    cliRecordingModules(t, ['backtest', '--help']),
    cliRecordingModules(t, ['backtest', '--no-such-flag']),
  ]);
  for (const [name, r] of [['--help', help], ['backtest --help', backtestHelp], ['backtest --no-such-flag', badFlag]] as const) {
    // The recorder saw the CLI itself, so an empty or broken recording cannot pass.
    assert.ok(r.urls.some((u) => u.endsWith('/src/cli/commands/backtest.ts')), `${name}: the option definitions recorded`);
    assert.deepEqual(packagesLoaded(r.urls), START_UP_PACKAGES, `${name} loaded packages only a command's work needs`);
    assert.deepEqual(actionsLoaded(r.urls), [], `${name} loaded a command's work`);
  }
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /Commands:[\s\S]*backtest[\s\S]*paper[\s\S]*audit/);
  assert.equal(backtestHelp.code, 0, backtestHelp.stderr);
  for (const flag of ['--data <file>', '--strategy', '--report <file>', '--cycle-records <mode>', '--json']) assert.ok(backtestHelp.stdout.includes(flag), `backtest --help lists ${flag}`);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /unknown option '--no-such-flag'/);
});

test('a command that runs loads its work and its libraries (the recorder sees them)', async (t) => {
  const r = await cliRecordingModules(t, ['config', 'print', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(JSON.parse(r.stdout), 'config print --json printed JSON');
  assert.ok(actionsLoaded(r.urls).some((u) => u.endsWith('/src/cli/actions/ops-config.ts')));
  const loaded = packagesLoaded(r.urls);
  for (const lib of ['zod', 'pino']) assert.ok(loaded.includes(lib), `config print loaded ${lib} (loaded: ${loaded.join(', ')})`);
});
