// Ranking a sweep's results by an objective (objective.ts): best first, the direction the
// objective says, figures that do not exist and failed runs last, ties in grid order.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { objectiveOf, objectiveValue, rankByObjective, OBJECTIVES } from '../../../src/modes/sweep/objective.ts';
import type { SweepResult } from '../../../src/modes/sweep/sweep-outcome.ts';
import { OrdinisError } from '../../../src/errors.ts';

function result(index: number, sharpe: number | null, maxDrawdownPct: number, status: 'ok' | 'failed' = 'ok'): SweepResult {
  return {
    index,
    params: { fast: index },
    runId: `bt-${index}`,
    status,
    finalValue: 1000 + index,
    totalReturnPct: index,
    maxDrawdownPct,
    trades: 1,
    kpis: { totalReturnPct: index, annualizedReturnPct: null, volatilityPct: null, sharpe, sortino: null, maxDrawdownPct, maxDrawdownMoney: 0, calmar: null, winRatePct: null, profitFactor: null, exposurePct: 0, turnover: 0, fees: 0, trades: 1, bars: 10 },
    error: status === 'ok' ? null : { code: 'E_CFG_INVALID', message: 'refused' },
  };
}

test('higher is better: best first, missing figures and failed runs last, ties by grid index', () => {
  const rs = [result(0, 0.5, 3), result(1, null, 1), result(2, 1.2, 5), result(3, 0.5, 2), result(4, 9, 0, 'failed'), result(5, -1, 4)];
  assert.deepEqual(rankByObjective('sharpe', rs).map((r) => r.index), [2, 0, 3, 5, 1, 4]);
  // The input is not reordered.
  assert.deepEqual(rs.map((r) => r.index), [0, 1, 2, 3, 4, 5]);
});

test('max-drawdown: lowest first', () => {
  const rs = [result(0, 0.5, 3), result(1, null, 1), result(2, 1.2, 5), result(3, 0.5, 1)];
  assert.deepEqual(rankByObjective('max-drawdown', rs).map((r) => r.index), [1, 3, 0, 2]);
});

test('a failed run has no objective value, whatever its figures say', () => {
  assert.equal(objectiveValue('return', result(7, 1, 1, 'failed')), null);
  assert.equal(objectiveValue('return', result(7, 1, 1)), 7);
  assert.equal(objectiveValue('final-value', result(7, 1, 1)), 1007);
});

test('an unknown objective is refused naming the flag and the choices', () => {
  assert.equal(objectiveOf('calmar'), 'calmar');
  assert.throws(
    () => objectiveOf('profit'),
    (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID' && e.message.includes('--objective "profit"') && Object.keys(OBJECTIVES).every((k) => e.message.includes(k)),
  );
  assert.throws(() => objectiveOf('toString'), /E_CFG_INVALID/);
});
