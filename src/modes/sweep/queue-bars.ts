// Bars travel by content hash: the coordinator stores each data file's bytes in Redis once,
// under its SHA-256 (queue-protocol.ts barsKey), and a job names the hashes; a worker fetches
// a file it has not seen into its cache directory, checks the hash, and reads it from there.
// The same file is fetched once per worker, however many backtests use it.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { OrdinisError } from '../../errors.ts';
import { barsKey } from './queue-protocol.ts';

/** Stores each file (relative paths read from `cwd`) under its hash; returns path → hash. */
export async function publishBars(redis: Redis, files: readonly string[], cwd: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of files) {
    const bytes = readFileSync(resolve(cwd, f));
    const sha = createHash('sha256').update(bytes).digest('hex');
    // NX: content under a hash never changes, so a second sweep writes nothing.
    await redis.set(barsKey(sha), bytes, 'NX');
    out[f] = sha;
  }
  return out;
}

/**
 * The local copies of a job's files in `cacheDir` (fetched when missing, checked against
 * their hash): the job's path → the copy. E_SWEEP_JOB_FAILED when Redis no longer holds a
 * file or holds other bytes under its hash.
 */
export async function fetchBars(redis: Redis, files: Readonly<Record<string, string>>, cacheDir: string): Promise<Record<string, string>> {
  mkdirSync(cacheDir, { recursive: true });
  const local: Record<string, string> = {};
  for (const [path, sha] of Object.entries(files)) {
    const copy = join(cacheDir, `${sha}${extname(path)}`);
    if (!existsSync(copy)) {
      const bytes = await redis.getBuffer(barsKey(sha));
      if (bytes === null) throw new OrdinisError('E_SWEEP_JOB_FAILED', `data file ${path} (sha256 ${sha}) is not in the queue's Redis: resume the sweep from its coordinator, which stores it again`);
      const got = createHash('sha256').update(bytes).digest('hex');
      if (got !== sha) throw new OrdinisError('E_SWEEP_JOB_FAILED', `data file ${path}: Redis holds other bytes under sha256 ${sha} (they hash to ${got})`);
      // Written aside and renamed: a worker killed mid-write leaves no truncated copy behind.
      const part = `${copy}.${process.pid}.part`;
      writeFileSync(part, bytes);
      renameSync(part, copy);
    }
    local[path] = copy;
  }
  return local;
}
