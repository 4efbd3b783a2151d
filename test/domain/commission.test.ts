import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commissionFor, commissionModelOf, normalizeCommissionModel } from '../../src/domain/commission.ts';
import { slippedPrice } from '../../src/stages/exec/slippage.ts';
import { OrdinisError } from '../../src/errors.ts';

test('no commission is zero', () => {
  assert.equal(commissionFor({ kind: 'none' }, 100, 12.5), 0);
});

test('percent commission is |qty| * percent/100 * price (backtrader operation order)', () => {
  const m = { kind: 'percent', percent: 0.1 } as const;
  assert.equal(commissionFor(m, 10, 2.518518), 10 * (0.1 / 100) * 2.518518);
  assert.equal(commissionFor(m, -10, 50), commissionFor(m, 10, 50));
  assert.ok(Math.abs(commissionFor(m, 100, 50) - 5) < 1e-12);
});

test('per-share commission with an optional minimum per fill', () => {
  assert.equal(commissionFor({ kind: 'per_share', perShare: 0.005 }, 1000, 20), 5);
  assert.equal(commissionFor({ kind: 'per_share', perShare: 0.005, minPerFill: 1 }, 10, 20), 1);
  assert.equal(commissionFor({ kind: 'per_share', perShare: 0.005, minPerFill: 1 }, 1000, 20), 5);
});

test('fixed commission per fill ignores size and price', () => {
  assert.equal(commissionFor({ kind: 'fixed', perFill: 4.95 }, 1, 1), 4.95);
  assert.equal(commissionFor({ kind: 'fixed', perFill: 4.95 }, 10_000, 300), 4.95);
});

test('invalid commission models are configuration errors', () => {
  assert.deepEqual(normalizeCommissionModel(undefined), { kind: 'none' });
  assert.throws(() => normalizeCommissionModel({ kind: 'percent', percent: -1 }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID');
  assert.throws(() => normalizeCommissionModel({ kind: 'fixed', perFill: Number.NaN }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID');
  assert.throws(() => normalizeCommissionModel({ kind: 'bogus' } as never), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID');
});

test('slippage: buys pay up, sells receive down, zero bps is the exact price', () => {
  assert.equal(slippedPrice('buy', 100, 0), 100);
  assert.equal(slippedPrice('buy', 100, 10), 100 * (1 + 0.001));
  assert.equal(slippedPrice('sell', 100, 10), 100 * (1 - 0.001));
});

test('slippage stays inside the bar (backtrader slip_match)', () => {
  assert.equal(slippedPrice('buy', 100, 50, { high: 100.2, low: 99 }), 100.2);
  assert.equal(slippedPrice('sell', 100, 50, { high: 101, low: 99.9 }), 99.9);
  assert.equal(slippedPrice('buy', 100, 10, { high: 105, low: 99 }), 100 * 1.001);
});

test('commissionModelOf reads the EXEC_COMMISSION_* units: percent a fraction, per_share per share, fixed per order', () => {
  assert.deepEqual(commissionModelOf('none', 0), { kind: 'none' });
  assert.deepEqual(commissionModelOf('percent', 0.001), { kind: 'percent', percent: 0.1 });
  assert.equal(commissionFor(commissionModelOf('percent', 0.001), 10, 50), commissionFor({ kind: 'percent', percent: 0.1 }, 10, 50));
  assert.equal(commissionFor(commissionModelOf('per_share', 0.05), 10, 50), 0.5);
  assert.equal(commissionFor(commissionModelOf('fixed', 1.25), 10, 50), 1.25);
});
