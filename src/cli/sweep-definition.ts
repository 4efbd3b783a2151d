// A sweep's definition from the command line (`ordinis sweep`, `ordinis walkforward`): the
// backtest flags, the grid, the objective, the seed and what they default to, checked before
// the database is opened, so a bad sweep leaves nothing behind: the grid and every backtest
// flag (through the first point's backtest), the objective, the data files, and a strategy
// file (loaded, its hash kept with the sweep).

import { accessSync, constants } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { OrdinisError } from '../errors.ts';
import type { CliContext } from './context.ts';
import { commissionModelOf } from '../domain/commission.ts';
import { decimalFlag, SAMPLE_DATA, type PipelineFlags } from './pipeline-options.ts';
import { isStrategyFileArgument } from '../adapters/strategy/strategy-file-name.ts';
import { loadStrategyFile } from '../adapters/strategy/strategy-file.ts';
import { objectiveOf } from '../modes/sweep/objective.ts';
import { backtestConfigKeys, checkSweepSpec, sweepPoints, type SweepSpec } from '../modes/sweep/sweep-spec.ts';

export interface SweepDefinitionFlags extends PipelineFlags {
  grid?: string[];
  samples?: string;
  objective?: string;
}

/** The backtest flags a sweep's definition keeps (the pipeline's, less --db). */
export const PIPELINE_KEYS = ['data', 'symbols', 'strategy', 'param', 'fast', 'slow', 'period', 'lower', 'upper', 'qty', 'weight', 'cash', 'commissionPct', 'from', 'to', 'seed'] as const;
/** The most threads a sweep starts: beyond the cores they only share them. */
const MAX_JOBS = 256;

/** `--jobs`: default the core count. */
export function jobsOf(raw: string | undefined): number {
  return raw === undefined ? availableParallelism() : decimalFlag('--jobs', raw, { integer: true, min: 1, max: MAX_JOBS });
}

/** A new sweep's definition from the flags, checked (see the header). */
export async function defineSweep(flags: SweepDefinitionFlags, ctx: CliContext): Promise<{ spec: SweepSpec; points: number }> {
  const objective = objectiveOf(flags.objective ?? 'sharpe');
  const pipeline: Omit<PipelineFlags, 'db'> = {};
  for (const k of PIPELINE_KEYS) if (flags[k] !== undefined) (pipeline as Record<string, unknown>)[k] = flags[k];
  const seed = flags.seed === undefined ? ctx.config.ORCH_SEED : decimalFlag('--seed', flags.seed, { integer: true, min: 0, max: 0xffff_ffff });
  const strategyArg = flags.strategy ?? ctx.config.SIG_STRATEGY;
  const file = isStrategyFileArgument(strategyArg) ? await loadStrategyFile(strategyArg) : undefined;
  const spec: SweepSpec = {
    flags: pipeline,
    grid: flags.grid ?? [],
    samples: flags.samples === undefined ? null : decimalFlag('--samples', flags.samples, { integer: true, min: 1 }),
    seed,
    objective,
    defaults: {
      cash: ctx.config.BROKER_STARTING_CASH,
      commission: commissionModelOf(ctx.config.EXEC_COMMISSION_MODEL, ctx.config.EXEC_COMMISSION_VALUE),
      strategy: { strategy: ctx.config.SIG_STRATEGY, params: ctx.config.SIG_STRATEGY_PARAMS },
    },
    config: backtestConfigKeys(ctx.config),
    cwd: process.cwd(),
    strategyFile: file ? { file: file.file, sha256: file.sha256, packId: file.pack.id } : null,
  };
  checkSweepSpec(spec);
  for (const f of flags.data ?? [SAMPLE_DATA]) {
    try {
      accessSync(resolve(f), constants.R_OK);
    } catch (e) {
      throw new OrdinisError('E_CFG_INVALID', `--data ${f}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e, details: { flag: '--data', value: f } });
    }
  }
  return { spec, points: sweepPoints(spec).length };
}

