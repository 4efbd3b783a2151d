// `ordinis worker` (its options: commands/worker.ts): runs a queue worker until SIGINT or
// SIGTERM, then lets the backtest in hand finish and disconnects. One line per job on stderr.

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { makeContext, type GlobalOptions } from '../context.ts';
import { decimalFlag } from '../pipeline-options.ts';
import { queueUrl } from '../../modes/sweep/queue-protocol.ts';
import { startQueueWorker } from '../../modes/sweep/queue-worker.ts';

export interface WorkerFlags {
  queue: string;
  concurrency?: string;
  lockMs?: string;
  cacheDir?: string;
}

export async function runWorkerCommand(flags: WorkerFlags, cmd: Command): Promise<void> {
  const g = cmd.optsWithGlobals() as GlobalOptions;
  const ctx = makeContext(g);
  const url = queueUrl(flags.queue);
  const concurrency = flags.concurrency === undefined ? 1 : decimalFlag('--concurrency', flags.concurrency, { integer: true, min: 1, max: 256 });
  const lockMs = flags.lockMs === undefined ? 30_000 : decimalFlag('--lock-ms', flags.lockMs, { integer: true, min: 100, max: 86_400_000 });
  const worker = startQueueWorker({
    url,
    config: ctx.config,
    concurrency,
    lockMs,
    cacheDir: flags.cacheDir ?? join(tmpdir(), 'ordinis-bars'),
    onJob: (event, jobId, detail) => process.stderr.write(`worker ${process.pid}: job ${jobId} ${event}${detail ? `: ${detail}` : ''}\n`),
    onError: (e) => process.stderr.write(`worker ${process.pid}: ${e.message}\n`),
  });
  await worker.ready();
  process.stderr.write(`worker ${process.pid}: taking jobs from ${url}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await worker.close();
  process.stderr.write(`worker ${process.pid}: stopped\n`);
}
