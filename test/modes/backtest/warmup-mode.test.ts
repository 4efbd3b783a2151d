// SIG_WARMUP_MODE / --warmup-mode: per-symbol (the default) lets each symbol decide once its
// own features are warm; common (backtrader's rule) holds every symbol back until all are
// warm. Proof of common: ORCL, YHOO and NVDA, whose files start in 1995, 1996 and 1999,
// against backtrader 1.9.78 (test/fixtures/backtrader/choices/common-warmup-orcl-yhoo-nvda.json):
// every fill to the cent, the cash-check rejections, final cash and value. Through the
// driver (the config key), the real CLI (the key from the environment, the flag over it) and
// `ordinis paper` (the flag), which trades the same bars as the backtest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runBacktest, type BacktestResult } from '../../../src/modes/backtest/backtest-driver.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { cli, tempDbPath } from '../../cli/cli-harness.ts';
import { assertSameAsBacktrader, backtestOf, DATA, readChoicesFixture } from './backtrader-choices.ts';

const fx = readChoicesFixture('common-warmup-orcl-yhoo-nvda.json');
const bt = backtestOf(fx);
const configOf = (mode?: 'common' | 'per-symbol') => loadConfig({ env: {}, profile: 'dev', overrides: mode ? { SIG_WARMUP_MODE: mode } : {} }).config;

const CLI_RUN = [
  'backtest',
  ...fx.data.flatMap((f) => ['--data', join(DATA, f)]),
  '--symbols', fx.symbols.join(','),
  '--qty', String(fx.qty),
  '--cash', String(fx.cash),
  '--commission-pct', String(fx.commission! * 100),
  '--json',
];

test('SIG_WARMUP_MODE=common: the three-symbol run equals backtrader 1.9.78, fill for fill', async () => {
  const { result: r } = await runBacktest(bt, { config: configOf('common') });
  assertSameAsBacktrader(r, fx);
  // Nothing is decided before NVDA's 31st bar, the first on which backtrader calls next.
  assert.equal(fx.firstDecisionDate, '1999-03-08');
  assert.ok(r.fills[0]!.ts.slice(0, 10) > fx.firstDecisionDate, r.fills[0]!.ts);
  // The cash check's denials are those rejections, from the first (decided 1999-03-11).
  assert.deepEqual(r.riskDenials['RISK.CASH.INSUFFICIENT'], { count: fx.rejections.length, firstDate: `${fx.rejections[0]![3]}T00:00:00.000Z` });
});

test('per-symbol (the default) decides on ORCL and YHOO years before NVDA is warm', async () => {
  const [{ result: byDefault }, { result: perSymbol }] = await Promise.all([runBacktest(bt, { config: configOf() }), runBacktest(bt, { config: configOf('per-symbol') })]);
  assert.deepEqual(byDefault.fills, perSymbol.fills);
  assert.equal(perSymbol.fills[0]!.ts.slice(0, 10), '1995-05-16');
  assert.notEqual(perSymbol.orders, fx.orders);
});

test('the CLI: ORDINIS_SIG_WARMUP_MODE=common gives backtrader\'s run, --warmup-mode per-symbol overrides it, a bad mode is refused', async (t) => {
  const { dir } = tempDbPath(t);
  const [fromEnv, fromFlag, flagWins, bad] = await Promise.all([
    cli([...CLI_RUN, '--db', join(dir, 'env.db')], { env: { ORDINIS_SIG_WARMUP_MODE: 'common' } }),
    cli([...CLI_RUN, '--warmup-mode', 'common', '--db', join(dir, 'flag.db')]),
    cli([...CLI_RUN, '--warmup-mode', 'per-symbol', '--db', join(dir, 'wins.db')], { env: { ORDINIS_SIG_WARMUP_MODE: 'common' } }),
    cli([...CLI_RUN, '--warmup-mode', 'together', '--db', join(dir, 'bad.db')]),
  ]);
  for (const [name, r] of [['env', fromEnv], ['flag', fromFlag]] as const) {
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    assertSameAsBacktrader(JSON.parse(r.stdout) as BacktestResult, fx);
  }
  assert.equal(flagWins.code, 0, flagWins.stderr);
  const { result: perSymbol } = await runBacktest(bt, { config: configOf('per-symbol') });
  assert.deepEqual((JSON.parse(flagWins.stdout) as BacktestResult).fills, perSymbol.fills);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /E_CFG_INVALID/);
  assert.match(bad.stderr, /--warmup-mode "together": expected per-symbol or common/);
  assert.equal(existsSync(join(dir, 'bad.db')), false, 'refused before the database was opened');
});

test('ordinis paper --warmup-mode: trades the bars as the backtest of the same mode does', async (t) => {
  const { dir } = tempDbPath(t);
  const window = ['--to', '2001-12-31'];
  const paperArgs = ['--profile', 'dev', 'paper', ...CLI_RUN.slice(1, -1), ...window, '--speed', '0', '--json'];
  const [common, perSymbol] = await Promise.all([
    cli([...paperArgs, '--warmup-mode', 'common', '--db', join(dir, 'common.db')]),
    cli([...paperArgs, '--warmup-mode', 'per-symbol', '--db', join(dir, 'per-symbol.db')]),
  ]);
  for (const [mode, r] of [['common', common], ['per-symbol', perSymbol]] as const) {
    assert.equal(r.code, 0, `${mode}: ${r.stderr.slice(-2000)}`);
    const paper = JSON.parse(r.stdout) as { venue: { cash: number; fills: number; positions: Record<string, number> } };
    const { result: b } = await runBacktest({ ...bt, to: '2001-12-31' }, { config: configOf(mode) });
    assert.equal(paper.venue.fills, b.fills.length, mode);
    assert.equal(paper.venue.cash, b.finalCash, mode);
  }
  assert.notEqual(JSON.parse(common.stdout).venue.fills, JSON.parse(perSymbol.stdout).venue.fills);
});
