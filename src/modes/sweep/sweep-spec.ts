// A sweep's definition (pure): everything its backtests depend on, stored with the sweep, so
// `--resume SWEEP_ID` (and a worker on another process) rebuilds each backtest exactly as the
// sweep first did, whatever the resuming process's flags and environment say.
//
// A point's backtest is built the way `ordinis backtest` builds one: the sweep's backtest
// flags with the point's parameters added as flags (a built-in pack's --fast, --slow, ... or
// --param key=value), through the same toBacktestConfig. So a point's run id and result are,
// by construction, those of `ordinis backtest` with the same flags.

import { createHash } from 'node:crypto';
import { OrdinisError, toOrdinisError } from '../../errors.ts';
import type { OrdinisConfig } from '../../config/schema.ts';
import type { CommissionModel } from '../../domain/commission.ts';
import { isStrategyFileArgument } from '../../adapters/strategy/strategy-file-name.ts';
import { toBacktestConfig, type ConfiguredStrategy, type PipelineFlags } from '../../cli/pipeline-options.ts';
import { backtestBaseRunId, type BacktestConfig } from '../backtest/backtest-driver.ts';
import { gridPoints, parseAxes, samplePoints, type SweepPoint } from './parameter-space.ts';
import type { ObjectiveName } from './objective.ts';

/** The built-in packs' own parameter flags (pipeline-options.ts): a swept key among them goes in as that flag. */
const BUILTIN_PARAM_FLAGS = ['fast', 'slow', 'period', 'lower', 'upper'] as const;

/**
 * Configuration key prefixes that do not change what a backtest computes (the ops API, the
 * audit store, the database, observability, the bus): left out of a sweep's definition, so
 * neither --db nor a secret is part of it.
 */
const NOT_BACKTEST_KEYS = ['API_', 'AUDIT_', 'DB_', 'OBS_', 'SB_'];

export interface SweepSpec {
  /** The backtest flags as typed (text), less --db; each point adds its parameters. */
  flags: Omit<PipelineFlags, 'db'>;
  /** `--grid` flags as typed. */
  grid: string[];
  /** Random search: how many distinct points of the grid (null: the whole grid). */
  samples: number | null;
  /** The backtests' seed (--seed, else ORCH_SEED), which also draws the samples. */
  seed: number;
  objective: ObjectiveName;
  /** What the flags default to: BROKER_STARTING_CASH, the EXEC_COMMISSION_* model, SIG_STRATEGY and its parameters. */
  defaults: { cash: number; commission: CommissionModel; strategy: ConfiguredStrategy };
  /** The configuration keys a backtest depends on (see NOT_BACKTEST_KEYS), as the sweep began. */
  config: Record<string, unknown>;
  /** Where relative --data paths are read from. */
  cwd: string;
  /** A strategy file's absolute path, content hash and pack id: a resumed sweep must run the same code. */
  strategyFile: { file: string; sha256: string; packId: string } | null;
}

/** The configuration keys a sweep's backtests depend on (pure). */
export function backtestConfigKeys(config: OrdinisConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) if (!NOT_BACKTEST_KEYS.some((p) => k.startsWith(p))) out[k] = v;
  return out;
}

/** The configuration a sweep's backtests run with: the process's own, with the sweep's keys over it. */
export function sweepConfig(spec: SweepSpec, current: OrdinisConfig): OrdinisConfig {
  return { ...current, ...spec.config } as OrdinisConfig;
}

/** The sweep's id: the same definition gives the same id (a counter follows it when the file already holds that sweep). */
export function sweepBaseId(spec: SweepSpec): string {
  return `sw-${createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 12)}`;
}

/** The sweep's points, in the order they are run: the grid in index order, or the samples as drawn. */
export function sweepPoints(spec: SweepSpec): SweepPoint[] {
  const axes = parseAxes(spec.grid);
  return spec.samples === null ? gridPoints(axes) : samplePoints(axes, spec.samples, spec.seed);
}

/** A point's backtest (strategy: the pack id, or the file as given): the sweep's flags plus the point's parameters. */
export function pointBacktest(spec: SweepSpec, params: Readonly<Record<string, number | string>>): BacktestConfig & { strategy: string } {
  const strategy = spec.flags.strategy ?? spec.defaults.strategy.strategy;
  const file = isStrategyFileArgument(strategy);
  const flags: PipelineFlags = { ...spec.flags, param: [...(spec.flags.param ?? [])] };
  for (const [key, value] of Object.entries(params)) {
    if (!file && (BUILTIN_PARAM_FLAGS as readonly string[]).includes(key)) flags[key as (typeof BUILTIN_PARAM_FLAGS)[number]] = String(value);
    else flags.param!.push(`${key}=${String(value)}`);
  }
  if (flags.param!.length === 0) delete flags.param;
  return { ...toBacktestConfig(flags, spec.defaults.cash, spec.defaults.commission, spec.defaults.strategy), seed: spec.seed };
}

/** A point's backtest as run (a file's pack named by its id) and its run id, or why its flags were refused. */
export type PointRun = { run: BacktestConfig & { strategy: string; seed: number }; runId: string; file: boolean } | { refused: { code: string; message: string } };

/** What runs at a point (pure): its backtest and the run id `ordinis backtest` would give it. */
export function pointRun(spec: SweepSpec, params: Readonly<Record<string, number | string>>): PointRun {
  let bt;
  try {
    bt = pointBacktest(spec, params);
  } catch (e) {
    const err = toOrdinisError(e);
    return { refused: { code: err.code, message: err.message.replace(/^E_[A-Z_]+: /, '') } };
  }
  const file = isStrategyFileArgument(bt.strategy) && spec.strategyFile !== null;
  const run = { ...bt, strategy: file ? spec.strategyFile!.packId : bt.strategy, seed: spec.seed };
  return { run, runId: backtestBaseRunId(run, spec.seed), file };
}

/**
 * Refuses a definition whose grid fights the backtest flags: a key both swept and given as a
 * flag (--fast 10 --grid fast=5:50:5) would leave one of them silently ignored. Pure.
 */
export function checkSweepSpec(spec: SweepSpec): void {
  const axes = parseAxes(spec.grid);
  const given = new Set<string>();
  for (const k of BUILTIN_PARAM_FLAGS) if (spec.flags[k] !== undefined) given.add(k);
  for (const p of spec.flags.param ?? []) given.add(p.slice(0, Math.max(0, p.indexOf('='))).trim());
  for (const a of axes) {
    if (given.has(a.key)) throw new OrdinisError('E_CFG_INVALID', `--grid ${a.key} sweeps a parameter also given as a flag (--${BUILTIN_PARAM_FLAGS.includes(a.key as never) ? a.key : `param ${a.key}`}); give it once`, { details: { flag: '--grid', key: a.key } });
  }
  if (spec.samples !== null && !(Number.isSafeInteger(spec.samples) && spec.samples >= 1)) {
    throw new OrdinisError('E_CFG_INVALID', `--samples ${spec.samples}: expected an integer >= 1`, { details: { flag: '--samples', value: spec.samples } });
  }
  // The first point's flags go through the backtest's own checks now, not at every point.
  pointBacktest(spec, sweepPoints({ ...spec, samples: 1 })[0]!.params);
}
