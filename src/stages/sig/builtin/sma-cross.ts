// SMA crossover: LONG when SMA(fast) crosses above SMA(slow), FLAT when it crosses below
// (backtrader CrossOver semantics, exact SMAs). Reference case (a): fast 15, slow 30.

import { z } from 'zod';
import { defineStrategyPack } from '../strategy-pack.ts';

const params = z
  .object({
    fast: z.coerce.number().int().min(1).default(15),
    slow: z.coerce.number().int().min(2).default(30),
  })
  .strict()
  .refine((p) => p.fast < p.slow, { message: 'fast must be less than slow', path: ['fast'] });

/** Built-in pack `sma-cross`: LONG when SMA(fast) crosses above SMA(slow), FLAT when it crosses below (defaults 15/30). */
export const smaCross = defineStrategyPack({
  id: 'sma-cross',
  version: '1.0.0',
  description: 'LONG on SMA(fast) crossing above SMA(slow), FLAT on crossing below',
  params,
  features: (p) => [
    { kind: 'sma', name: 'sma_fast', period: p.fast },
    { kind: 'sma', name: 'sma_slow', period: p.slow },
    { kind: 'crossover', name: 'cross', a: 'sma_fast', b: 'sma_slow' },
  ],
  decide: (v) => {
    const c = v.features.cross;
    if (c === 1) return { direction: 'LONG', reason: 'cross_up' };
    if (c === -1) return { direction: 'FLAT', reason: 'cross_down' };
    return null;
  },
});
