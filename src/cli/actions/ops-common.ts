// What the ops commands (runs, kill, audit, config) share: the context from the global
// options plus the command's own --db, opening the database for inspection, and validating
// operator-supplied text.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { OrdinisError } from '../../errors.ts';
import { openDatabase, type OrdinisDatabase } from '../../persistence/database.ts';
import { auditStoreOptions, makeContext, type CliContext, type GlobalOptions } from '../context.ts';

export interface DbFlags {
  db?: string;
}

/** The context for a command with its own `--db` (which wins over a global one). */
export function opsContext(flags: DbFlags, cmd: Command): CliContext {
  const g = cmd.optsWithGlobals() as GlobalOptions;
  return makeContext({ ...g, ...(flags.db ? { db: flags.db } : {}) });
}

/**
 * Opens the database read-only, for commands that only look: nothing is written, not even
 * SQLite's side files (see openDatabase), so they also work on read-only media. A path with
 * no file is an error rather than a new empty database: a mistyped --db must not answer "no
 * runs". A file written by an older build is refused (E_DB_SCHEMA_TOO_OLD, saying to run a
 * write-capable command first) rather than migrated by a command that only looks.
 */
export function openForReading(ctx: CliContext): OrdinisDatabase {
  const path = ctx.config.DB_PATH;
  if (path === ':memory:') return ctx.openDb();
  const abs = resolve(path);
  if (!existsSync(abs)) {
    throw new OrdinisError('E_DB_UNAVAILABLE', `no database at ${abs} (pass --db FILE or set ORDINIS_DB_PATH)`, {
      retryable: false,
      details: { path: abs },
    });
  }
  // With the audit MAC key, so `audit verify` checks the keyed checkpoints.
  return openDatabase({ path: abs, busyTimeoutMs: ctx.config.DB_BUSY_TIMEOUT_MS, readonly: true, audit: auditStoreOptions(ctx.config) });
}

/** Runs `fn` with the database and closes it afterwards, whatever happens. */
export function withDb<T>(db: OrdinisDatabase, fn: (db: OrdinisDatabase) => T): T {
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/**
 * Operator text that ends up in the audit record and in logs (an actor, a reason): trimmed,
 * not empty, bounded, and free of control characters (a newline or an escape sequence would
 * be a way to forge log lines). The same rules as the ops API's kill routes.
 */
export function operatorText(flag: string, raw: string | undefined, max: number): string {
  if (raw === undefined) throw new OrdinisError('E_CFG_INVALID', `${flag} is required`);
  const v = raw.trim();
  if (v === '') throw new OrdinisError('E_CFG_INVALID', `${flag} must not be empty`);
  if ([...v].length > max) throw new OrdinisError('E_CFG_INVALID', `${flag} must be at most ${max} characters`);
  if (/\p{Cc}/u.test(v)) throw new OrdinisError('E_CFG_INVALID', `${flag} must not contain control characters`);
  return v;
}
