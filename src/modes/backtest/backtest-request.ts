// `OrchestrationEngine.runBacktest(config)` and `ordinis.ops.run.backtest.requested` events
// land here: the request is validated (zod, clear E_CFG_INVALID naming the field) and run as
// an isolated backtest-mode pipeline. It never touches the requesting engine's broker or
// book; only its database receives the run record.

import { z } from 'zod';
import { OrdinisError } from '../../errors.ts';
import type { BacktestDriver, OrchestrationEngine } from '../../kernel/engine.ts';
import type { OrdinisConfig } from '../../config/schema.ts';
import { ManualClock } from '../../core/clock.ts';
import { SeededRandom } from '../../core/random.ts';
import { BufferedBarSource } from '../../adapters/data/buffered-bar-source.ts';
import { createStrategyRegistry } from '../../stages/sig/registry.ts';
import { assemblePipeline } from '../assemble.ts';
import { memoryStores } from '../memory-stores.ts';
import { runBacktest, type BacktestArtifacts, type BacktestConfig, type BacktestDeps, type BacktestResult } from './backtest-driver.ts';

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

/**
 * The backtest driver behind `engine.runBacktest(request)` (spec §4 run_backtest) and the
 * `ordinis.ops.run.backtest.requested` event: validates the request (a JSON-able
 * BacktestConfig with a strategy id; E_CFG_INVALID naming the field) and runs it with
 * `runBacktest` and these deps, in a pipeline of its own. Give it to `assemblePipeline` as
 * `backtest`.
 *
 * @example
 * ```ts
 * const { engine } = assemblePipeline({ ...parts, backtest: new DefaultBacktestDriver({ config }) });
 * const result = await engine.runBacktest({ dataFiles: ['orcl.csv'], strategy: 'sma-cross', sizing: { kind: 'fixed', qty: 10 }, cash: 10_000 });
 * ```
 */
export class DefaultBacktestDriver implements BacktestDriver {
  constructor(
    private readonly deps: BacktestDeps,
    /** Told the whole outcome, artifacts included (the CLI renders its report from them). */
    private readonly onFinished?: (out: { result: BacktestResult; artifacts: BacktestArtifacts }) => void,
  ) {}

  async run(_engine: OrchestrationEngine, config: Record<string, unknown>): Promise<Record<string, unknown>> {
    const out = await runBacktest(parseBacktestRequest(config), this.deps);
    this.onFinished?.(out);
    return out.result as unknown as Record<string, unknown>;
  }
}

/**
 * An engine whose job is to run backtests through `runBacktest` (the CLI's `ordinis backtest`):
 * a backtest-mode engine that runs no cycles of its own (each backtest brings its pipeline,
 * assembled by the driver), started, with `driver` as its backtest driver.
 */
export function backtestHostEngine(config: OrdinisConfig, driver: BacktestDriver): OrchestrationEngine {
  const { engine } = assemblePipeline({
    mode: 'backtest',
    config,
    source: new BufferedBarSource(),
    strategy: createStrategyRegistry().resolve('sma-cross', {}),
    sizing: { kind: 'fixed', qty: 1 },
    startingCash: config.BROKER_STARTING_CASH,
    commission: { kind: 'none' },
    stores: memoryStores(),
    clock: new ManualClock(0),
    random: new SeededRandom(config.ORCH_SEED),
    backtest: driver,
  });
  engine.start();
  return engine;
}
