import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.ts';
import { CONFIG_KEY_NAMES } from '../../src/config/schema.ts';
import { REDACTED, configSnapshot, redactConfig } from '../../src/config/redact.ts';
import { inspect } from 'node:util';
import { AuditMacKey } from '../../src/governance/audit-checkpoint.ts';

const TOKEN = 'tok_live_0123456789abcdef';

test('redactConfig replaces set secrets with *** and leaves the original untouched', () => {
  const { config } = loadConfig({ env: { ORDINIS_API_TOKEN: TOKEN } });
  const red = redactConfig(config);
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

test('the audit MAC key is a secret: redacted in snapshots and config print, never in the key object either', () => {
  const macKey = 'audit-mac-0123456789abcdef';
  const { config } = loadConfig({ env: { ORDINIS_AUDIT_MAC_KEY: macKey } });
  assert.equal(config.AUDIT_MAC_KEY, macKey);
  assert.equal(redactConfig(config).AUDIT_MAC_KEY, REDACTED);
  assert.ok(!JSON.stringify(configSnapshot(config)).includes(macKey));
  const key = new AuditMacKey(macKey);
  assert.match(key.id, /^[0-9a-f]{16}$/);
  assert.ok(!JSON.stringify(key).includes(macKey));
  assert.ok(!inspect(key).includes(macKey));
});

test('exactly the secret keys (AUDIT_MAC_KEY, API_TOKEN) are redacted', () => {
  const { config } = loadConfig({ env: { ORDINIS_API_TOKEN: TOKEN, ORDINIS_AUDIT_MAC_KEY: 'k'.repeat(32) } });
  const red = redactConfig(config) as Record<string, unknown>;
  const redacted = Object.keys(red).filter((k) => red[k] === REDACTED);
  assert.deepEqual(redacted.sort(), ['API_TOKEN', 'AUDIT_MAC_KEY']);
});
