// `ordinis walkforward` (its options: commands/walkforward.ts): the sweep's definition from
// the flags (sweep-definition.ts), the windows cut from the data's own first and last dates,
// then walk-forward.ts. Each window's in-sample sweep is recorded in the database like any
// sweep (`sweeps`, `sweep_results`), so its ranking can be inspected afterwards.

import type { Command } from 'commander';
import type { OrdinisConfig } from '../../config/schema.ts';
import { makeContext, type GlobalOptions } from '../context.ts';
import { modeForCommand } from '../../modes/mode-table.ts';
import { FileReplaySource } from '../../adapters/data/file-replay-source.ts';
import { OrdinisError } from '../../errors.ts';
import { pointRun, sweepBaseId, sweepPoints, type SweepSpec } from '../../modes/sweep/sweep-spec.ts';
import { parseSpan, walkForwardWindows } from '../../modes/sweep/walk-forward-windows.ts';
import { runWalkForward } from '../../modes/sweep/walk-forward.ts';
import { defineSweep, jobsOf, type SweepDefinitionFlags } from '../sweep-definition.ts';
import { configOverridesOf } from '../pipeline-options.ts';
import { formatWalkForward, walkForwardJson } from '../walk-forward-render.ts';
import { writeJson, writeText } from '../render.ts';

export interface WalkForwardFlags extends SweepDefinitionFlags {
  inSample: string;
  outOfSample: string;
  step?: string;
  anchored?: boolean;
  jobs?: string;
  json?: boolean;
}

export async function runWalkForwardCommand(flags: WalkForwardFlags, cmd: Command): Promise<void> {
  const g = cmd.optsWithGlobals() as GlobalOptions;
  // As `ordinis backtest`: the dev profile unless one is chosen, --warmup-mode as its key.
  const ctx = makeContext({ ...g, ...(flags.db ? { db: flags.db } : {}) }, configOverridesOf(flags), 'dev');
  modeForCommand('backtest', ctx.loaded);
  const jobs = jobsOf(flags.jobs);
  const inSample = parseSpan('--in-sample', flags.inSample);
  const outOfSample = parseSpan('--out-of-sample', flags.outOfSample);
  const step = flags.step === undefined ? outOfSample : parseSpan('--step', flags.step);
  const { spec } = await defineSweep(flags, ctx);
  const [first, last] = dataDates(spec, ctx.config.ING_BAD_ROW_POLICY);
  const windows = walkForwardWindows(first, last, { inSample, outOfSample, step, anchored: flags.anchored === true });
  if (!flags.json) process.stderr.write(`walkforward: ${windows.length} windows from ${first} to ${last}, ${sweepPoints(spec).length} points each\n`);
  const db = ctx.openDb();
  try {
    const { windows: outcomes, stitched } = await runWalkForward({
      spec,
      windows,
      config: ctx.config,
      jobs,
      recordSweep: (isSpec: SweepSpec, points, results) => {
        const id = db.sweeps.create(sweepBaseId(isSpec), isSpec, points);
        db.transaction(() => {
          for (const r of results) db.sweeps.putResult(id, r);
        });
        return id;
      },
      onWindow: (w) => {
        if (!flags.json) process.stderr.write(`window ${w.window.index + 1}/${windows.length}: ${w.window.outOfSample.from}..${w.window.outOfSample.to} ${w.chosen ? JSON.stringify(w.chosen.params) : 'no parameters with an objective value'}\n`);
      },
    });
    if (flags.json) writeJson(walkForwardJson(spec.objective, outcomes, stitched));
    else writeText(formatWalkForward(spec.objective, outcomes, stitched, db.path));
  } finally {
    db.close();
  }
}

/** The first and last bar dates (UTC, YYYY-MM-DD) of the sweep's data within its --from/--to. */
function dataDates(spec: SweepSpec, policy: OrdinisConfig['ING_BAD_ROW_POLICY']): [string, string] {
  const point = pointRun(spec, sweepPoints({ ...spec, samples: 1 })[0]!.params);
  if ('refused' in point) throw new OrdinisError(point.refused.code as 'E_CFG_INVALID', point.refused.message);
  const source = new FileReplaySource({
    files: point.run.dataFiles,
    ...(point.run.symbols ? { symbols: point.run.symbols } : {}),
    ...(point.run.from ? { from: point.run.from } : {}),
    ...(point.run.to ? { to: point.run.to } : {}),
    policy,
  });
  try {
    let first: number | undefined;
    let last: number | undefined;
    for (const ts of source.timestamps()) {
      first ??= ts;
      last = ts;
    }
    if (first === undefined || last === undefined) throw new OrdinisError('E_ING_NO_DATA', `no bars in ${point.run.dataFiles.join(', ')} between --from and --to`);
    return [new Date(first).toISOString().slice(0, 10), new Date(last).toISOString().slice(0, 10)];
  } finally {
    source.close();
  }
}
