// A queue worker (`ordinis worker --queue redis://...`): takes sweep backtests from BullMQ,
// fetches their bars by content hash (queue-bars.ts), runs each on a thread of its own through
// the same SweepPointRunner as a local sweep, and returns the outcome as the job's result. It
// writes no database; the coordinator stores the results.
//
// The backtests run on threads (a backtest runs its bars without yielding) so that this
// thread keeps renewing the jobs' locks however long a backtest takes: a slow backtest is
// never mistaken for a dead worker. A killed worker's jobs are found stalled after about
// lockMs plus one stalled-check interval (lockMs too) and handed to another worker.

import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { OrdinisConfig } from '../../config/schema.ts';
import { fetchBars } from './queue-bars.ts';
import { BACKTEST_QUEUE, type BacktestJobData } from './queue-protocol.ts';
import type { SweepOutcome } from './sweep-outcome.ts';
import { PointThreadPool } from './point-thread-pool.ts';

export interface QueueWorkerOptions {
  url: string;
  /** The worker's configuration (a sweep's own keys go over it). */
  config: OrdinisConfig;
  /** Backtests at once (default 1: a backtest holds the event loop anyway). */
  concurrency?: number;
  /** BullMQ's lock duration and stalled-check interval, ms (default 30000). */
  lockMs?: number;
  /** Where fetched data files are kept. */
  cacheDir: string;
  /** Told when a job starts and ends (the CLI logs it). */
  onJob?: (event: 'started' | 'completed' | 'failed', jobId: string, detail?: string) => void;
  /** Told of connection errors (the worker keeps trying). */
  onError?: (e: Error) => void;
}

export interface QueueWorker {
  /** Resolves once connected and taking jobs. */
  ready(): Promise<void>;
  /** Finishes the job in hand, then disconnects. */
  close(): Promise<void>;
}

export function startQueueWorker(o: QueueWorkerOptions): QueueWorker {
  const redis = new Redis(o.url, { maxRetriesPerRequest: null });
  // Connection trouble: ioredis reconnects by itself; a job that needed Redis meanwhile fails
  // with the error. Without a listener ioredis would print each one.
  redis.on('error', (e: Error) => o.onError?.(e));
  const concurrency = o.concurrency ?? 1;
  const threads = new PointThreadPool(o.config, concurrency);
  const lockMs = o.lockMs ?? 30_000;
  const worker = new Worker<BacktestJobData, SweepOutcome>(
    BACKTEST_QUEUE,
    async (job: Job<BacktestJobData, SweepOutcome>) => {
      o.onJob?.('started', job.id!);
      const { spec, task, files } = job.data;
      const localFiles = await fetchBars(redis, files, o.cacheDir);
      const { index: _i, params: _p, ...outcome } = await threads.run({ task, spec, localFiles });
      return outcome;
    },
    { connection: { url: o.url, maxRetriesPerRequest: null }, concurrency, lockDuration: lockMs, stalledInterval: lockMs, maxStalledCount: 1 },
  );
  worker.on('completed', (job) => o.onJob?.('completed', job.id!));
  worker.on('failed', (job, e) => o.onJob?.('failed', job?.id ?? '?', e.message));
  // An 'error' event without a listener would end the process; BullMQ retries its connection.
  worker.on('error', (e) => o.onError?.(e));
  return {
    ready: () => worker.waitUntilReady().then(() => undefined),
    async close() {
      await worker.close();
      await threads.close();
      redis.disconnect();
    },
  };
}
