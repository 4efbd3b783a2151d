// SIG_STRATEGY and SIG_STRATEGY_PARAMS through the real CLI: the strategy and its parameters
// from the environment or a --config profile file; --strategy, --param and the built-in
// flags over them; the configured parameters never applied to another strategy.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, failsWith, okJson, tempDbPath } from './cli-harness.ts';

const SHORT = ['--from', '2010-01-01', '--to', '2011-12-31'];

const PACK = `export default {
  id: 'close-above',
  version: '1.0.0',
  params: { safeParse: (raw) => {
    const period = Number(raw.period ?? 10);
    return Number.isInteger(period) && period >= 2 ? { success: true, data: { period } } : { success: false, error: { issues: [{ path: ['period'], message: 'an integer >= 2' }] } };
  } },
  features: (p) => [{ kind: 'sma', name: 'sma', period: p.period }, { kind: 'crossover', name: 'cross', a: 'close', b: 'sma' }],
  decide: (v) => (v.features.cross === 1 ? { direction: 'LONG', reason: 'up' } : v.features.cross === -1 ? { direction: 'FLAT', reason: 'down' } : null),
};
`;

test('SIG_STRATEGY / SIG_STRATEGY_PARAMS from env and a --config file; flags override them', async (t) => {
  const { dir } = tempDbPath(t);
  const file = join(dir, 'close-above.mjs');
  writeFileSync(file, PACK);
  const profile = join(dir, 'profile.json');
  writeFileSync(profile, JSON.stringify({ SIG_STRATEGY: file, SIG_STRATEGY_PARAMS: { period: 20 } }));
  const db = (n: string) => ['--db', join(dir, `${n}.db`)];
  const env = { ORDINIS_SIG_STRATEGY: file, ORDINIS_SIG_STRATEGY_PARAMS: 'period=7' };
  const [fromEnv, fromFile, paramOver, otherStrategy, builtin, builtinFlag, badEnv, unknown] = await Promise.all([
    cli(['backtest', '--json', ...db('env'), ...SHORT], { env }),
    cli(['--config', profile, 'backtest', '--json', ...db('file'), ...SHORT]),
    cli(['--config', profile, 'backtest', '--json', ...db('param'), '--param', 'period=30', ...SHORT]),
    cli(['--config', profile, 'backtest', '--json', ...db('other'), '--strategy', 'sma-cross', ...SHORT]),
    cli(['backtest', '--json', ...db('builtin'), ...SHORT], { env: { ORDINIS_SIG_STRATEGY: 'sma-cross', ORDINIS_SIG_STRATEGY_PARAMS: 'fast=5,slow=20' } }),
    cli(['backtest', '--json', ...db('builtin-flag'), '--fast', '10', ...SHORT], { env: { ORDINIS_SIG_STRATEGY: 'sma-cross', ORDINIS_SIG_STRATEGY_PARAMS: 'fast=5,slow=20' } }),
    cli(['backtest', '--json', ...db('bad'), ...SHORT], { env: { ORDINIS_SIG_STRATEGY_PARAMS: 'fast' } }),
    cli(['backtest', '--json', ...db('unknown'), ...SHORT], { env: { ORDINIS_SIG_STRATEGY: 'macd' } }),
  ]);
  assert.deepEqual(pick(okJson(fromEnv)), { id: 'close-above', params: { period: 7 } });
  assert.deepEqual(pick(okJson(fromFile)), { id: 'close-above', params: { period: 20 } });
  assert.deepEqual(pick(okJson(paramOver)), { id: 'close-above', params: { period: 30 } }, '--param over SIG_STRATEGY_PARAMS');
  assert.deepEqual(pick(okJson(otherStrategy)), { id: 'sma-cross', params: { fast: 15, slow: 30 } }, 'the configured parameters are not sma-cross\'s');
  assert.deepEqual(pick(okJson(builtin)), { id: 'sma-cross', params: { fast: 5, slow: 20 } });
  assert.deepEqual(pick(okJson(builtinFlag)), { id: 'sma-cross', params: { fast: 10, slow: 20 } }, '--fast over SIG_STRATEGY_PARAMS fast');
  failsWith(badEnv, 'E_CFG_INVALID', /SIG_STRATEGY_PARAMS/);
  failsWith(unknown, 'E_SIG_STRATEGY_UNKNOWN', /SIG_STRATEGY macd: expected one of sma-cross, close-sma, rsi, or a strategy file/);
});

function pick(r: { strategy: { id: string; params: Record<string, unknown> } }): { id: string; params: Record<string, unknown> } {
  return { id: r.strategy.id, params: r.strategy.params };
}
