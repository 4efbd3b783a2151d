// Runs a sweep's points on this machine: in the calling thread for one job, or on `jobs`
// worker threads (sweep-thread.ts), each taking the next point when it finishes one. Results
// are handed over as they finish (in whatever order); what each one is does not depend on
// which thread ran it, since every point is a self-contained, seeded backtest.

import { Worker } from 'node:worker_threads';
import type { OrdinisConfig } from '../../config/schema.ts';
import { OrdinisError, type ErrorCode } from '../../errors.ts';
import { workerBoot } from '../backtest/backtest-requests.ts';
import { SweepPointRunner, type PointTask } from './sweep-point-runner.ts';
import type { SweepResult } from './sweep-outcome.ts';
import type { SweepSpec } from './sweep-spec.ts';
import type { SweepThreadData, SweepThreadReply } from './sweep-thread.ts';

export interface LocalPoolOptions {
  spec: SweepSpec;
  /** The process's configuration (the sweep's own keys go over it). */
  config: OrdinisConfig;
  jobs: number;
  /** Called with each result as it finishes; a throw stops the sweep (no point is handed out after it). */
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
  const threads = Math.min(o.jobs, tasks.length);
  let next = 0;
  let failed = false;
  const workers: Worker[] = [];
  const data: SweepThreadData = { spec: o.spec, config: o.config };
  try {
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      const fail = (e: unknown): void => {
        if (failed) return;
        failed = true;
        reject(e);
      };
      const feed = (w: Worker): void => {
        if (failed) return;
        if (next >= tasks.length) {
          if (running === 0) resolve();
          return;
        }
        running++;
        w.postMessage(tasks[next++]);
      };
      for (let i = 0; i < threads; i++) {
        const w = new Worker(workerBoot(import.meta.url, './sweep-thread'), { eval: true, workerData: data });
        workers.push(w);
        w.on('message', (reply: SweepThreadReply) => {
          running--;
          if (!reply.ok) return fail(new OrdinisError(reply.error.code as ErrorCode, reply.error.message));
          try {
            o.onResult(reply.result);
          } catch (e) {
            return fail(e);
          }
          feed(w);
        });
        w.on('error', (e) => fail(new OrdinisError('E_INTERNAL', `sweep thread failed: ${e.message}`, { cause: e })));
        w.on('exit', (code) => {
          if (code !== 0) fail(new OrdinisError('E_INTERNAL', `sweep thread exited (code ${code})`));
        });
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
