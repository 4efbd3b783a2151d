// The profile file (--config) as editors and attackers write it: a UTF-8 byte-order mark is
// accepted (as in CSV data files); nesting deep enough to overflow JSON.parse's stack is a
// clear E_CFG_INVALID naming the file, in-process and through the real CLI.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrdinisError } from '../../src/errors.ts';
import { MAX_PROFILE_FILE_DEPTH, jsonNestingDepth, loadConfig } from '../../src/config/load.ts';
import { cli, failsWith, okJson } from '../cli/cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'ordinis-cfg-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const invalidNaming = (path: string, detail: RegExp) => (e: unknown) =>
  e instanceof OrdinisError && e.code === 'E_CFG_INVALID' && e.message.includes(`file ${path}`) && detail.test(e.message);

test('a profile file starting with a UTF-8 BOM is read like one without', () => {
  const bom = file('bom.json', '\uFEFF{"ORCH_CYCLE_BUDGET_MS": 3000}');
  const loaded = loadConfig({ env: {}, profileFile: bom });
  assert.equal(loaded.config.ORCH_CYCLE_BUDGET_MS, 3000);
  assert.equal(loaded.sources.ORCH_CYCLE_BUDGET_MS, 'file');
  // Only a leading BOM is dropped: one elsewhere is still not JSON.
  const inner = file('inner-bom.json', '{"ORCH_CYCLE_BUDGET_MS":\uFEFF 3000}');
  assert.throws(() => loadConfig({ env: {}, profileFile: inner }), invalidNaming(inner, /expected valid JSON/));
});

test('jsonNestingDepth counts brackets outside strings only', () => {
  assert.equal(jsonNestingDepth('1'), 0);
  assert.equal(jsonNestingDepth('{"a": [1, {"b": 2}]}'), 3);
  assert.equal(jsonNestingDepth('{"a": "[[[[{{{{", "b": "\\"[["}'), 1);
  assert.equal(jsonNestingDepth('[[]][[[]]]'), 3);
});

test('deeply nested JSON in the profile file is E_CFG_INVALID naming the file, not a stack overflow', () => {
  const arrays = file('deep-arrays.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  const objects = file('deep-objects.json', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`);
  const limit = new RegExp(`nested ${MAX_PROFILE_FILE_DEPTH + 1} or more levels deep`);
  assert.throws(() => loadConfig({ env: {}, profileFile: arrays }), invalidNaming(arrays, limit));
  assert.throws(() => loadConfig({ env: {}, profileFile: objects }), invalidNaming(objects, limit));
  // Real profile files (maps of stage budgets, stage lists) are far shallower than the limit.
  const ok = file('ok.json', JSON.stringify({ ORCH_STAGE_BUDGET_MS: { ING: 100 }, ORCH_STAGES_DISABLED: ["ANA"] }));
  assert.equal(loadConfig({ env: {}, profileFile: ok }).config.ORCH_STAGE_BUDGET_MS.ING, 100);
});

test('ordinis --config: a BOM file works; 100k nested arrays or objects fail with E_CFG_INVALID naming the file', async () => {
  const bom = file('cli-bom.json', '\uFEFF{"ORCH_CYCLE_BUDGET_MS": 3000}');
  const arrays = file('cli-deep-arrays.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  const objects = file('cli-deep-objects.json', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`);
  const [okRun, arraysRun, objectsRun] = await Promise.all([
    cli(['--config', bom, 'config', 'print', '--json']),
    cli(['--config', arrays, 'config', 'print', '--json']),
    cli(['--config', objects, 'config', 'print', '--json']),
  ]);
  assert.equal(okJson(okRun).config.ORCH_CYCLE_BUDGET_MS, 3000);
  failsWith(arraysRun, 'E_CFG_INVALID', new RegExp(`file ${arrays}: .*nested`));
  failsWith(objectsRun, 'E_CFG_INVALID', new RegExp(`file ${objects}: .*nested`));
});
