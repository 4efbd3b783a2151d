// EXEC_COMMISSION_MODEL / EXEC_COMMISSION_VALUE set the commission of `ordinis backtest`
// (and paper, through the same flag translation); `--commission-pct` wins over them. Real
// backtests on the bundled ORCL sample, through the real CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cli, tempDbPath } from './cli-harness.ts';

interface JsonFill {
  ts: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  commission: number;
}

interface JsonSummary {
  fills: JsonFill[];
  totalCommission: number;
  finalCash: number;
  finalValue: number;
}

const WINDOW = ['--from', '1998-01-01', '--to', '2003-12-31'];

function commissionEnv(model: string, value: string): Record<string, string> {
  return { ORDINIS_EXEC_COMMISSION_MODEL: model, ORDINIS_EXEC_COMMISSION_VALUE: value };
}

test('EXEC_COMMISSION_* keys price backtest fills; --commission-pct wins over them', async (t) => {
  const { dir } = tempDbPath(t);
  const run = async (name: string, flags: string[], env: Record<string, string> = {}): Promise<JsonSummary> => {
    const r = await cli(['backtest', ...WINDOW, ...flags, '--db', join(dir, `${name}.db`), '--json'], { env });
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    return JSON.parse(r.stdout) as JsonSummary;
  };
  const [none, flagPct, keyPct, perShare, fixed, both] = await Promise.all([
    run('none', []),
    run('flag-pct', ['--commission-pct', '0.1']),
    run('key-pct', [], commissionEnv('percent', '0.001')),
    run('per-share', [], commissionEnv('per_share', '0.05')),
    run('fixed', [], commissionEnv('fixed', '1.25')),
    run('both', ['--commission-pct', '0.2'], commissionEnv('percent', '0.001')),
  ]);

  assert.ok(none.fills.length >= 4, `the window trades (${none.fills.length} fills)`);
  // No key, no flag: no commission (the reference cases' default).
  assert.ok(none.fills.every((f) => f.commission === 0));
  assert.equal(none.totalCommission, 0);

  // percent 0.001 (a fraction) is --commission-pct 0.1 (a percentage): the same backtest.
  assert.ok(flagPct.totalCommission > 0);
  assert.deepEqual(keyPct.fills, flagPct.fills);
  assert.equal(keyPct.totalCommission, flagPct.totalCommission);
  assert.equal(keyPct.finalCash, flagPct.finalCash);
  assert.equal(keyPct.finalValue, flagPct.finalValue);

  // per_share: value x shares per fill; fixed: value per fill (a fill is a whole order).
  assert.ok(perShare.fills.length > 0 && perShare.fills.every((f) => f.commission === f.qty * 0.05));
  assert.equal(perShare.totalCommission, perShare.fills.reduce((s, f) => s + f.commission, 0));
  assert.ok(fixed.fills.length > 0 && fixed.fills.every((f) => f.commission === 1.25));
  assert.equal(fixed.totalCommission, 1.25 * fixed.fills.length);

  // The flag replaces the keys' model.
  assert.ok(both.fills.length > 0 && both.fills.every((f) => f.commission === f.qty * (0.2 / 100) * f.price));
  assert.notEqual(both.totalCommission, keyPct.totalCommission);
});
