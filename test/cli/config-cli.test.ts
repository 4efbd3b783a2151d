// `ordinis config print`: every layer (defaults < profile < profile file < ORDINIS_* env <
// command-line overrides), secrets redacted, sources on request, bad env values refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_KEY_NAMES } from '../../src/config/schema.ts';
import { cli, columnOf, failsWith, okJson, okText, tempDbPath } from './cli-harness.ts';

const SECRET = 'tok-3f9a1c-very-secret';

test('config print: effective values through every layer, API_TOKEN redacted, --show-sources names the layer', async (t) => {
  const { dir, db } = tempDbPath(t);
  const file = join(dir, 'profile.json');
  writeFileSync(file, JSON.stringify({ ORCH_SEED: 5, EXEC_SLIPPAGE_BPS: 3, OBS_LOG_LEVEL: 'warn' }));
  const env = { ORDINIS_API_TOKEN: SECRET, ORDINIS_ORCH_SEED: '7', ORDINIS_OBS_LOG_LEVEL: 'error' };
  const layered = ['--profile', 'dev', '--config', file];
  const [json, text, plain, unset] = await Promise.all([
    cli([...layered, 'config', 'print', '--db', db, '--show-sources', '--json'], { env }),
    cli([...layered, 'config', 'print', '--db', db, '--show-sources'], { env }),
    cli(['config', 'print', '--json'], { env: { ORDINIS_API_TOKEN: SECRET } }),
    cli(['config', 'print']),
  ]);
  for (const r of [json, text, plain]) assert.ok(!(r.stdout + r.stderr).includes(SECRET), 'the token never leaves the process');

  const c = okJson(json);
  assert.equal(c.profile, 'dev');
  assert.deepEqual(Object.keys(c.config), [...CONFIG_KEY_NAMES], 'every key, in table order');
  assert.deepEqual(Object.keys(c.sources), [...CONFIG_KEY_NAMES]);
  const expect: [string, unknown, string][] = [
    ['ORCH_PROFILE', 'dev', 'override'], // --profile
    ['ORCH_MODE', 'paper', 'profile'], // the dev profile
    ['EXEC_SLIPPAGE_BPS', 3, 'file'],
    ['ORCH_SEED', 7, 'env'], // env beats the file's 5
    ['OBS_LOG_LEVEL', 'error', 'env'], // env beats file (warn) and profile (debug)
    ['DB_PATH', db, 'override'], // --db
    ['API_TOKEN', '***', 'env'],
    ['ORCH_CYCLE_BUDGET_MS', 5000, 'default'],
  ];
  for (const [key, value, source] of expect) {
    assert.deepEqual(c.config[key], value, key);
    assert.equal(c.sources[key], source, `source of ${key}`);
  }
  assert.deepEqual(c.config.ORCH_STAGE_BUDGET_MS.EXEC, 1500);
  assert.ok(Array.isArray(c.warnings));

  const out = okText(text);
  const lines = out.split('\n');
  assert.equal(lines[0], 'profile dev');
  const header = lines.find((l) => l.startsWith('KEY'))!;
  assert.match(header, /^KEY\s+VALUE\s+SOURCE$/);
  const row = (key: string): string => lines.find((l) => l.startsWith(`${key} `))!;
  const valueCol = columnOf(header, 'VALUE');
  const sourceCol = columnOf(header, 'SOURCE');
  for (const [key, value, source] of [
    ['API_TOKEN', '***', 'env ORDINIS_API_TOKEN'],
    ['ORCH_SEED', '7', 'env ORDINIS_ORCH_SEED'],
    ['EXEC_SLIPPAGE_BPS', '3', `file ${file}`],
    ['ORCH_MODE', 'paper', 'profile dev'],
    ['ORCH_PROFILE', 'dev', 'flag --profile'],
    ['DB_PATH', db, 'flag --db'],
    ['ORCH_STAGES_DISABLED', '(empty)', 'default'],
    ['ORCH_STAGE_BUDGET_MS', 'ING=1000,FEAT=500,SIG=500,RISK=250,EXEC=1500,PORT=250,ANA=500,AUDIT=250', 'default'],
  ]) {
    const l = row(key);
    assert.ok(l, `a row for ${key}`);
    assert.equal(l.slice(valueCol, valueCol + value.length), value, `value of ${key}: ${l}`);
    assert.equal(l.slice(sourceCol), source, `source of ${key}: ${l}`);
  }
  assert.equal(lines.filter((l) => /^[A-Z][A-Z0-9_]+ /.test(l) && !l.startsWith('KEY')).length, CONFIG_KEY_NAMES.length);

  // Without --show-sources: no sources; defaults apply; an unset secret is shown as unset.
  const p = okJson(plain);
  assert.equal(p.profile, 'paper');
  assert.equal('sources' in p, false);
  assert.equal(p.config.API_TOKEN, '***');
  assert.equal(p.config.DB_PATH, './data/ordinis.db');
  const u = okText(unset);
  assert.match(u, /^API_TOKEN\s+\(unset\)$/m);
  assert.doesNotMatch(u, /SOURCE/);
});

test('config: a bad ORDINIS_* value or an unknown ORDINIS_ key is E_CFG_INVALID naming the key, for every command', async () => {
  const [badValue, unknown, badFile, badForRuns] = await Promise.all([
    cli(['config', 'print'], { env: { ORDINIS_ORCH_SEED: 'seven' } }),
    cli(['config', 'print', '--json'], { env: { ORDINIS_ORCH_SEEDS: '7' } }),
    cli(['--config', '/nonexistent/profile.json', 'config', 'print']),
    cli(['runs', 'list', '--db', ':memory:'], { env: { ORDINIS_DB_BUSY_TIMEOUT_MS: '-1', ORDINIS_API_TOKEN: SECRET } }),
  ]);
  failsWith(badValue, 'E_CFG_INVALID', /ORCH_SEED from env ORDINIS_ORCH_SEED: got "seven"; expected an integer/);
  failsWith(unknown, 'E_CFG_INVALID', /unknown key ORCH_SEEDS from env ORDINIS_ORCH_SEEDS: .*did you mean ORCH_SEED\?/);
  failsWith(badFile, 'E_CFG_INVALID', /file \/nonexistent\/profile\.json/);
  failsWith(badForRuns, 'E_CFG_INVALID', /DB_BUSY_TIMEOUT_MS from env ORDINIS_DB_BUSY_TIMEOUT_MS: got "-1"/);
  assert.ok(!badForRuns.stderr.includes(SECRET));
});

test('the ops commands are on the program: --help lists them', async () => {
  const r = await cli(['--help']);
  assert.equal(r.code, 0);
  for (const c of ['runs', 'kill', 'audit', 'config', 'backtest']) assert.match(r.stdout, new RegExp(`^  ${c}\\b`, 'm'), c);
});
