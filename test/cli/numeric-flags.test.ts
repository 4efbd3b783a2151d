// Numeric flags of `backtest` and `paper` are parsed strictly: plain decimals only (no
// exponent, hex, Infinity or blanks), finite, within a sane range, and integers where a
// count is meant. Every rule in-process; that the refusal reaches the terminal (exit 1, the
// flag and value named, no run recorded) through the real CLI.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { OrdinisError } from '../../src/errors.ts';
import { MAX_INDICATOR_PERIOD, decimalFlag, toBacktestConfig } from '../../src/cli/pipeline-options.ts';
import { cli, failsWith, tempDbPath } from './cli-harness.ts';

const invalid = (message: RegExp) => (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID' && message.test(e.message);

test('decimalFlag: plain decimal text only, finite, in range, an integer when asked', () => {
  assert.equal(decimalFlag('--x', '10', {}), 10);
  assert.equal(decimalFlag('--x', ' 0.25 ', {}), 0.25);
  assert.equal(decimalFlag('--x', '-3', {}), -3);
  assert.equal(decimalFlag('--x', '.5', {}), 0.5);
  for (const raw of ['1e3', '1E3', '0x10', '0b1', '0o7', 'Infinity', '-Infinity', 'NaN', '', ' ', '1_000', '1,5', '--1', '1.', '+', 'ten']) {
    assert.throws(() => decimalFlag('--x', raw, {}), invalid(/--x ".*": expected a decimal number/), JSON.stringify(raw));
  }
  assert.throws(() => decimalFlag('--x', '1.5', { integer: true, min: 1, max: 9 }), invalid(/--x "1\.5": expected an integer from 1 to 9/));
  assert.throws(() => decimalFlag('--x', '10', { integer: true, min: 1, max: 9 }), invalid(/--x "10": expected an integer from 1 to 9/));
  assert.throws(() => decimalFlag('--x', '0', { min: 0, minExclusive: true, max: 1 }), invalid(/--x "0": expected a number > 0 and <= 1/));
  // 400 digits parse to a finite double only if they fit; the range check catches the rest.
  assert.throws(() => decimalFlag('--x', '9'.repeat(400), { max: 1e12 }), invalid(/--x "9{10}.*": expected a number <= 1000000000000/));
});

test('backtest/paper flags: the issue\'s examples and their neighbours are refused, naming the flag and value', () => {
  const bt = (over: Record<string, string>) => toBacktestConfig({ strategy: 'sma-cross', ...over }, 100_000);
  assert.throws(() => bt({ qty: '1e308' }), invalid(/--qty "1e308": expected a decimal number/));
  assert.throws(() => bt({ qty: '0x10' }), invalid(/--qty "0x10": expected a decimal number/));
  assert.throws(() => bt({ qty: '2.5' }), invalid(/--qty "2\.5": expected an integer from 1 to/));
  assert.throws(() => bt({ qty: '0' }), invalid(/--qty "0": expected an integer from 1 to/));
  assert.throws(() => bt({ qty: '99999999999999999999' }), invalid(/--qty "9+": expected an integer from 1 to/));
  assert.throws(() => bt({ slow: '1e9' }), invalid(/--slow "1e9": expected a decimal number/));
  assert.throws(() => bt({ slow: '1000000000' }), invalid(new RegExp(`--slow "1000000000": expected an integer from 1 to ${MAX_INDICATOR_PERIOD}`)));
  assert.throws(() => bt({ fast: '7.5' }), invalid(/--fast "7\.5": expected an integer/));
  assert.throws(() => bt({ seed: '1.5' }), invalid(/--seed "1\.5": expected an integer from 0 to 4294967295/));
  assert.throws(() => bt({ seed: '-1' }), invalid(/--seed "-1": expected an integer from 0 to 4294967295/));
  assert.throws(() => bt({ cash: '1e6' }), invalid(/--cash "1e6": expected a decimal number/));
  assert.throws(() => bt({ cash: '0' }), invalid(/--cash "0": expected a number > 0/));
  assert.throws(() => bt({ weight: '1.5' }), invalid(/--weight "1\.5": expected a number > 0 and <= 1/));
  assert.throws(() => bt({ commissionPct: '100' }), invalid(/--commission-pct "100": expected a number >= 0 and < 100/));
  assert.throws(() => toBacktestConfig({ strategy: 'rsi', lower: '-5' }, 1), invalid(/--lower "-5": expected a number >= 0 and <= 100/));
  // What was accepted stays accepted.
  const ok = bt({ qty: '25', fast: '5', slow: '20', seed: '4294967295', cash: '2500.50', commissionPct: '0.1' });
  assert.deepEqual(ok.sizing, { kind: 'fixed', qty: 25 });
  assert.deepEqual(ok.strategyParams, { fast: 5, slow: 20 });
  assert.equal(ok.seed, 4294967295);
  assert.equal(ok.cash, 2500.5);
});

test('ordinis backtest --qty 1e308 | --qty 0x10 | --slow 1e9 | --seed 1.5: exit 1 with the flag named, no run recorded', async (t) => {
  const { db } = tempDbPath(t);
  const cases = [
    { args: ['--qty', '1e308'], message: /--qty "1e308": expected a decimal number/ },
    { args: ['--qty', '0x10'], message: /--qty "0x10": expected a decimal number/ },
    { args: ['--slow', '1e9'], message: /--slow "1e9": expected a decimal number/ },
    { args: ['--seed', '1.5'], message: /--seed "1\.5": expected an integer/ },
  ];
  const results = await Promise.all(cases.map((c) => cli(['backtest', '--db', db, '--json', ...c.args])));
  results.forEach((r, i) => failsWith(r, 'E_CFG_INVALID', cases[i]!.message));
  assert.ok(!existsSync(db), 'refused before the database is opened');
});
