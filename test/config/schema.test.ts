import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONFIG_DEFAULTS,
  CONFIG_KEY_NAMES,
  ConfigSchema,
  describeConfigKeys,
  renderConfigTable,
  PROFILE_NAMES,
} from '../../src/config/schema.ts';
import { BUILTIN_PROFILES } from '../../src/config/profiles.ts';
import { loadConfig } from '../../src/config/load.ts';

// The documented defaults (L2-08 §8, SYSTEM.md). A change here is a change to the contract.
const DOCUMENTED: Record<string, unknown> = {
  ORCH_PROFILE: 'paper',
  ORCH_MODE: 'paper',
  ORCH_CYCLE_BUDGET_MS: 5000,
  ORCH_STAGE_BUDGET_MS: { ING: 1000, FEAT: 500, SIG: 500, RISK: 250, EXEC: 1500, PORT: 250, ANA: 500, AUDIT: 250 },
  ORCH_RETRY_MAX: 1,
  ORCH_RETRY_INITIAL_MS: 50,
  ORCH_RETRY_BACKOFF: 2,
  ORCH_RETRY_MAX_INTERVAL_MS: 1000,
  ORCH_FAIL_CLOSED_ON_AUDIT: true,
  ORCH_DEGRADED_ALLOW_EXEC: true,
  ORCH_FAIL_CLOSED_ON_DB: true,
  ORCH_STAGES_DISABLED: [],
  ORCH_SEED: 42,
  ORCH_SCHEDULE: '1m',
  KILL_FAIL_SAFE: true,
  GOV_POLICY_VERSION: 'gov_v1',
  GOV_FAIL_CLOSED_EXEC: true,
  HOOK_STAGE_BUDGET_MS: 50,
  SB_BACKEND: 'inmemory',
  SB_MAX_QUEUE_DEPTH: 10000,
  SB_MAX_CONCURRENCY: 64,
  SB_MAX_RETRIES: 3,
  SB_RETRY_BACKOFF_MS: 50,
  DB_PATH: './data/ordinis.db',
  DB_BUSY_TIMEOUT_MS: 5000,
  DB_RETENTION_DAYS: 365,
  AUDIT_RETENTION_DAYS: 2555,
  AUDIT_MAC_KEY: undefined,
  AUDIT_CHECKPOINT_EVERY: 1000,
  AUDIT_VERIFY_MIN_INTERVAL_MS: 10000,
  ING_MAX_STALENESS_MS: 2000,
  ING_BAD_ROW_POLICY: 'fail',
  RISK_MAX_DRAWDOWN: 0.2,
  RISK_MAX_POSITION_PCT: 1,
  RISK_POLICY_VERSION: 'risk_v1',
  EXEC_FILL_TIMING: 'next_open',
  EXEC_COMMISSION_MODEL: 'none',
  EXEC_COMMISSION_VALUE: 0,
  EXEC_SLIPPAGE_BPS: 0,
  EXEC_BROKER_RATE_LIMIT_PER_SEC: 50,
  EXEC_CIRCUIT_FAILURE_THRESHOLD: 5,
  EXEC_CIRCUIT_RESET_MS: 30000,
  BROKER_STARTING_CASH: 100000,
  OBS_TRACES_EXPORTER: 'none',
  OBS_OTLP_ENDPOINT: 'http://127.0.0.1:4318/v1/traces',
  OBS_LOG_LEVEL: 'info',
  OBS_TRACE_SAMPLE_RATIO: 1,
  API_HOST: '127.0.0.1',
  API_PORT: 8700,
  API_TOKEN: undefined,
};

test('defaults match the documented values', () => {
  for (const [key, value] of Object.entries(DOCUMENTED)) {
    assert.ok(key in CONFIG_DEFAULTS || value === undefined, `${key} missing`);
    assert.deepEqual((CONFIG_DEFAULTS as Record<string, unknown>)[key], value, key);
  }
});

