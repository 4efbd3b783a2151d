// `ordinis sweep` (its options: commands/sweep.ts). Builds the sweep's definition from the
// flags (or reads it back for --resume), records it, runs the points that have no result yet
// on the local pool, stores each result as it finishes, then prints the ranking.
//
// Everything is checked before the database is opened (sweep-definition.ts), so a bad sweep
// leaves nothing behind.

import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { OrdinisError } from '../../errors.ts';
import { makeContext, type GlobalOptions } from '../context.ts';
import { configOverridesOf, decimalFlag } from '../pipeline-options.ts';
import { modeForCommand } from '../../modes/mode-table.ts';
import { rankByObjective } from '../../modes/sweep/objective.ts';
import { jsonResult, type SweepResult } from '../../modes/sweep/sweep-outcome.ts';
import { queueUrl } from '../../modes/sweep/queue-protocol.ts';
import { sweepBaseId, sweepPoints, type SweepSpec } from '../../modes/sweep/sweep-spec.ts';
import { runLocalPool } from '../../modes/sweep/local-pool.ts';
import { defineSweep, jobsOf, PIPELINE_KEYS, type SweepDefinitionFlags } from '../sweep-definition.ts';
import { formatSweepTable, sweepProgressLine } from '../sweep-render.ts';
import { writeJson, writeText } from '../render.ts';
import { checkReportPath, writeReportFile } from '../../modes/backtest/report/report-file.ts';
import { renderSweepReport } from '../../modes/sweep/report/sweep-report.ts';
import { SweepPointRunner } from '../../modes/sweep/sweep-point-runner.ts';
import type { OrdinisConfig } from '../../config/schema.ts';

/** Equity curves the report draws: the best runs'. */
const REPORT_CURVES = 5;

export interface SweepFlags extends SweepDefinitionFlags {
  jobs?: string;
  resume?: string;
  queue?: string;
  top?: string;
  report?: string;
  json?: boolean;
}

export async function runSweepCommand(flags: SweepFlags, cmd: Command): Promise<void> {
  const g = cmd.optsWithGlobals() as GlobalOptions;
  // As `ordinis backtest`: the dev profile unless one is chosen, --warmup-mode as its key.
  const ctx = makeContext({ ...g, ...(flags.db ? { db: flags.db } : {}) }, configOverridesOf(flags), 'dev');
  modeForCommand('backtest', ctx.loaded);
  const jobs = jobsOf(flags.jobs);
  const queue = flags.queue === undefined ? undefined : queueUrl(flags.queue);
  if (queue !== undefined && flags.jobs !== undefined) throw new OrdinisError('E_CFG_INVALID', '--jobs sets the threads of a local sweep; with --queue the workers run the backtests (ordinis worker --concurrency)', { details: { flag: '--jobs' } });
  // Before the sweep: a report that cannot be written must not cost a whole sweep.
  if (flags.report !== undefined) checkReportPath(flags.report);
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
    if (flags.report !== undefined) await writeSweepReport(flags.report, sweepId, spec, ctx.config, ranked, top);
    if (flags.json) writeJson({ sweepId, objective: spec.objective, points: points.length, ran: tasks.length, ...(stalled !== undefined ? { stalledJobs: stalled } : {}), results: ranked.map(jsonResult) });
    else writeText(formatSweepTable({ sweepId, objective: spec.objective, points: points.length, ran: tasks.length, dbPath: db.path }, ranked, top));
  } finally {
    db.close();
  }
}

/** The best runs are run again here for their curves (a sweep keeps none); each is its own deterministic backtest. */
async function writeSweepReport(path: string, sweepId: string, spec: SweepSpec, config: OrdinisConfig, ranked: readonly SweepResult[], top: number): Promise<void> {
  const runner = await SweepPointRunner.create(spec, config);
  const curves = [];
  for (const r of ranked.filter((x) => x.status === 'ok').slice(0, REPORT_CURVES)) curves.push(await runner.runWithCurve({ index: r.index, params: r.params }));
  const strategy = spec.flags.strategy ?? spec.defaults.strategy.strategy;
  writeReportFile(path, renderSweepReport({ sweepId, title: `Sweep ${sweepId}: ${strategy}`, objective: spec.objective, ranked, curves, top: Math.max(top, 50) }));
}

function sweepNotFound(sweepId: string, dbPath: string): OrdinisError {
  return new OrdinisError('E_SWEEP_NOT_FOUND', `--resume ${sweepId}: no sweep by that id in ${dbPath} (ordinis sweep prints its id first)`, { details: { sweepId, db: dbPath } });
}

/** --resume runs the sweep as it was defined: a flag that would change it is refused, not ignored. */
function refuseRedefinition(flags: SweepFlags): void {
  const given = [...PIPELINE_KEYS, 'warmupMode', 'grid', 'samples', 'objective'].filter((k) => flags[k as keyof SweepFlags] !== undefined);
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
