import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrdinisError } from '../../src/errors.ts';
import { loadConfig, type ConfigProblem } from '../../src/config/load.ts';
import type { ConfigInput } from '../../src/config/schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'ordinis-cfg-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileSeq = 0;
function profileFile(content: unknown): string {
  const path = join(dir, `profile-${++fileSeq}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** Asserts E_CFG_INVALID whose message matches every pattern; returns the problems. */
function expectInvalid(fn: () => unknown, ...patterns: RegExp[]): ConfigProblem[] {
  let caught: unknown;
  assert.throws(fn, (e: unknown) => {
    caught = e;
    return e instanceof OrdinisError && e.code === 'E_CFG_INVALID';
  });
  const e = caught as OrdinisError;
  for (const p of patterns) assert.match(e.message, p);
  return (e.details as { problems: ConfigProblem[] }).problems;
}

// --- precedence ------------------------------------------------------------------------

test('precedence: defaults < profile < file < env < overrides, with the source of each key', () => {
  const file = profileFile({ OBS_LOG_LEVEL: 'warn', ORCH_RETRY_MAX: 2, DB_PATH: '/tmp/from-file.db' });
  const env = { ORDINIS_OBS_LOG_LEVEL: 'error', ORDINIS_ORCH_RETRY_MAX: '3' };
  const overrides: ConfigInput = { OBS_LOG_LEVEL: 'fatal' };

  const all = loadConfig({ profile: 'dev', profileFile: file, env, overrides });
  assert.equal(all.config.OBS_LOG_LEVEL, 'fatal');
  assert.equal(all.sources.OBS_LOG_LEVEL, 'override');
  assert.equal(all.config.ORCH_RETRY_MAX, 3);
  assert.equal(all.sources.ORCH_RETRY_MAX, 'env');
  assert.equal(all.config.DB_PATH, '/tmp/from-file.db');
  assert.equal(all.sources.DB_PATH, 'file');
  assert.equal(all.config.ORCH_SEED, 42);
  assert.equal(all.sources.ORCH_SEED, 'default');

  // Peel the layers off one by one.
  assert.equal(loadConfig({ profile: 'dev', profileFile: file, env }).config.OBS_LOG_LEVEL, 'error');
  const fileTop = loadConfig({ profile: 'dev', profileFile: file, env: {} });
  assert.equal(fileTop.config.OBS_LOG_LEVEL, 'warn');
  assert.equal(fileTop.sources.OBS_LOG_LEVEL, 'file');
  const profileTop = loadConfig({ profile: 'dev', env: {} });
  assert.equal(profileTop.config.OBS_LOG_LEVEL, 'debug');
  assert.equal(profileTop.sources.OBS_LOG_LEVEL, 'profile');
  const defaultsOnly = loadConfig({ env: {} });
  assert.equal(defaultsOnly.config.OBS_LOG_LEVEL, 'info');
  assert.equal(defaultsOnly.sources.OBS_LOG_LEVEL, 'default');
  assert.equal(defaultsOnly.profile, 'paper');
});

test('the spec\'s own example: ORDINIS_ORCH_CYCLE_BUDGET_MS=3000', () => {
  const { config, sources } = loadConfig({ env: { ORDINIS_ORCH_CYCLE_BUDGET_MS: '3000' } });
  assert.equal(config.ORCH_CYCLE_BUDGET_MS, 3000);
  assert.equal(sources.ORCH_CYCLE_BUDGET_MS, 'env');
});

test('only ORDINIS_-prefixed env vars are read', () => {
  const { config } = loadConfig({ env: { ORCH_CYCLE_BUDGET_MS: '1', PATH: '/bin', ordinis_ORCH_SEED: '7' } });
  assert.equal(config.ORCH_CYCLE_BUDGET_MS, 5000);
  assert.equal(config.ORCH_SEED, 42);
});

test('stage budgets merge entry by entry across layers; unnamed stages keep lower values', () => {
  const file = profileFile({ ORCH_STAGE_BUDGET_MS: { EXEC: 2000, ANA: 900 } });
  const { config, sources } = loadConfig({
    profileFile: file,
    env: { ORDINIS_ORCH_STAGE_BUDGET_MS: 'ING=800, ANA=700' },
    overrides: { ORCH_STAGE_BUDGET_MS: { AUDIT: 300 } },
  });
  assert.deepEqual(config.ORCH_STAGE_BUDGET_MS, { ING: 800, FEAT: 500, SIG: 500, RISK: 250, EXEC: 2000, PORT: 250, ANA: 700, AUDIT: 300 });
  assert.equal(sources.ORCH_STAGE_BUDGET_MS, 'override');
  const json = loadConfig({ env: { ORDINIS_ORCH_STAGE_BUDGET_MS: '{"SIG": 650}' } });
  assert.equal(json.config.ORCH_STAGE_BUDGET_MS.SIG, 650);
  assert.equal(json.config.ORCH_STAGE_BUDGET_MS.ING, 1000);
});

test('env coercion: ints, floats, bools (true/false/1/0), lists, schedules, secrets', () => {
  const { config } = loadConfig({
    env: {
      ORDINIS_ORCH_SEED: '-7',
      ORDINIS_RISK_MAX_DRAWDOWN: '0.15',
      ORDINIS_EXEC_SLIPPAGE_BPS: '2.5e0',
      ORDINIS_ORCH_DEGRADED_ALLOW_EXEC: '0',
      ORDINIS_KILL_AUTO_ON_AUDIT_FAILURE: '1',
      ORDINIS_ORCH_STAGES_DISABLED: 'ANA, FEAT',
      ORDINIS_ORCH_SCHEDULE: '*/5 * * * *',
      ORDINIS_API_TOKEN: 's3cret-token-value',
    },
  });
  assert.equal(config.ORCH_SEED, -7);
  assert.equal(config.RISK_MAX_DRAWDOWN, 0.15);
  assert.equal(config.EXEC_SLIPPAGE_BPS, 2.5);
  assert.equal(config.ORCH_DEGRADED_ALLOW_EXEC, false);
  assert.equal(config.KILL_AUTO_ON_AUDIT_FAILURE, true);
  assert.deepEqual(config.ORCH_STAGES_DISABLED, ['ANA', 'FEAT']);
  assert.equal(config.ORCH_SCHEDULE, '*/5 * * * *');
  assert.equal(config.API_TOKEN, 's3cret-token-value');
});

test('an empty env list clears a list set below; an empty env secret unsets it', () => {
  const file = profileFile({ ORCH_STAGES_DISABLED: ['ANA'], API_TOKEN: 'from-file-token' });
  const { config, sources } = loadConfig({ profileFile: file, env: { ORDINIS_ORCH_STAGES_DISABLED: '', ORDINIS_API_TOKEN: '' } });
  assert.deepEqual(config.ORCH_STAGES_DISABLED, []);
  assert.equal(config.API_TOKEN, undefined);
  assert.equal(sources.API_TOKEN, 'env');
  // An undefined override means "not given", never "unset".
  const kept = loadConfig({ profileFile: file, env: {}, overrides: { API_TOKEN: undefined, ORCH_SEED: undefined } });
  assert.equal(kept.config.API_TOKEN, 'from-file-token');
  assert.equal(kept.sources.API_TOKEN, 'file');
  assert.equal(kept.config.ORCH_SEED, 42);
});

test('the profile is chosen by option, env or file, and selects the built-in layer', () => {
  assert.equal(loadConfig({ env: { ORDINIS_ORCH_PROFILE: 'dev' } }).config.OBS_LOG_LEVEL, 'debug');
  const fromFile = loadConfig({ profileFile: profileFile({ ORCH_PROFILE: 'prod' }), env: {} });
  assert.equal(fromFile.profile, 'prod');
  assert.equal(fromFile.config.KILL_AUTO_ON_AUDIT_FAILURE, true);
  assert.equal(fromFile.sources.ORCH_PROFILE, 'file');
  const opt = loadConfig({ profile: 'prod', env: { ORDINIS_ORCH_PROFILE: 'dev' } });
  assert.equal(opt.profile, 'prod');
  assert.equal(opt.sources.ORCH_PROFILE, 'override');
  expectInvalid(
    () => loadConfig({ profile: 'prod', overrides: { ORCH_PROFILE: 'dev' }, env: {} }),
    /ORCH_PROFILE from override: got "dev"; expected the same profile as the profile option \("prod"\)/,
  );
  expectInvalid(() => loadConfig({ profile: 'staging' as never, env: {} }), /ORCH_PROFILE from option profile: got "staging"; expected one of dev\|paper\|prod/);
});

test('the result is frozen, maps and lists included', () => {
  const { config, sources, warnings } = loadConfig({ env: { ORDINIS_ORCH_STAGES_DISABLED: 'ANA' } });
  assert.ok(Object.isFrozen(config) && Object.isFrozen(sources) && Object.isFrozen(warnings));
  assert.throws(() => {
    (config.ORCH_STAGE_BUDGET_MS as Record<string, number>).ING = 1;
  }, TypeError);
  assert.throws(() => (config.ORCH_STAGES_DISABLED as string[]).push('SIG'), TypeError);
});

// --- bad values ------------------------------------------------------------------------

test('unknown key in the profile file', () => {
  const file = profileFile({ ORCH_CYCLE_BUDGET: 3000 });
  const problems = expectInvalid(
    () => loadConfig({ profileFile: file, env: {} }),
    new RegExp(`unknown key ORCH_CYCLE_BUDGET from file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: got 3000; expected a documented configuration key; did you mean ORCH_CYCLE_BUDGET_MS\\?`),
  );
  assert.deepEqual(problems.map((p) => [p.key, p.unknown]), [['ORCH_CYCLE_BUDGET', true]]);
});

test('unknown key in ORDINIS_* env', () => {
  expectInvalid(
    () => loadConfig({ env: { ORDINIS_ORCH_RETRIES: '2' } }),
    /unknown key ORCH_RETRIES from env ORDINIS_ORCH_RETRIES: got "2"; expected a documented configuration key/,
  );
});

test('unknown key in overrides', () => {
  expectInvalid(
    () => loadConfig({ env: {}, overrides: { NOT_A_KEY: true } as unknown as ConfigInput }),
    /unknown key NOT_A_KEY from override: got true; expected a documented configuration key/,
  );
});

test('non-integer values for int keys', () => {
  for (const raw of ['abc', '3.5', '1e3', '', '0x10']) {
    expectInvalid(
      () => loadConfig({ env: { ORDINIS_ORCH_CYCLE_BUDGET_MS: raw } }),
      new RegExp(`ORCH_CYCLE_BUDGET_MS from env ORDINIS_ORCH_CYCLE_BUDGET_MS: got ${JSON.stringify(raw).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; expected an integer >= 1 \\(ms\\)`),
    );
  }
  expectInvalid(() => loadConfig({ env: {}, overrides: { ORCH_RETRY_MAX: 1.5 } }), /ORCH_RETRY_MAX from override: got 1.5; expected an integer >= 0 and <= 10/);
  // A profile file carries JSON values: a string is not an int there.
  expectInvalid(() => loadConfig({ env: {}, profileFile: profileFile({ SB_MAX_RETRIES: '3' }) }), /SB_MAX_RETRIES from file .*: got "3"; expected an integer >= 0/);
});

test('negative or zero budgets', () => {
  expectInvalid(() => loadConfig({ env: { ORDINIS_ORCH_CYCLE_BUDGET_MS: '-5' } }), /ORCH_CYCLE_BUDGET_MS from env ORDINIS_ORCH_CYCLE_BUDGET_MS: got "-5"; expected an integer >= 1 \(ms\)/);
  expectInvalid(() => loadConfig({ env: {}, overrides: { HOOK_STAGE_BUDGET_MS: 0 } }), /HOOK_STAGE_BUDGET_MS from override: got 0; expected an integer >= 1 \(ms\)/);
  expectInvalid(
    () => loadConfig({ env: { ORDINIS_ORCH_STAGE_BUDGET_MS: 'EXEC=-1' } }),
    /ORCH_STAGE_BUDGET_MS from env ORDINIS_ORCH_STAGE_BUDGET_MS: got "EXEC=-1"; expected a map of stage to integer ms >= 1 .*\(EXEC: Too small/,
  );
});

test('bad enum values', () => {
  expectInvalid(() => loadConfig({ env: { ORDINIS_ORCH_MODE: 'Live' } }), /ORCH_MODE from env ORDINIS_ORCH_MODE: got "Live"; expected one of live\|paper\|backtest/);
  expectInvalid(() => loadConfig({ env: {}, overrides: { EXEC_COMMISSION_MODEL: 'bps' as never } }), /EXEC_COMMISSION_MODEL from override: got "bps"; expected one of none\|percent\|per_share\|fixed/);
  expectInvalid(() => loadConfig({ env: { ORDINIS_OBS_TRACES_EXPORTER: 'jaeger' } }), /expected one of otlp\|console\|none/);
});

test('bad booleans: only true/false/1/0', () => {
  for (const raw of ['yes', 'no', 'TRUE', 'on', '']) {
    expectInvalid(
      () => loadConfig({ env: { ORDINIS_KILL_FAIL_SAFE: raw } }),
      new RegExp(`KILL_FAIL_SAFE from env ORDINIS_KILL_FAIL_SAFE: got "${raw}"; expected a boolean \\(env: true\\|false\\|1\\|0\\)`),
    );
  }
  expectInvalid(() => loadConfig({ env: {}, profileFile: profileFile({ GOV_FAIL_CLOSED_EXEC: 'true' }) }), /GOV_FAIL_CLOSED_EXEC from file .*: got "true"; expected a boolean/);
});

test('bad map entries: unknown stage, non-integer value, malformed entry, duplicate', () => {
  expectInvalid(() => loadConfig({ env: { ORDINIS_ORCH_STAGE_BUDGET_MS: 'ING=800,OPT=100' } }), /got "ING=800,OPT=100"; expected a map of stage .*ING\|FEAT\|SIG\|RISK\|EXEC\|PORT\|ANA\|AUDIT.*\(Unrecognized key: "OPT"\)/);
  expectInvalid(() => loadConfig({ env: { ORDINIS_ORCH_STAGE_BUDGET_MS: 'ING=fast' } }), /got "ING=fast"; .*\(entry "ING=fast": value is not an integer\)/);
  expectInvalid(() => loadConfig({ env: { ORDINIS_ORCH_STAGE_BUDGET_MS: 'ING:800' } }), /\(entry "ING:800" is not NAME=VALUE\)/);
  expectInvalid(() => loadConfig({ env: { ORDINIS_ORCH_STAGE_BUDGET_MS: 'ING=1,ING=2' } }), /\(entry "ING" given twice\)/);
  expectInvalid(() => loadConfig({ env: { ORDINIS_ORCH_STAGE_BUDGET_MS: '{"ING": 1' } }), /not valid JSON/);
  expectInvalid(() => loadConfig({ env: {}, profileFile: profileFile({ ORCH_STAGE_BUDGET_MS: { ing: 800 } }) }), /ORCH_STAGE_BUDGET_MS from file .*Unrecognized key: "ing"/);
});

test('bad lists and schedules', () => {
  expectInvalid(() => loadConfig({ env: { ORDINIS_ORCH_STAGES_DISABLED: 'ANA,OPT' } }), /ORCH_STAGES_DISABLED from env ORDINIS_ORCH_STAGES_DISABLED: got "ANA,OPT"; expected a list of stage names/);
  expectInvalid(() => loadConfig({ env: { ORDINIS_ORCH_STAGES_DISABLED: 'ANA,ANA' } }), /a stage is named twice/);
  expectInvalid(() => loadConfig({ env: { ORDINIS_ORCH_SCHEDULE: 'often' } }), /ORCH_SCHEDULE from env ORDINIS_ORCH_SCHEDULE: got "often"; expected an interval like/);
  expectInvalid(() => loadConfig({ env: { ORDINIS_ORCH_SCHEDULE: '61 * * * *' } }), /invalid cron expression "61 \* \* \* \*"/);
  expectInvalid(() => loadConfig({ env: { ORDINIS_ORCH_SCHEDULE: '0s' } }), /interval "0s" must be positive/);
});

test('bad URLs', () => {
  for (const raw of ['localhost:4318', 'not a url', 'ftp://collector/v1/traces']) {
    expectInvalid(
      () => loadConfig({ env: { ORDINIS_OBS_OTLP_ENDPOINT: raw } }),
      new RegExp(`OBS_OTLP_ENDPOINT from env ORDINIS_OBS_OTLP_ENDPOINT: got "${raw}"; expected an absolute http\\(s\\) URL`),
    );
  }
  assert.equal(loadConfig({ env: { ORDINIS_OBS_OTLP_ENDPOINT: 'https://otel.internal:4318/v1/traces' } }).config.OBS_OTLP_ENDPOINT, 'https://otel.internal:4318/v1/traces');
});

test('out-of-range numbers', () => {
  expectInvalid(() => loadConfig({ env: { ORDINIS_RISK_MAX_DRAWDOWN: '0' } }), /RISK_MAX_DRAWDOWN from env .*: got "0"; expected a number > 0 and <= 1 \(fraction\)/);
  expectInvalid(() => loadConfig({ env: { ORDINIS_RISK_MAX_POSITION_PCT: '10' } }), /RISK_MAX_POSITION_PCT .*got "10"; expected a number > 0 and <= 1 \(fraction of equity\)/);
  expectInvalid(() => loadConfig({ env: { ORDINIS_API_PORT: '70000' } }), /API_PORT .*expected an integer >= 0 and <= 65535/);
  expectInvalid(() => loadConfig({ env: { ORDINIS_OBS_TRACE_SAMPLE_RATIO: 'NaN' } }), /OBS_TRACE_SAMPLE_RATIO .*got "NaN"; expected a number >= 0 and <= 1/);
  expectInvalid(() => loadConfig({ env: {}, overrides: { BROKER_STARTING_CASH: Infinity } }), /BROKER_STARTING_CASH from override: got Infinity; expected a number > 0/);
  expectInvalid(() => loadConfig({ env: { ORDINIS_API_HOST: 'http://0.0.0.0:8700' } }), /API_HOST .*expected a host name or IP address \(no scheme, no port\)/);
  for (const host of ['0.0.0.0', '::1', '[::1]', 'ordinis.local']) assert.equal(loadConfig({ env: { ORDINIS_API_HOST: host } }).config.API_HOST, host);
});

test('secrets are never echoed in errors', () => {
  const problems = expectInvalid(() => loadConfig({ env: { ORDINIS_API_TOKEN: 'has a space' } }), /API_TOKEN from env ORDINIS_API_TOKEN: got "\*\*\*"/);
  assert.equal(problems[0].value, '***');
});

test('all problems from all layers are reported together', () => {
  const file = profileFile({ ORCH_RETRY_MAX: -1, BOGUS: 1 });
  const problems = expectInvalid(
    () =>
      loadConfig({
        profileFile: file,
        env: { ORDINIS_ORCH_CYCLE_BUDGET_MS: 'abc', ORDINIS_KILL_FAIL_SAFE: 'yes', ORDINIS_OBS_OTLP_ENDPOINT: 'nope' },
        overrides: { ORCH_MODE: 'replay' as never },
      }),
    /invalid configuration \(6 problems\):\n {2}- /,
  );
  assert.deepEqual(
    problems.map((p) => `${p.key}@${p.source.split(' ')[0]}`).sort(),
    ['BOGUS@file', 'KILL_FAIL_SAFE@env', 'OBS_OTLP_ENDPOINT@env', 'ORCH_CYCLE_BUDGET_MS@env', 'ORCH_MODE@override', 'ORCH_RETRY_MAX@file'],
  );
});

test('profile file problems: missing, not JSON, not an object', () => {
  expectInvalid(() => loadConfig({ env: {}, profileFile: join(dir, 'missing.json') }), /file .*missing\.json: expected a readable JSON profile file \(ENOENT/);
  expectInvalid(() => loadConfig({ env: {}, profileFile: profileFile('{ "ORCH_SEED": ') }), /file .*: expected valid JSON/);
  expectInvalid(() => loadConfig({ env: {}, profileFile: profileFile([1, 2]) }), /file .*: got \[1,2\]; expected a flat JSON object of configuration keys/);
});

test('cross-key rules: retry interval cap, percent commission as a fraction', () => {
  expectInvalid(
    () => loadConfig({ env: { ORDINIS_ORCH_RETRY_INITIAL_MS: '500', ORDINIS_ORCH_RETRY_MAX_INTERVAL_MS: '100' } }),
    /invariant retry\.max_interval_ge_initial: ORCH_RETRY_MAX_INTERVAL_MS from env ORDINIS_ORCH_RETRY_MAX_INTERVAL_MS: got 100; expected at least ORCH_RETRY_INITIAL_MS \(500, from env ORDINIS_ORCH_RETRY_INITIAL_MS\)/,
  );
  expectInvalid(
    () => loadConfig({ env: {}, overrides: { EXEC_COMMISSION_MODEL: 'percent', EXEC_COMMISSION_VALUE: 5 } }),
    /invariant exec\.percent_commission_is_fraction: EXEC_COMMISSION_VALUE from override: got 5/,
  );
  const ok = loadConfig({ env: {}, overrides: { EXEC_COMMISSION_MODEL: 'percent', EXEC_COMMISSION_VALUE: 0.001 } });
  assert.equal(ok.config.EXEC_COMMISSION_VALUE, 0.001);
});

// --- prod invariants and dev warnings ---------------------------------------------------

test('prod invariants: each loosened switch fails, naming the invariant, key, source and value', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['prod.audit_fail_closed', { ORDINIS_ORCH_FAIL_CLOSED_ON_AUDIT: 'false' }, /invariant prod\.audit_fail_closed: ORCH_FAIL_CLOSED_ON_AUDIT from env ORDINIS_ORCH_FAIL_CLOSED_ON_AUDIT: got false; expected true .* in the prod profile/],
    ['prod.kill_fail_safe', { ORDINIS_KILL_FAIL_SAFE: '0' }, /invariant prod\.kill_fail_safe: KILL_FAIL_SAFE from env ORDINIS_KILL_FAIL_SAFE: got false; expected true/],
    ['prod.gov_fail_closed_exec', { ORDINIS_GOV_FAIL_CLOSED_EXEC: 'false' }, /invariant prod\.gov_fail_closed_exec: GOV_FAIL_CLOSED_EXEC/],
    ['prod.audit_stage_enabled', { ORDINIS_ORCH_STAGES_DISABLED: 'ANA,AUDIT' }, /invariant prod\.audit_stage_enabled: ORCH_STAGES_DISABLED from env ORDINIS_ORCH_STAGES_DISABLED: got \["ANA","AUDIT"\]; expected not to contain AUDIT/],
  ];
  for (const [id, env, pattern] of cases) {
    const problems = expectInvalid(() => loadConfig({ profile: 'prod', env }), pattern);
    assert.deepEqual(problems.map((p) => p.invariant), [id]);
  }
  // The invariant holds whichever layer loosens it, including an explicit override.
  expectInvalid(() => loadConfig({ profile: 'prod', env: {}, overrides: { KILL_FAIL_SAFE: false } }), /KILL_FAIL_SAFE from override: got false/);
  expectInvalid(() => loadConfig({ env: { ORDINIS_ORCH_PROFILE: 'prod', ORDINIS_ORCH_FAIL_CLOSED_ON_AUDIT: '0' } }), /prod\.audit_fail_closed/);
});

test('prod invariant breaches are reported with the other problems', () => {
  const problems = expectInvalid(() => loadConfig({ profile: 'prod', env: { ORDINIS_KILL_FAIL_SAFE: 'false', ORDINIS_ORCH_SEED: 'x' } }), /2 problems/);
  assert.deepEqual(problems.map((p) => p.key).sort(), ['KILL_FAIL_SAFE', 'ORCH_SEED']);
});

test('dev may fail open on audit, with a loud warning', () => {
  const r = loadConfig({ profile: 'dev', env: { ORDINIS_ORCH_FAIL_CLOSED_ON_AUDIT: 'false' } });
  assert.equal(r.config.ORCH_FAIL_CLOSED_ON_AUDIT, false);
  assert.equal(r.warnings.length, 1);
  assert.equal(r.warnings[0].key, 'ORCH_FAIL_CLOSED_ON_AUDIT');
  assert.equal(r.warnings[0].invariant, 'prod.audit_fail_closed');
  assert.match(r.warnings[0].message, /^SAFETY OFF: ORCH_FAIL_CLOSED_ON_AUDIT=false \(from env ORDINIS_ORCH_FAIL_CLOSED_ON_AUDIT\)/);
  assert.match(r.warnings[0].message, /Allowed in dev only/);
  // Paper is not prod either: the same setting warns rather than fails.
  assert.equal(loadConfig({ profile: 'paper', env: {}, overrides: { KILL_FAIL_SAFE: false } }).warnings[0].key, 'KILL_FAIL_SAFE');
});

test('other warnings: DB fail-open, ignored commission value, stage budgets over the cycle budget', () => {
  const r = loadConfig({
    env: { ORDINIS_ORCH_FAIL_CLOSED_ON_DB: 'false', ORDINIS_EXEC_COMMISSION_VALUE: '1.5', ORDINIS_ORCH_CYCLE_BUDGET_MS: '1000' },
  });
  assert.deepEqual(r.warnings.map((w) => w.key).sort(), ['EXEC_COMMISSION_VALUE', 'ORCH_FAIL_CLOSED_ON_DB', 'ORCH_STAGE_BUDGET_MS']);
  assert.match(r.warnings.find((w) => w.key === 'ORCH_STAGE_BUDGET_MS')!.message, /add up to 4750 ms, more than ORCH_CYCLE_BUDGET_MS=1000/);
  // Disabled stages do not count towards the sum.
  const fits = loadConfig({ env: { ORDINIS_ORCH_CYCLE_BUDGET_MS: '3000', ORDINIS_ORCH_STAGES_DISABLED: 'EXEC,ING' } });
  assert.deepEqual(fits.warnings, []);
});

test('a removed key (GOV_AUDIT_HASH_ENABLE) is refused with why it went, from the environment and from a profile file', () => {
  expectInvalid(
    () => loadConfig({ env: { ORDINIS_GOV_AUDIT_HASH_ENABLE: 'true' } }),
    /unknown key GOV_AUDIT_HASH_ENABLE from env ORDINIS_GOV_AUDIT_HASH_ENABLE: got "true"; expected no setting: GOV_AUDIT_HASH_ENABLE was removed \(the persisted audit log \(paper, live\) is always hash-chained/,
  );
  expectInvalid(() => loadConfig({ env: {}, profileFile: profileFile({ GOV_AUDIT_HASH_ENABLE: false }) }), /GOV_AUDIT_HASH_ENABLE was removed/);
});