test('defaults are complete, valid and deeply frozen', () => {
  assert.deepEqual(Object.keys(CONFIG_DEFAULTS).sort(), [...CONFIG_KEY_NAMES].sort());
  assert.equal(ConfigSchema.safeParse({ ...CONFIG_DEFAULTS }).success, true);
  assert.ok(Object.isFrozen(CONFIG_DEFAULTS));
  assert.ok(Object.isFrozen(CONFIG_DEFAULTS.ORCH_STAGE_BUDGET_MS));
  assert.ok(Object.isFrozen(CONFIG_DEFAULTS.ORCH_STAGES_DISABLED));
  assert.throws(() => {
    (CONFIG_DEFAULTS as { ORCH_SEED: number }).ORCH_SEED = 1;
  }, TypeError);
});

test('every key is UPPER_SNAKE with a known group prefix and an ORDINIS_ env name', () => {
  const groups = new Set(['ORCH', 'KILL', 'GOV', 'HOOK', 'SB', 'DB', 'AUDIT', 'ING', 'SIG', 'RISK', 'EXEC', 'BROKER', 'CCXT', 'ANA', 'EVT', 'OBS', 'METRICS', 'API', 'LIVE', 'ALPACA']);
  const docs = describeConfigKeys();
  assert.equal(docs.length, CONFIG_KEY_NAMES.length);
  for (const d of docs) {
    assert.match(d.key, /^[A-Z]+(_[A-Z0-9]+)+$/);
    assert.ok(groups.has(d.group), `${d.key}: group ${d.group}`);
    assert.equal(d.env, `ORDINIS_${d.key}`);
    assert.ok(d.description.length > 10, `${d.key} needs a description`);
    assert.ok(d.expected.length > 3);
  }
});

test('describeConfigKeys: types, defaults in env form, secrets flagged', () => {
  const byKey = new Map(describeConfigKeys().map((d) => [d.key, d]));
  assert.deepEqual(
    describeConfigKeys().filter((d) => d.secret).map((d) => d.key),
    ['AUDIT_MAC_KEY', 'CCXT_API_KEY', 'CCXT_SECRET', 'API_TOKEN', 'ALPACA_KEY_ID', 'ALPACA_SECRET_KEY'],
  );
  const budget = byKey.get('ORCH_STAGE_BUDGET_MS')!;
  assert.equal(budget.type, 'map');
  assert.equal(budget.defaultText, 'ING=1000,FEAT=500,SIG=500,RISK=250,EXEC=1500,PORT=250,ANA=500,AUDIT=250');
  assert.equal(byKey.get('ORCH_MODE')!.type, 'enum');
  assert.deepEqual(byKey.get('ORCH_MODE')!.values, ['live', 'paper', 'backtest']);
  assert.equal(byKey.get('ORCH_RETRY_MAX')!.type, 'int');
  assert.equal(byKey.get('OBS_OTLP_ENDPOINT')!.type, 'url');
  assert.equal(byKey.get('ORCH_SCHEDULE')!.type, 'schedule');
  assert.equal(byKey.get('ORCH_STAGES_DISABLED')!.type, 'list');
  assert.equal(byKey.get('API_TOKEN')!.default, undefined);
  // The docs are copies: mutating them does not touch the defaults.
  (budget.default as Record<string, number>).ING = 1;
  assert.equal(CONFIG_DEFAULTS.ORCH_STAGE_BUDGET_MS.ING, 1000);
});

test('the README table has one row per key, and README.md has the table as the schema renders it', () => {
  const table = renderConfigTable();
  const rows = table.trim().split('\n').slice(2);
  assert.equal(rows.length, CONFIG_KEY_NAMES.length);
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  assert.ok(readme.includes(table.trim()), 'README.md\'s configuration table is out of date: paste renderConfigTable() (src/config/schema.ts) over it');
  assert.match(table, /\| `ORCH_CYCLE_BUDGET_MS` \| int \| `5000` \|/);
  assert.match(table, /\| `API_TOKEN` \| secret \| \(unset\) \|/);
});

test('every built-in profile loads cleanly on its own', () => {
  for (const profile of PROFILE_NAMES) {
    const { config, warnings } = loadConfig({ profile, env: {} });
    assert.equal(config.ORCH_PROFILE, profile);
    assert.deepEqual(warnings, [], profile);
    for (const [k, v] of Object.entries(BUILTIN_PROFILES[profile])) {
      assert.deepEqual((config as Record<string, unknown>)[k], v, `${profile}.${k}`);
    }
  }
});
