// A thread of a sweep's thread pool (point-thread-pool.ts): runs the points it is sent, one
// at a time, each through a SweepPointRunner built once per sweep (and per set of local data
// copies). It opens no database: the coordinator alone writes the results.
//
// Protocol: workerData {config, spec?}; the pool posts {task, spec?, localFiles?} (spec
// defaults to workerData's) and gets {ok: true, result} or {ok: false, error} per message.

import { parentPort, workerData } from 'node:worker_threads';
import type { OrdinisConfig } from '../../config/schema.ts';
import { OrdinisError, toOrdinisError } from '../../errors.ts';
import { SweepPointRunner, type PointTask } from './sweep-point-runner.ts';
import type { SweepResult } from './sweep-outcome.ts';
import { sweepBaseId, type SweepSpec } from './sweep-spec.ts';

export interface SweepThreadData {
  config: OrdinisConfig;
  /** The sweep every message is for, when the pool serves one sweep. */
  spec?: SweepSpec;
}

export interface SweepThreadRequest {
  task: PointTask;
  spec?: SweepSpec;
  /** The sweep's data file paths → this machine's copies (a queue worker's). */
  localFiles?: Record<string, string>;
}

export type SweepThreadReply = { ok: true; result: SweepResult } | { ok: false; error: { code: string; message: string } };

const data = workerData as SweepThreadData;
const port = parentPort!;
/** Runners by sweep (a few: a queue worker serves sweeps one after another). */
const runners = new Map<string, Promise<SweepPointRunner>>();

function runnerFor(spec: SweepSpec, localFiles: Record<string, string> | undefined): Promise<SweepPointRunner> {
  const key = `${sweepBaseId(spec)} ${JSON.stringify(localFiles ?? null)}`;
  let runner = runners.get(key);
  if (runner === undefined) {
    if (runners.size >= 8) runners.delete(runners.keys().next().value!);
    const localFile = localFiles
      ? (path: string): string => {
          const copy = localFiles[path];
          if (copy === undefined) throw new OrdinisError('E_SWEEP_JOB_FAILED', `data file ${path} has no local copy`);
          return copy;
        }
      : undefined;
    runner = SweepPointRunner.create(spec, data.config, localFile ? { localFile } : {});
    runners.set(key, runner);
    runner.catch(() => runners.delete(key));
  }
  return runner;
}

port.on('message', (m: SweepThreadRequest) => {
  runnerFor(m.spec ?? data.spec!, m.localFiles)
    .then((runner) => runner.run(m.task))
    .then(
      (result) => port.postMessage({ ok: true, result } satisfies SweepThreadReply),
      (e: unknown) => {
        const err = toOrdinisError(e);
        port.postMessage({ ok: false, error: { code: err.code, message: err.message.replace(/^E_[A-Z_]+: /, '') } } satisfies SweepThreadReply);
      },
    );
});
