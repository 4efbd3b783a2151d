// What a sweep's coordinator and its queue workers agree on: the BullMQ queue's name, a job's
// data, the Redis keys bars are kept under by content hash, and the Redis URL they are given.
// A job carries everything its backtest depends on (the sweep's definition, the point, the
// data files' hashes), so a worker needs nothing of the coordinator's file system.

import { OrdinisError } from '../../errors.ts';
import type { PointTask } from './sweep-point-runner.ts';
import type { SweepSpec } from './sweep-spec.ts';

/** The BullMQ queue every sweep's backtests go through. Job id: the backtest's run id. */
export const BACKTEST_QUEUE = 'ordinis-backtests';

/** A data file's content in Redis, keyed by its SHA-256 (written once, never changed). */
export const barsKey = (sha256: string): string => `ordinis:bars:${sha256}`;

export interface BacktestJobData {
  spec: SweepSpec;
  task: PointTask;
  /** Each data file the point's backtest names → the SHA-256 of its content. */
  files: Record<string, string>;
}

/** `--queue redis://[user:pass@]host:port[/db]` checked (pure); E_CFG_INVALID naming the flag. */
export function queueUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OrdinisError('E_CFG_INVALID', `--queue ${JSON.stringify(raw)}: expected redis://HOST:PORT (or rediss:// for TLS)`, { details: { flag: '--queue', value: raw } });
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    throw new OrdinisError('E_CFG_INVALID', `--queue ${JSON.stringify(raw)}: expected redis://HOST:PORT (or rediss:// for TLS)`, { details: { flag: '--queue', value: raw } });
  }
  return raw;
}
