// Runs a sweep's points on this machine: in the calling thread for one job, or on a pool of
// `jobs` worker threads (point-thread-pool.ts). Results are handed over as they finish (in
// whatever order); what each one is does not depend on which thread ran it, since every point
// is a self-contained, seeded backtest.

import type { OrdinisConfig } from '../../config/schema.ts';
import { PointThreadPool } from './point-thread-pool.ts';
import { SweepPointRunner, type PointTask } from './sweep-point-runner.ts';
import type { SweepResult } from './sweep-outcome.ts';
import type { SweepSpec } from './sweep-spec.ts';

export interface LocalPoolOptions {
  spec: SweepSpec;
  /** The process's configuration (the sweep's own keys go over it). */
  config: OrdinisConfig;
  jobs: number;
  /** Called with each result as it finishes; a throw stops the sweep. */
  onResult: (r: SweepResult) => void;
}

/** Runs every task; resolves when all are done, rejects on the first thread or onResult failure. */
export async function runLocalPool(tasks: readonly PointTask[], o: LocalPoolOptions): Promise<void> {
  if (tasks.length === 0) return;
  if (o.jobs <= 1) {
    const runner = await SweepPointRunner.create(o.spec, o.config);
    for (const t of tasks) o.onResult(await runner.run(t));
    return;
  }
  const pool = new PointThreadPool(o.config, Math.min(o.jobs, tasks.length), o.spec);
  try {
    // Every task is handed to the pool at once; it runs `jobs` at a time, in task order.
    await Promise.all(tasks.map((task) => pool.run({ task }).then(o.onResult)));
  } finally {
    await pool.close();
  }
}
