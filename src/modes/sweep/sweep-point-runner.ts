// Runs one point of a sweep: builds its backtest from the sweep's definition, runs it
// through runBacktest with no database and no cycle records (a sweep keeps the outcome, not
// the run's rows), and returns what the sweep keeps. The same code runs a point in the
// coordinator (--jobs 1) and in a pool thread, so --jobs cannot change a result.

import { OrdinisError, toOrdinisError } from '../../errors.ts';
import type { OrdinisConfig } from '../../config/schema.ts';
import { isStrategyFileArgument } from '../../adapters/strategy/strategy-file-name.ts';
import { loadStrategyFile, resolveStrategyFile, type StrategyFile } from '../../adapters/strategy/strategy-file.ts';
import { StrategyRegistry } from '../../stages/sig/registry.ts';
import { backtestBaseRunId, runBacktest } from '../backtest/backtest-driver.ts';
import { outcomeOf, refusedOutcome, type SweepResult } from './sweep-outcome.ts';
import { pointBacktest, sweepConfig, type SweepSpec } from './sweep-spec.ts';
import type { ParamValue } from './parameter-space.ts';

/** A point to run: its index in the grid and its parameters. */
export interface PointTask {
  index: number;
  params: Record<string, ParamValue>;
}

export class SweepPointRunner {
  private constructor(
    private readonly spec: SweepSpec,
    private readonly config: OrdinisConfig,
    private readonly file: { source: StrategyFile; registry: StrategyRegistry } | undefined,
  ) {}

  /**
   * A runner for the sweep. A strategy file is loaded once, here (each load of a .ts file
   * compiles it anew), and must be the code the sweep began with: E_SIG_STRATEGY_FILE if it changed.
   */
  static async create(spec: SweepSpec, current: OrdinisConfig): Promise<SweepPointRunner> {
    if (spec.strategyFile === null) return new SweepPointRunner(spec, sweepConfig(spec, current), undefined);
    const source = await loadStrategyFile(spec.strategyFile.file);
    if (source.sha256 !== spec.strategyFile.sha256) {
      throw new OrdinisError('E_SIG_STRATEGY_FILE', `strategy file ${spec.strategyFile.file} changed since the sweep began (sha256 ${source.sha256}, the sweep ran ${spec.strategyFile.sha256}): a sweep's results must come from one version of the code; start a new sweep`);
    }
    return new SweepPointRunner(spec, sweepConfig(spec, current), { source, registry: new StrategyRegistry().register(source.pack) });
  }

  /** Never throws for the point's own failure: a refused or failed backtest is a result that says so. */
  async run(task: PointTask): Promise<SweepResult> {
    const at = { index: task.index, params: task.params };
    let bt;
    try {
      bt = pointBacktest(this.spec, task.params);
    } catch (e) {
      return { ...at, ...refusedOutcome(null, this.spec.defaults.cash, errorOf(e)) };
    }
    const file = isStrategyFileArgument(bt.strategy) ? this.file : undefined;
    const run = { ...bt, strategy: file ? file.source.pack.id : bt.strategy };
    const runId = backtestBaseRunId(run, bt.seed ?? this.config.ORCH_SEED);
    try {
      // A file's parameters are checked as `ordinis backtest` checks them (the error names the file).
      if (file) resolveStrategyFile(file.source, run.strategyParams, this.spec.flags.strategy);
      const { result } = await runBacktest(run, { config: this.config, cycleRecords: 'none', ...(file ? { registry: file.registry } : {}) });
      return { ...at, ...outcomeOf(result) };
    } catch (e) {
      return { ...at, ...refusedOutcome(runId, run.cash, errorOf(e)) };
    }
  }
}

function errorOf(e: unknown): { code: string; message: string } {
  const err = toOrdinisError(e);
  return { code: err.code, message: err.message.replace(/^E_[A-Z_]+: /, '') };
}
