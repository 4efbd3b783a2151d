// What a sweep optimises (pure): a figure of each backtest's result and whether more is
// better. Results rank by it, best first; a backtest whose figure does not exist (a Sharpe
// ratio with no volatility, a failed run) ranks after every one that has it; ties keep grid
// order, so the ranking is one order whatever ran the backtests and in whatever order.

import { OrdinisError } from '../../errors.ts';
import type { SweepOutcome } from './sweep-outcome.ts';

export const OBJECTIVES = {
  sharpe: { better: 'higher', of: (r) => r.kpis?.sharpe ?? null },
  sortino: { better: 'higher', of: (r) => r.kpis?.sortino ?? null },
  cagr: { better: 'higher', of: (r) => r.kpis?.annualizedReturnPct ?? null },
  return: { better: 'higher', of: (r) => r.totalReturnPct },
  calmar: { better: 'higher', of: (r) => r.kpis?.calmar ?? null },
  'final-value': { better: 'higher', of: (r) => r.finalValue },
  'profit-factor': { better: 'higher', of: (r) => r.kpis?.profitFactor ?? null },
  'win-rate': { better: 'higher', of: (r) => r.kpis?.winRatePct ?? null },
  'max-drawdown': { better: 'lower', of: (r) => r.maxDrawdownPct },
} as const satisfies Record<string, { better: 'higher' | 'lower'; of: (r: SweepOutcome) => number | null }>;

export type ObjectiveName = keyof typeof OBJECTIVES;

export function objectiveOf(name: string): ObjectiveName {
  if (!Object.prototype.hasOwnProperty.call(OBJECTIVES, name)) {
    throw new OrdinisError('E_CFG_INVALID', `--objective ${JSON.stringify(name)}: expected one of ${Object.keys(OBJECTIVES).join(', ')}`, { details: { flag: '--objective', value: name } });
  }
  return name as ObjectiveName;
}

/** The objective's figure of a result: null for a failed run or a figure that does not exist. */
export function objectiveValue(name: ObjectiveName, r: SweepOutcome): number | null {
  if (r.status !== 'ok') return null;
  const v = OBJECTIVES[name].of(r);
  return v === null || !Number.isFinite(v) ? null : v;
}

/** Results ranked by the objective, best first (see the header); a new array. */
export function rankByObjective<T extends SweepOutcome & { index: number }>(name: ObjectiveName, results: readonly T[]): T[] {
  const sign = OBJECTIVES[name].better === 'higher' ? -1 : 1;
  const keyed = results.map((r) => ({ r, v: objectiveValue(name, r) }));
  keyed.sort((a, b) => {
    if (a.v === null || b.v === null) return a.v === b.v ? a.r.index - b.r.index : a.v === null ? 1 : -1;
    return a.v === b.v ? a.r.index - b.r.index : sign * (a.v - b.v);
  });
  return keyed.map((k) => k.r);
}
