// `ordinis sweep` (its options: commands/sweep.ts). Builds the sweep's definition from the
// flags (or reads it back for --resume), records it, runs the points that have no result yet
// on the local pool, stores each result as it finishes, then prints the ranking.
//
// What is checked before the database is opened, so a bad sweep leaves nothing behind: the
// grid and every backtest flag (through the first point's backtest), the objective, --jobs,
// the data files, and a strategy file (loaded, its hash kept with the sweep).

import { accessSync, constants, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { OrdinisError } from '../../errors.ts';
import { makeContext, type GlobalOptions, type CliContext } from '../context.ts';
import { modeForCommand } from '../../modes/mode-table.ts';
import { commissionModelOf } from '../../domain/commission.ts';
import { decimalFlag, SAMPLE_DATA, type PipelineFlags } from '../pipeline-options.ts';
import { isStrategyFileArgument } from '../../adapters/strategy/strategy-file-name.ts';
import { loadStrategyFile } from '../../adapters/strategy/strategy-file.ts';
import { objectiveOf, rankByObjective } from '../../modes/sweep/objective.ts';
import { jsonResult, type SweepResult } from '../../modes/sweep/sweep-outcome.ts';
import { queueUrl } from '../../modes/sweep/queue-protocol.ts';
import { backtestConfigKeys, checkSweepSpec, sweepBaseId, sweepPoints, type SweepSpec } from '../../modes/sweep/sweep-spec.ts';
import { runLocalPool } from '../../modes/sweep/local-pool.ts';
import { formatSweepTable, sweepProgressLine } from '../sweep-render.ts';
import { writeJson, writeText } from '../render.ts';

export interface SweepFlags extends PipelineFlags {
  grid?: string[];
  samples?: string;
  objective?: string;
  jobs?: string;
  resume?: string;
  queue?: string;
  top?: string;
  json?: boolean;
}

/** The backtest flags a sweep's definition keeps (the pipeline's, less --db). */
const PIPELINE_KEYS = ['data', 'symbols', 'strategy', 'param', 'fast', 'slow', 'period', 'lower', 'upper', 'qty', 'weight', 'cash', 'commissionPct', 'from', 'to', 'seed'] as const;
/** The most threads a sweep starts: beyond the cores they only share them. */
const MAX_JOBS = 256;

export async function runSweepCommand(flags: SweepFlags, cmd: Command): Promise<void> {
  const g = cmd.optsWithGlobals() as GlobalOptions;
  const ctx = makeContext({ ...g, ...(flags.db ? { db: flags.db } : {}) });
  modeForCommand('backtest', ctx.loaded);
  const jobs = flags.jobs === undefined ? availableParallelism() : decimalFlag('--jobs', flags.jobs, { integer: true, min: 1, max: MAX_JOBS });
  const queue = flags.queue === undefined ? undefined : queueUrl(flags.queue);
  if (queue !== undefined && flags.jobs !== undefined) throw new OrdinisError('E_CFG_INVALID', '--jobs sets the threads of a local sweep; with --queue the workers run the backtests (ordinis worker --concurrency)', { details: { flag: '--jobs' } });
  const top = flags.top === undefined ? 20 : decimalFlag('--top', flags.top, { integer: true, min: 1, max: 1_000_000 });
  const definition = flags.resume === undefined ? await defineSweep(flags, ctx) : undefined;
  if (flags.resume !== undefined) {
    refuseRedefinition(flags);
    // A missing file holds no sweep: say so without creating one.
    if (!existsSync(ctx.config.DB_PATH)) throw sweepNotFound(flags.resume, ctx.config.DB_PATH);
  }

  // BullMQ and ioredis load only for a queued sweep; an unreachable queue fails before the database opens.
  const coordinator = queue === undefined ? undefined : await import('../../modes/sweep/queue-coordinator.ts');
  if (queue !== undefined) (await coordinator!.connectRedis(queue)).disconnect();
  const db = ctx.openDb();
  try {
    let sweepId: string;
    let spec: SweepSpec;
    if (definition) {
      spec = definition.spec;
      sweepId = db.sweeps.create(sweepBaseId(spec), spec, definition.points);
    } else {
      const stored = db.sweeps.get(flags.resume!);
      if (!stored) throw sweepNotFound(flags.resume!, db.path);
      sweepId = stored.sweepId;
      spec = stored.spec;
      // Relative --data paths name files where the sweep was defined.
      if (process.cwd() !== spec.cwd) process.chdir(spec.cwd);
    }
    const points = sweepPoints(spec);
    const done = db.sweeps.doneIndexes(sweepId);
    const tasks = points.filter((p) => !done.has(p.index));
    const where = queue !== undefined ? `as jobs on ${queue}` : `on ${Math.min(jobs, Math.max(1, tasks.length))} ${jobs === 1 ? 'thread' : 'threads'}`;
    if (!flags.json) process.stderr.write(`sweep ${sweepId}: ${points.length} points, ${done.size} done, running ${tasks.length} ${where}\n`);
    const progress = progressReporter(!flags.json && process.stderr.isTTY === true, points.length, done.size);
    const onResult = (r: SweepResult): void => {
      db.sweeps.putResult(sweepId, r);
      progress.step();
    };
    let stalled: number | undefined;
    if (coordinator !== undefined) stalled = (await coordinator.runQueueSweep(tasks, { spec, url: queue!, onResult })).stalled;
    else await runLocalPool(tasks, { spec, config: ctx.config, jobs, onResult });
    progress.finish();
    const ranked = rankByObjective(spec.objective, db.sweeps.results(sweepId));
    if (flags.json) writeJson({ sweepId, objective: spec.objective, points: points.length, ran: tasks.length, ...(stalled !== undefined ? { stalledJobs: stalled } : {}), results: ranked.map(jsonResult) });
    else writeText(formatSweepTable({ sweepId, objective: spec.objective, points: points.length, ran: tasks.length, dbPath: db.path }, ranked, top));
  } finally {
    db.close();
  }
}

/** A new sweep's definition from the flags, checked (see the header). */
async function defineSweep(flags: SweepFlags, ctx: CliContext): Promise<{ spec: SweepSpec; points: number }> {
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

function sweepNotFound(sweepId: string, dbPath: string): OrdinisError {
  return new OrdinisError('E_SWEEP_NOT_FOUND', `--resume ${sweepId}: no sweep by that id in ${dbPath} (ordinis sweep prints its id first)`, { details: { sweepId, db: dbPath } });
}

/** --resume runs the sweep as it was defined: a flag that would change it is refused, not ignored. */
function refuseRedefinition(flags: SweepFlags): void {
  const given = [...PIPELINE_KEYS, 'grid', 'samples', 'objective'].filter((k) => flags[k as keyof SweepFlags] !== undefined);
  if (given.length > 0) {
    const shown = given.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ');
    throw new OrdinisError('E_CFG_INVALID', `--resume runs the sweep as it was defined; ${shown} cannot change it (start a new sweep instead)`, { details: { flag: '--resume', given } });
  }
}

/** The progress line on a terminal's stderr, redrawn per result. */
function progressReporter(enabled: boolean, total: number, doneBefore: number): { step(): void; finish(): void } {
  if (!enabled) return { step() {}, finish() {} };
  const started = performance.now();
  let done = doneBefore;
  return {
    step() {
      done++;
      process.stderr.write(`\r${sweepProgressLine(done, total, performance.now() - started, doneBefore)}`);
    },
    finish() {
      if (done > doneBefore) process.stderr.write('\n');
    },
  };
}
