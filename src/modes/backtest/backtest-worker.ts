// The thread a requested backtest runs on (backtest-requests.ts). A backtest's bars run
// without yielding; on the process's main thread that would hold up paper cycles and the
// ops API for the whole run. Here it holds up only this thread. It has a database
// connection of its own and runs each request through the same driver as everywhere else.
//
// Protocol: workerData {config, dbPath, codeVersion, commitHash}; the parent posts
// {id, request} and gets {id, ok: true, result} or {id, ok: false, error: {code, message}};
// {close: true} closes the database and ends the thread.

import { parentPort, workerData } from 'node:worker_threads';
import type { OrdinisConfig } from '../../config/schema.ts';
import { toOrdinisError } from '../../errors.ts';
import { auditStoreOptions } from '../../cli/context.ts';
import { openDatabase } from '../../persistence/database.ts';
import type { OrchestrationEngine } from '../../kernel/engine.ts';
import { DefaultBacktestDriver } from './backtest-request.ts';

export interface BacktestWorkerData {
  config: OrdinisConfig;
  dbPath: string;
  codeVersion?: string;
  commitHash?: string;
}

export type BacktestWorkerRequest = { id: number; request: Record<string, unknown> } | { close: true };
export type BacktestWorkerReply = { id: number; ok: true; result: Record<string, unknown> } | { id: number; ok: false; error: { code: string; message: string } };

const data = workerData as BacktestWorkerData;
const port = parentPort!;
const db = openDatabase({ path: data.dbPath, busyTimeoutMs: data.config.DB_BUSY_TIMEOUT_MS, audit: auditStoreOptions(data.config) });
const driver = new DefaultBacktestDriver({
  config: data.config,
  db,
  ...(data.codeVersion ? { codeVersion: data.codeVersion } : {}),
  ...(data.commitHash ? { commitHash: data.commitHash } : {}),
});

port.on('message', (message: BacktestWorkerRequest) => {
  if ('close' in message) {
    db.close();
    port.close();
    return;
  }
  // The default driver never looks at the engine: the backtest brings its own pipeline.
  driver.run(undefined as unknown as OrchestrationEngine, message.request).then(
    (result) => port.postMessage({ id: message.id, ok: true, result } satisfies BacktestWorkerReply),
    (e: unknown) => {
      const err = toOrdinisError(e);
      port.postMessage({ id: message.id, ok: false, error: { code: err.code, message: err.message.replace(/^E_[A-Z_]+: /, '') } } satisfies BacktestWorkerReply);
    },
  );
});
