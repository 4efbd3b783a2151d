// ORCH_MODE through the real CLI (child processes): the command is the mode; ORCH_MODE set
// explicitly to another mode refuses before anything is opened, naming the key and both
// modes; ORCH_MODE=live refuses paper and backtest (live is `ordinis live`, test/cli/live-cli.test.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.ts';
import { MODE_TABLE, modeForCommand, runnableMode } from '../../src/modes/mode-table.ts';
import { runCli } from './paper/cli-process.ts';
import { tempDir } from './paper/paper-support.ts';

const WINDOW = ['--to', '1995-03-01', '--json'];

test('ORCH_MODE naming another mode than the command: exit 1, E_CFG_INVALID naming the key, its source and both modes; no database is created', async (t) => {
  const dir = tempDir(t);
  const paperDb = join(dir, 'paper.db');
  const paper = await runCli(['paper', '--db', paperDb, ...WINDOW], { ORDINIS_ORCH_MODE: 'backtest' });
  assert.equal(paper.code, 1, paper.stderr);
  assert.equal(paper.stdout, '');
  assert.match(paper.stderr, /E_CFG_INVALID: ORCH_MODE=backtest \(from env ORDINIS_ORCH_MODE\) names mode backtest, but `ordinis paper` runs mode paper; unset ORCH_MODE or set it to paper/);
  assert.equal(existsSync(paperDb), false, 'refused before the database was opened');

  const backtestDb = join(dir, 'backtest.db');
  const backtest = await runCli(['backtest', '--db', backtestDb, ...WINDOW], { ORDINIS_ORCH_MODE: 'paper' });
  assert.equal(backtest.code, 1, backtest.stderr);
  assert.match(backtest.stderr, /E_CFG_INVALID: ORCH_MODE=paper \(from env ORDINIS_ORCH_MODE\) names mode paper, but `ordinis backtest` runs mode backtest/);
  assert.equal(existsSync(backtestDb), false);
});

test('ORCH_MODE=live refuses paper and backtest, never running them in its place', async (t) => {
  const db = join(tempDir(t), 'live.db');
  for (const command of ['paper', 'backtest']) {
    const f = await runCli([command, '--db', db, ...WINDOW], { ORDINIS_ORCH_MODE: 'live' });
    assert.equal(f.code, 1, f.stderr);
    assert.match(f.stderr, new RegExp(`E_CFG_INVALID: ORCH_MODE=live .*\`ordinis ${command}\` runs mode ${command}; unset ORCH_MODE or set it to ${command}`));
  }
  assert.equal(existsSync(db), false);
  // Mode live has its adapters now (a real broker behind the rate limiter and the durable kill gate).
  assert.deepEqual(runnableMode('live').venueWrappers, ['circuit-breaker', 'rate-limiter', 'durable-kill-gate']);
  assert.equal(modeForCommand('live', loadConfig({ env: {}, overrides: { ORCH_MODE: 'live' } })).mode, 'live');
});

test('the command runs when ORCH_MODE agrees, is unset, or comes from a built-in profile', async (t) => {
  const dir = tempDir(t);
  const same = await runCli(['backtest', '--db', join(dir, 'same.db'), ...WINDOW], { ORDINIS_ORCH_MODE: 'backtest' });
  assert.equal(same.code, 0, same.stderr);
  assert.equal((JSON.parse(same.stdout) as { status: string }).status, 'ok');
  // The dev profile sets ORCH_MODE=paper: a profile's value is a default, not a choice.
  const profile = await runCli(['--profile', 'dev', '--log-level', 'warn', 'backtest', '--db', join(dir, 'profile.db'), ...WINDOW]);
  assert.equal(profile.code, 0, profile.stderr);
  const paper = await runCli(['--log-level', 'warn', 'paper', '--db', join(dir, 'paper.db'), ...WINDOW], { ORDINIS_ORCH_MODE: 'paper' });
  assert.equal(paper.code, 0, paper.stderr);
  assert.equal((JSON.parse(paper.stdout.trim().split('\n').at(-1)!) as { status: string }).status, 'finished');
});

test('modeForCommand: a file or override value is a choice and is checked; each mode row names its adapters and layers', () => {
  const fromOverride = loadConfig({ env: {}, overrides: { ORCH_MODE: 'paper' } });
  assert.throws(() => modeForCommand('backtest', fromOverride), /ORCH_MODE=paper \(from an override\)/);
  assert.equal(modeForCommand('paper', fromOverride).venue, 'simulated-durable');
  assert.equal(modeForCommand('backtest', loadConfig({ env: {} })).mode, 'backtest');
  assert.deepEqual(MODE_TABLE.backtest.layers.includes('trace'), false, 'a backtest composes no per-cycle trace layer');
  assert.ok(MODE_TABLE.paper.layers.includes('trace') && MODE_TABLE.paper.layers.includes('metrics') && MODE_TABLE.paper.layers.includes('record'));
  assert.equal(MODE_TABLE.live.venue, 'broker');
  // A real broker fills between any two reads: live reconciles periodically (modes/live/), PORT does not check every cycle.
  assert.deepEqual([MODE_TABLE.backtest.accountCheck, MODE_TABLE.paper.accountCheck, MODE_TABLE.live.accountCheck], ['every-cycle', 'every-cycle', 'periodic']);
});
