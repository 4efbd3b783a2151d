// The harness for users' own tests: a strategy pack over bars through the REAL default
// pipeline (every stage, the simulated venue, the policy chain), as `ordinis backtest` runs
// it, in memory. What a test asserts on comes back directly: fills, KPIs, trades, the curve.

import { OrdinisError, isErrorCode } from '../errors.ts';
import type { Bar } from '../domain/market.ts';
import type { Kpis } from '../domain/analytics.ts';
import type { CommissionModel } from '../domain/commission.ts';
import type { StageSet } from '../kernel/stage-contract.ts';
import type { OrdinisConfig } from '../config/schema.ts';
import { loadConfig } from '../config/load.ts';
import type { StrategyPack } from '../stages/sig/strategy-pack.ts';
import type { RiskPolicy } from '../stages/risk/policy.ts';
import type { SizingConfig } from '../stages/risk/sizing.ts';
import type { ClosedTrade } from '../stages/ana/trades.ts';
import type { EquityPoint } from '../stages/ana/equity-curve.ts';
import { ArrayBarSource } from '../adapters/data/array-bar-source.ts';
import { runBacktest, type BacktestFill, type BacktestResult } from '../modes/backtest/backtest-driver.ts';

/** What `runStrategy` runs the pack with; everything but `bars` has a default. */
export interface RunStrategyOptions {
  /** The bars, any symbols, any order (see `barsFromCloses`, `barsFromRows`, or `readBarsFile(...).bars`). */
  bars: readonly Bar[];
  /** The order of symbols within a bar. Default: order of first appearance in `bars`. */
  symbols?: readonly string[];
  /** The pack's raw parameters (its schema validates and defaults them). Default `{}`. */
  params?: Record<string, unknown>;
  /** Starting cash. Default 10 000. */
  cash?: number;
  /** How RISK sizes an entry. Default `{ kind: 'fixed', qty: 1 }`. */
  sizing?: SizingConfig;
  /** The venue's (and the cash check's) commission. Default none. */
  commission?: CommissionModel;
  /** Stages of your own in place of the defaults (as `assemblePipeline`'s `stages`). */
  stages?: StageSet;
  /** RISK's policy chain (as `assemblePipeline`'s `riskPolicies`). Default DEFAULT_POLICY_CHAIN. */
  riskPolicies?: readonly RiskPolicy[];
  /** The configuration. Default: the built-in defaults, not read from the environment (a test sees the same each time). */
  config?: OrdinisConfig;
  /** The seed of the run's random source. Default the config's ORCH_SEED. */
  seed?: number;
}

/** What a strategy did over the bars. */
export interface StrategyRun {
  /** Every fill, in time order. */
  fills: BacktestFill[];
  /** The KPIs at the last bar (null when no bar ran). */
  kpis: Kpis | null;
  /** The whole backtest result: counts, final cash and value, cycles by status. */
  result: BacktestResult;
  /** Round trips closed during the run. */
  closedTrades: readonly ClosedTrade[];
  /** Equity per bar (every bar up to a few thousand; above that, a chart curve that keeps every high and low). */
  equity: readonly EquityPoint[];
}

/**
 * Runs `pack` over `bars` through the default pipeline in backtest mode: the same stages,
 * venue and fill timing as `ordinis backtest`, so a pack's numbers here are the CLI's.
 * Nothing is written to disk. Rejects with the run's error (an OrdinisError with its code)
 * when the run fails, e.g. when the pack's `decide` throws, and with E_CFG_INVALID for bad
 * parameters or options.
 *
 * @example
 * ```ts
 * import { barsFromCloses, runStrategy } from 'ordinis-orch/testing';
 * import { smaCross } from 'ordinis-orch';
 *
 * const run = await runStrategy(smaCross, {
 *   bars: barsFromCloses([5, 4, 3, 4, 5, 6, 7, 6, 5, 4, 3]),
 *   params: { fast: 2, slow: 3 },
 * });
 * assert.equal(run.fills[0]?.side, 'buy');
 * ```
 */
export async function runStrategy<P>(pack: StrategyPack<P>, options: RunStrategyOptions): Promise<StrategyRun> {
  if (options === null || typeof options !== 'object' || !Array.isArray(options.bars)) {
    throw new OrdinisError('E_CFG_INVALID', 'runStrategy: options.bars must be an array of bars');
  }
  const source = new ArrayBarSource(options.bars, options.symbols);
  const config = options.config ?? loadConfig({ env: {} }).config;
  const { result, artifacts } = await runBacktest(
    {
      dataFiles: [],
      strategy: pack as StrategyPack<unknown>,
      strategyParams: options.params ?? {},
      sizing: options.sizing ?? { kind: 'fixed', qty: 1 },
      cash: options.cash ?? 10_000,
      commission: options.commission ?? { kind: 'none' },
      source,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    },
    {
      config,
      ...(options.stages ? { stages: options.stages } : {}),
      ...(options.riskPolicies ? { riskPolicies: options.riskPolicies } : {}),
    },
  );
  if (result.status === 'failed' && result.error) {
    const { code, message } = result.error;
    throw new OrdinisError(isErrorCode(code) ? code : 'E_INTERNAL', message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message, { details: { runId: result.runId } });
  }
  return { fills: result.fills, kpis: result.kpis, result, closedTrades: artifacts.closedTrades, equity: artifacts.equity };
}
