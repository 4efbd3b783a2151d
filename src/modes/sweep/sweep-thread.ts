// A pool thread of a local sweep (local-pool.ts): it builds one SweepPointRunner from the
// sweep's definition and runs the points it is sent, one at a time. It opens no database:
// the coordinator alone writes the results.
//
// Protocol: workerData {spec, config}; the pool posts {index, params} and gets
// {ok: true, result}, or {ok: false, error} once if the runner could not be built.

import { parentPort, workerData } from 'node:worker_threads';
import type { OrdinisConfig } from '../../config/schema.ts';
import { toOrdinisError } from '../../errors.ts';
import { SweepPointRunner, type PointTask } from './sweep-point-runner.ts';
import type { SweepResult } from './sweep-outcome.ts';
import type { SweepSpec } from './sweep-spec.ts';

export interface SweepThreadData {
  spec: SweepSpec;
  config: OrdinisConfig;
}

export type SweepThreadReply = { ok: true; result: SweepResult } | { ok: false; error: { code: string; message: string } };

const data = workerData as SweepThreadData;
const port = parentPort!;
const ready = SweepPointRunner.create(data.spec, data.config);

port.on('message', (task: PointTask) => {
  ready.then(
    async (runner) => port.postMessage({ ok: true, result: await runner.run(task) } satisfies SweepThreadReply),
    (e: unknown) => {
      const err = toOrdinisError(e);
      port.postMessage({ ok: false, error: { code: err.code, message: err.message.replace(/^E_[A-Z_]+: /, '') } } satisfies SweepThreadReply);
    },
  );
});
