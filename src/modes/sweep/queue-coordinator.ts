// Runs a sweep's points through BullMQ on Redis (`ordinis sweep --queue redis://...`): each
// point's backtest is a job whose id is the backtest's deterministic run id, taken by any
// `ordinis worker` on any machine; results come back to this process, which alone writes
// them to its SQLite file.
//
// Why results are exactly once: BullMQ keeps one job per id, so a point is queued once
// however often a sweep is resumed (or two sweeps share a backtest), and a job completes
// once. A worker that dies mid-job stops renewing its lock; BullMQ's stalled-job check moves
// the job back to the wait list and another worker runs it. The coordinator takes each
// completion once (a point already handed over is ignored) and, on a start or a resume, also
// reads the jobs that completed while it was not listening. A job that failed for good (a
// worker could not even build the backtest) is retried once on a resume, else fails the sweep.

import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { OrdinisError } from '../../errors.ts';
import { publishBars } from './queue-bars.ts';
import { BACKTEST_QUEUE, type BacktestJobData } from './queue-protocol.ts';
import { refusedOutcome, type SweepOutcome, type SweepResult } from './sweep-outcome.ts';
import type { PointTask } from './sweep-point-runner.ts';
import { pointRun, type SweepSpec } from './sweep-spec.ts';

export interface QueueSweepOptions {
  spec: SweepSpec;
  url: string;
  /** Called once per point, as its result arrives. */
  onResult: (r: SweepResult) => void;
}

export interface QueueSweepReport {
  /** Jobs BullMQ found stalled (a worker died or hung holding them) and handed to another worker. */
  stalled: number;
}

/** Queues the tasks and resolves when each has its result; rejects on a job that failed for good. */
export async function runQueueSweep(tasks: readonly PointTask[], o: QueueSweepOptions): Promise<QueueSweepReport> {
  const report: QueueSweepReport = { stalled: 0 };
  const pending = new Map<string, PointTask>();
  for (const t of tasks) {
    const point = pointRun(o.spec, t.params);
    // Flags refused before the backtest has an id: nothing to queue, the result says why.
    if ('refused' in point) o.onResult({ ...t, ...refusedOutcome(null, o.spec.defaults.cash, point.refused) });
    else pending.set(point.runId, t);
  }
  if (pending.size === 0) return report;

  const connection = { url: o.url, maxRetriesPerRequest: null };
  const redis = await connectRedis(o.url);
  const events = new QueueEvents(BACKTEST_QUEUE, { connection });
  const queue = new Queue<BacktestJobData>(BACKTEST_QUEUE, { connection });
  try {
    const files = await publishBars(redis, pointDataFiles(o.spec, [...pending.values()][0]!), o.spec.cwd);
    let settle!: { resolve: () => void; reject: (e: unknown) => void };
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    const deliver = (jobId: string, outcome: SweepOutcome): void => {
      const task = pending.get(jobId);
      if (task === undefined) return;
      pending.delete(jobId);
      try {
        // The job may have been queued by another sweep (the same backtest): its point is ours.
        o.onResult({ ...outcomeFields(outcome), index: task.index, params: task.params });
      } catch (e) {
        settle.reject(e);
        return;
      }
      if (pending.size === 0) settle.resolve();
    };
    const failed = (jobId: string, reason: string): void => {
      if (!pending.has(jobId)) return;
      settle.reject(new OrdinisError('E_SWEEP_JOB_FAILED', `backtest ${jobId} (point ${pending.get(jobId)!.index}) failed in its worker: ${reason}`, { details: { jobId } }));
    };
    events.on('completed', ({ jobId, returnvalue }) => deliver(jobId, parseOutcome(returnvalue)));
    events.on('failed', ({ jobId, failedReason }) => failed(jobId, failedReason));
    events.on('stalled', () => report.stalled++);
    await events.waitUntilReady();

    const jobs = await queue.addBulk(
      [...pending].map(([runId, task]) => ({
        name: 'backtest',
        data: { spec: o.spec, task, files },
        // Completed jobs stay: they are how a resumed or repeated sweep finds its results.
        opts: { jobId: runId, attempts: 1, removeOnComplete: false, removeOnFail: false },
      })),
    );
    // Jobs that already existed (an earlier run of this sweep, or another sweep) may be done.
    for (const job of jobs) await catchUp(queue, job, deliver, failed);
    await done;
    return report;
  } finally {
    await Promise.allSettled([events.close(), queue.close()]);
    redis.disconnect();
  }
}

/** A job found already finished: its result delivered, or (failed) queued again once. */
async function catchUp(queue: Queue<BacktestJobData>, job: Job<BacktestJobData>, deliver: (id: string, o: SweepOutcome) => void, failed: (id: string, reason: string) => void): Promise<void> {
  const state = await job.getState();
  if (state === 'completed') {
    // The job addBulk returned is the one asked for, not the stored one: read its result.
    const fresh = await queue.getJob(job.id!);
    deliver(job.id!, parseOutcome(fresh?.returnvalue));
  } else if (state === 'failed') {
    try {
      await job.retry('failed');
    } catch (e) {
      failed(job.id!, e instanceof Error ? e.message : String(e));
    }
  }
}

function outcomeFields(r: SweepOutcome): SweepOutcome {
  return { runId: r.runId, status: r.status, finalValue: r.finalValue, totalReturnPct: r.totalReturnPct, maxDrawdownPct: r.maxDrawdownPct, trades: r.trades, kpis: r.kpis, error: r.error };
}

function parseOutcome(v: unknown): SweepOutcome {
  const o = (typeof v === 'string' ? JSON.parse(v) : v) as SweepOutcome | undefined;
  if (!o || typeof o !== 'object' || typeof o.finalValue !== 'number') throw new OrdinisError('E_SWEEP_JOB_FAILED', `a job's result is not a backtest outcome: ${JSON.stringify(v)?.slice(0, 200)}`);
  return o;
}

/** Every point of a sweep reads the same data files: the sweep's flags name them. */
function pointDataFiles(spec: SweepSpec, task: PointTask): string[] {
  const point = pointRun(spec, task.params);
  return 'refused' in point ? [] : point.run.dataFiles;
}

/**
 * A Redis connection, or E_QUEUE_UNAVAILABLE naming the URL and why (a sweep must not wait
 * forever on a typo). Made before the sweep's database is opened, so an unreachable queue
 * leaves nothing behind.
 */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
  let last: Error | undefined;
  // ioredis reports a failed connection as an 'error' event too; without a listener it prints it.
  redis.on('error', (e: Error) => (last = e));
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (e) {
    redis.disconnect();
    const why = (last ?? (e instanceof Error ? e : new Error(String(e)))).message;
    throw new OrdinisError('E_QUEUE_UNAVAILABLE', `--queue ${url}: Redis cannot be reached (${why})`, { cause: last ?? e, details: { flag: '--queue', url } });
  }
}
