// The drawdown guard by profile: dev (ordinis backtest's default profile) has none
// (RISK_MAX_DRAWDOWN 1); paper and prod keep the default 0.2, and prod refuses to lose it
// (invariant prod.drawdown_guard). A command's default profile yields to any chosen one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.ts';
import { PROFILE_NAMES } from '../../src/config/schema.ts';
import { OrdinisError } from '../../src/errors.ts';

test('dev has no drawdown guard and loads without a warning; paper and prod keep 0.2', () => {
  const guard = Object.fromEntries(PROFILE_NAMES.map((p) => [p, loadConfig({ profile: p, env: {} })]));
  assert.equal(guard.dev!.config.RISK_MAX_DRAWDOWN, 1);
  assert.deepEqual(guard.dev!.warnings, []);
  assert.equal(guard.paper!.config.RISK_MAX_DRAWDOWN, 0.2);
  assert.equal(guard.prod!.config.RISK_MAX_DRAWDOWN, 0.2);
});

test('prod refuses a RISK_MAX_DRAWDOWN of 1 (invariant prod.drawdown_guard); paper takes it with a warning', () => {
  assert.throws(
    () => loadConfig({ profile: 'prod', env: { ORDINIS_RISK_MAX_DRAWDOWN: '1' } }),
    (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID' && /invariant prod\.drawdown_guard: RISK_MAX_DRAWDOWN from env ORDINIS_RISK_MAX_DRAWDOWN: got 1; expected below 1/.test(e.message),
  );
  const paper = loadConfig({ profile: 'paper', env: { ORDINIS_RISK_MAX_DRAWDOWN: '1' } });
  assert.deepEqual(paper.warnings.map((w) => w.invariant), ['prod.drawdown_guard']);
  assert.match(paper.warnings[0]!.message, /^SAFETY OFF: RISK_MAX_DRAWDOWN=1 \(from env ORDINIS_RISK_MAX_DRAWDOWN\)/);
  // dev loosening another net still warns: only the profile's own value is exempt.
  assert.deepEqual(loadConfig({ profile: 'dev', env: { ORDINIS_KILL_FAIL_SAFE: 'false' } }).warnings.map((w) => w.invariant), ['prod.kill_fail_safe']);
});

test('a command\'s default profile applies only when none is chosen', () => {
  const byDefault = loadConfig({ env: {}, defaultProfile: 'dev' });
  assert.equal(byDefault.profile, 'dev');
  assert.equal(byDefault.config.ORCH_PROFILE, 'dev');
  assert.equal(byDefault.config.RISK_MAX_DRAWDOWN, 1);
  assert.equal(loadConfig({ env: {} }).profile, 'paper', 'without one, ORCH_PROFILE\'s default');
  assert.equal(loadConfig({ env: { ORDINIS_ORCH_PROFILE: 'paper' }, defaultProfile: 'dev' }).config.RISK_MAX_DRAWDOWN, 0.2);
  assert.equal(loadConfig({ env: {}, profile: 'prod', defaultProfile: 'dev' }).profile, 'prod');
  assert.equal(loadConfig({ env: {}, overrides: { ORCH_PROFILE: 'paper' }, defaultProfile: 'dev' }).sources.ORCH_PROFILE, 'override');
});
