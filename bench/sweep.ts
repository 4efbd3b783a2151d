// sweep: a sweep of sma-cross on the ORCL sample (200 backtests, ~5,000 bars each; --quick
// 20), run as `ordinis sweep` runs it (runLocalPool) with 1 job and with 2, in backtests per
// second, and the queue's overhead per job: the same kind of sweep through BullMQ on a
// redis-server of its own (127.0.0.1, a free port) with one in-process worker, against the
// same points on one local job, back to back. Without redis-server it is not measured (-1, queueJobs 0).

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load.ts';
import { runLocalPool } from '../src/modes/sweep/local-pool.ts';
import { runQueueSweep } from '../src/modes/sweep/queue-coordinator.ts';
import { startQueueWorker } from '../src/modes/sweep/queue-worker.ts';
import { backtestConfigKeys, sweepPoints, type SweepSpec } from '../src/modes/sweep/sweep-spec.ts';
import { orclDataFile } from './lib/repeat-csv.ts';
import { round } from './lib/stats.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SweepBenchResult {
  backtestsPerSec1: number;
  backtestsPerSec2: number;
  /** backtestsPerSec2 / backtestsPerSec1. */
  speedup: number;
  /** Wall ms per job the queue adds over a local one-job sweep (-1: redis-server not installed). */
  queueOverheadMsPerJob: number;
  backtests: number;
}

export async function benchSweep(quick: boolean, projectRoot: string): Promise<SweepBenchResult & { queueJobs: number }> {
  const config = loadConfig({ env: {} }).config;
  const spec = (grid: string[]): SweepSpec => ({
    flags: { data: [orclDataFile(projectRoot)], symbols: 'ORCL' },
    grid,
    samples: null,
    seed: config.ORCH_SEED,
    objective: 'sharpe',
    defaults: { cash: config.BROKER_STARTING_CASH, commission: { kind: 'none' }, strategy: { strategy: 'sma-cross', params: {} } },
    config: backtestConfigKeys(config),
    cwd: projectRoot,
    strategyFile: null,
  });
  // Every point valid (fast < slow): 20 × 10 = 200, or 10 × 2 = 20.
  const main = spec(quick ? ['fast=2:11:1', 'slow=30,40'] : ['fast=2:21:1', 'slow=30:120:10']);
  const tasks = sweepPoints(main);
  const timed = async (jobs: number): Promise<number> => {
    const t0 = performance.now();
    let n = 0;
    await runLocalPool(tasks, { spec: main, config, jobs, onResult: () => n++ });
    if (n !== tasks.length) throw new Error(`sweep returned ${n} of ${tasks.length} results`);
    return (performance.now() - t0) / 1000;
  };
  const s1 = await timed(1);
  const s2 = await timed(2);
  const queued = quick ? ['fast=2:6:1', 'slow=50'] : ['fast=2:21:1', 'slow=50,60'];
  const q = await queueOverhead(spec(queued), config);
  return {
    backtestsPerSec1: round(tasks.length / s1, 2),
    backtestsPerSec2: round(tasks.length / s2, 2),
    speedup: round(s1 / s2, 2),
    queueOverheadMsPerJob: q.overheadMs,
    backtests: tasks.length,
    queueJobs: q.jobs,
  };
}

/** The queued sweep's wall time minus the same sweep's on one local job, per job (paired: same points, back to back). */
async function queueOverhead(spec: SweepSpec, config: ReturnType<typeof loadConfig>['config']): Promise<{ overheadMs: number; jobs: number }> {
  const tasks = sweepPoints(spec);
  const t0 = performance.now();
  await runLocalPool(tasks, { spec, config, jobs: 1, onResult: () => undefined });
  const localSeconds = (performance.now() - t0) / 1000;
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const started = await new Promise<boolean>((resolve) => {
    redis.once('error', () => resolve(false));
    let out = '';
    redis.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) resolve(true);
    });
  });
  if (!started) return { overheadMs: -1, jobs: 0 };
  const cache = mkdtempSync(join(tmpdir(), 'ordinis-bench-sweep-'));
  const url = `redis://127.0.0.1:${port}`;
  const worker = startQueueWorker({ url, config, concurrency: 1, cacheDir: cache });
  try {
    await worker.ready();
    // Warm-up: the worker's backtest thread boots on its first job; that is once per worker, not per job.
    await runQueueSweep(sweepPoints({ ...spec, grid: ['fast=3', 'slow=200'] }), { spec: { ...spec, grid: ['fast=3', 'slow=200'] }, url, onResult: () => undefined });
    const t0 = performance.now();
    let n = 0;
    await runQueueSweep(tasks, { spec, url, onResult: () => n++ });
    const seconds = (performance.now() - t0) / 1000;
    if (n !== tasks.length) throw new Error(`queued sweep returned ${n} of ${tasks.length} results`);
    return { overheadMs: round((1000 * (seconds - localSeconds)) / tasks.length, 2), jobs: tasks.length };
  } finally {
    await worker.close();
    redis.kill('SIGTERM');
    rmSync(cache, { recursive: true, force: true });
  }
}
