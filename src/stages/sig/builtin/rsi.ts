// RSI mean reversion: LONG while RSI(period) < lower, FLAT while RSI(period) > upper
// (strict thresholds; Wilder RSI as backtrader's). Between the bands: nothing.

import { z } from 'zod';
import { defineStrategyPack } from '../strategy-pack.ts';

const params = z
  .object({
    period: z.coerce.number().int().min(1).default(14),
    lower: z.coerce.number().min(0).max(100).default(30),
    upper: z.coerce.number().min(0).max(100).default(70),
  })
  .strict()
  .refine((p) => p.lower < p.upper, { message: 'lower must be less than upper', path: ['lower'] });

/** Built-in pack `rsi`: mean reversion on RSI(period), LONG below `lower`, FLAT above `upper`. */
export const rsiReversion = defineStrategyPack({
  id: 'rsi',
  version: '1.0.0',
  description: 'LONG when RSI(period) < lower, FLAT when RSI(period) > upper',
  params,
  features: (p) => [{ kind: 'rsi', name: 'rsi', period: p.period }],
  decide: (v, _memory, p) => {
    const r = v.features.rsi;
    if (r === undefined) return null;
    if (r < p.lower) return { direction: 'LONG', reason: 'rsi_below_lower' };
    if (r > p.upper) return { direction: 'FLAT', reason: 'rsi_above_upper' };
    return null;
  },
});
