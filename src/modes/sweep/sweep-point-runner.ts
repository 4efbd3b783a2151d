// Runs one point of a sweep: builds its backtest from the sweep's definition (pointRun), runs
// it through runBacktest with no database and no cycle records (a sweep keeps the outcome,
// not the run's rows), and returns what the sweep keeps. The same code runs a point in the
// coordinator (--jobs 1), in a pool thread and in a queue worker, so where a point runs
// cannot change its result.

import { OrdinisError, toOrdinisError } from '../../errors.ts';
import type { OrdinisConfig } from '../../config/schema.ts';
import { loadStrategyFile, resolveStrategyFile, type StrategyFile } from '../../adapters/strategy/strategy-file.ts';
import { FileReplaySource } from '../../adapters/data/file-replay-source.ts';
import { symbolFromPath } from '../../adapters/data/csv-bars.ts';
import { StrategyRegistry } from '../../stages/sig/registry.ts';
import { runBacktest } from '../backtest/backtest-driver.ts';
import { outcomeOf, refusedOutcome, type SweepResult } from './sweep-outcome.ts';
import { pointRun, sweepConfig, type SweepSpec } from './sweep-spec.ts';
import type { ParamValue } from './parameter-space.ts';
import type { EquityPoint } from '../../stages/ana/equity-curve.ts';

/** A point to run: its index in the grid and its parameters. */
export interface PointTask {
  index: number;
  params: Record<string, ParamValue>;
}

export interface PointRunnerOptions {
  /**
   * Where this process finds a data file the sweep names (a queue worker's copy, fetched by
   * content hash). The run keeps the sweep's paths, and so its run id and symbols.
   */
  localFile?: (path: string) => string;
}

export class SweepPointRunner {
  private constructor(
    private readonly spec: SweepSpec,
    private readonly config: OrdinisConfig,
    private readonly file: { source: StrategyFile; registry: StrategyRegistry } | undefined,
    private readonly options: PointRunnerOptions,
  ) {}

  /**
   * A runner for the sweep. A strategy file is loaded once, here (each load of a .ts file
   * compiles it anew), and must be the code the sweep began with: E_SIG_STRATEGY_FILE if it changed.
   */
  static async create(spec: SweepSpec, current: OrdinisConfig, options: PointRunnerOptions = {}): Promise<SweepPointRunner> {
    const config = sweepConfig(spec, current);
    if (spec.strategyFile === null) return new SweepPointRunner(spec, config, undefined, options);
    const source = await loadStrategyFile(spec.strategyFile.file);
    if (source.sha256 !== spec.strategyFile.sha256) {
      throw new OrdinisError('E_SIG_STRATEGY_FILE', `strategy file ${spec.strategyFile.file} changed since the sweep began (sha256 ${source.sha256}, the sweep ran ${spec.strategyFile.sha256}): a sweep's results must come from one version of the code; start a new sweep`);
    }
    return new SweepPointRunner(spec, config, { source, registry: new StrategyRegistry().register(source.pack) }, options);
  }

  /** Never throws for the point's own failure: a refused or failed backtest is a result that says so. */
  async run(task: PointTask): Promise<SweepResult> {
    return (await this.runWithCurve(task)).result;
  }

  /** As run, with the backtest's chart curve (every bar up to a few thousand; empty when it did not start). */
  async runWithCurve(task: PointTask): Promise<{ result: SweepResult; equity: readonly EquityPoint[] }> {
    const at = { index: task.index, params: task.params };
    const point = pointRun(this.spec, task.params);
    if ('refused' in point) return { result: { ...at, ...refusedOutcome(null, this.spec.defaults.cash, point.refused) }, equity: [] };
    const { run, runId } = point;
    const file = point.file ? this.file : undefined;
    try {
      // A file's parameters are checked as `ordinis backtest` checks them (the error names the file).
      if (file) resolveStrategyFile(file.source, run.strategyParams, this.spec.flags.strategy);
      const local = this.options.localFile;
      const source = local
        ? new FileReplaySource({
            files: run.dataFiles.map(local),
            symbols: run.symbols ?? run.dataFiles.map(symbolFromPath),
            ...(run.from ? { from: run.from } : {}),
            ...(run.to ? { to: run.to } : {}),
            policy: this.config.ING_BAD_ROW_POLICY,
          })
        : undefined;
      const { result, artifacts } = await runBacktest(source ? { ...run, source } : run, { config: this.config, cycleRecords: 'none', ...(file ? { registry: file.registry } : {}) });
      return { result: { ...at, ...outcomeOf(result) }, equity: artifacts.equity };
    } catch (e) {
      const err = toOrdinisError(e);
      return { result: { ...at, ...refusedOutcome(runId, run.cash, { code: err.code, message: err.message.replace(/^E_[A-Z_]+: /, '') }) }, equity: [] };
    }
  }
}
