import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.ts';
import { CONFIG_KEY_NAMES } from '../../src/config/schema.ts';
import { REDACTED, SECRET_KEYS, configSnapshot, redactConfig } from '../../src/config/redact.ts';

const TOKEN = 'tok_live_0123456789abcdef';

test('redactConfig replaces set secrets with *** and leaves the original untouched', () => {
  const { config } = loadConfig({ env: { ORDINIS_API_TOKEN: TOKEN } });
  const red = redactConfig(config);
  assert.deepEqual(SECRET_KEYS, ['API_TOKEN']);
  assert.equal(red.API_TOKEN, REDACTED);
  assert.equal(config.API_TOKEN, TOKEN);
  assert.equal(red.ORCH_CYCLE_BUDGET_MS, 5000);
  assert.deepEqual(red.ORCH_STAGE_BUDGET_MS, config.ORCH_STAGE_BUDGET_MS);
  assert.ok(!JSON.stringify(red).includes(TOKEN));
  assert.ok(Object.isFrozen(red));
});

test('an unset secret stays unset, so a reader can tell whether one is configured', () => {
  const { config } = loadConfig({ env: {} });
  assert.equal(redactConfig(config).API_TOKEN, undefined);
});

test('redactConfig works on a partial layer too', () => {
  assert.deepEqual(redactConfig({ API_TOKEN: TOKEN, ORCH_SEED: 1 }), { API_TOKEN: REDACTED, ORCH_SEED: 1 });
});

test('configSnapshot: every key in table order, plain JSON, no secret', () => {
  const { config } = loadConfig({ env: { ORDINIS_API_TOKEN: TOKEN } });
  const snap = configSnapshot(config);
  assert.deepEqual(Object.keys(snap), [...CONFIG_KEY_NAMES]);
  assert.equal(snap.API_TOKEN, REDACTED);
  assert.deepEqual(JSON.parse(JSON.stringify(snap)), snap);
  assert.ok(!JSON.stringify(snap).includes(TOKEN));
  assert.equal(configSnapshot(loadConfig({ env: {} }).config).API_TOKEN, null);
});
