// An EMA crossover: be long while the fast EMA is above the slow one. The engine computes
// the features declared here and calls `decide` once per bar when they all have a value;
// RISK sizes the orders and the simulated venue fills them at the next bar's open.
import { z } from 'zod';
import { defineStrategyPack } from 'ordinis-orch';

export default defineStrategyPack({
  id: 'ema-cross',
  version: '1.0.0',
  description: 'LONG when EMA(fast) crosses above EMA(slow), FLAT when it crosses below',
  // `--param fast=5` arrives as a string: z.coerce makes it a number.
  params: z
    .object({
      fast: z.coerce.number().int().min(1).default(10),
      slow: z.coerce.number().int().min(2).default(30),
    })
    .strict()
    .refine((p) => p.fast < p.slow, { message: 'fast must be less than slow', path: ['fast'] }),
  features: (p) => [
    { kind: 'ema', name: 'ema_fast', period: p.fast },
    { kind: 'ema', name: 'ema_slow', period: p.slow },
    { kind: 'crossover', name: 'cross', a: 'ema_fast', b: 'ema_slow' },
  ],
  decide: (v) => {
    if (v.features.cross === 1) return { direction: 'LONG', reason: 'ema_cross_up' };
    if (v.features.cross === -1) return { direction: 'FLAT', reason: 'ema_cross_down' };
    return null;
  },
});
