// Close vs SMA: LONG when the close crosses above SMA(period), FLAT when it crosses below.
// backtrader's test_strategy_unoptimized (stocklike) scenario, reference case (e): period 15.

import { z } from 'zod';
import { defineStrategyPack } from '../strategy-pack.ts';

const params = z
  .object({
    period: z.coerce.number().int().min(1).default(15),
  })
  .strict();

/** Built-in pack `close-sma`: LONG when the close crosses above SMA(period), FLAT when it crosses below. */
export const closeSma = defineStrategyPack({
  id: 'close-sma',
  version: '1.0.0',
  description: 'LONG on Close crossing above SMA(period), FLAT on crossing below',
  params,
  features: (p) => [
    { kind: 'sma', name: 'sma', period: p.period },
    { kind: 'crossover', name: 'cross', a: 'close', b: 'sma' },
  ],
  decide: (v) => {
    const c = v.features.cross;
    if (c === 1) return { direction: 'LONG', reason: 'close_cross_up' };
    if (c === -1) return { direction: 'FLAT', reason: 'close_cross_down' };
    return null;
  },
});
