// `OrchestrationEngine.runBacktest(config)` and `ordinis.ops.run.backtest.requested` events
// land here: the request is validated (zod, clear E_CFG_INVALID naming the field) and run as
// an isolated backtest-mode pipeline. It never touches the requesting engine's broker or
// book; only its database receives the run record.

import { z } from 'zod';
import { OrdinisError } from '../../errors.ts';
import type { BacktestDriver, OrchestrationEngine } from '../../kernel/engine.ts';
import { runBacktest, type BacktestConfig, type BacktestDeps } from './backtest-driver.ts';

const requestSchema = z.strictObject({
  dataFiles: z.array(z.string().min(1)).min(1),
  symbols: z.array(z.string().min(1)).optional(),
  strategy: z.string().min(1),
  strategyParams: z.record(z.string(), z.union([z.number(), z.string()])).default({}),
  sizing: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('fixed'), qty: z.number().int().positive() }),
    z.strictObject({ kind: z.literal('weight'), weight: z.number().positive().max(1) }),
  ]),
  cash: z.number().positive(),
  commission: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('none') }),
      z.strictObject({ kind: z.literal('percent'), percent: z.number().min(0).max(100) }),
      z.strictObject({ kind: z.literal('per_share'), perShare: z.number().min(0), minPerFill: z.number().min(0).optional() }),
      z.strictObject({ kind: z.literal('fixed'), perFill: z.number().min(0) }),
    ])
    .default({ kind: 'none' }),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  seed: z.number().int().optional(),
});

export function parseBacktestRequest(payload: unknown): BacktestConfig {
  const r = requestSchema.safeParse(payload);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`);
    throw new OrdinisError('E_CFG_INVALID', `backtest request: ${issues.join('; ')}`, { details: { issues } });
  }
  return r.data as BacktestConfig;
}

export class DefaultBacktestDriver implements BacktestDriver {
  constructor(private readonly deps: BacktestDeps) {}

  async run(_engine: OrchestrationEngine, config: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { result } = await runBacktest(parseBacktestRequest(config), this.deps);
    return result as unknown as Record<string, unknown>;
  }
}
