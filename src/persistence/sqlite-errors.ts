// Maps what SQLite (through better-sqlite3) throws onto our catalogue, so callers can decide
// on the code alone: E_DB_UNAVAILABLE means "the database cannot take this write now" (retry
// or fail closed), E_DB_CONSTRAINT means "this write is wrong and will stay wrong".

import { OrdinisError } from '../errors.ts';

/**
 * SQLite result codes (primary part, before any `_EXTENDED` suffix) that mean the database is
 * not usable right now. Disk full, locked and I/O errors may clear up; a read-only or moved
 * file needs an operator, but the write is still fine to retry once they have acted.
 */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'SQLITE_READONLY',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_FULL',
  'SQLITE_PERM',
  'SQLITE_PROTOCOL',
]);

/** The file is not a database we can trust: reported as unavailable, but retrying will not help. */
const DAMAGED_CODES: ReadonlySet<string> = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);

/** The row itself is refused. */
const CONSTRAINT_CODES: ReadonlySet<string> = new Set(['SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_TOOBIG']);

/** better-sqlite3 throws plain TypeErrors with these messages for a closed or missing database. */
const UNAVAILABLE_MESSAGES = /database connection is not open|database is locked|directory does not exist/i;

/** `SQLITE_CONSTRAINT_UNIQUE` → `SQLITE_CONSTRAINT`. */
export function primarySqliteCode(code: string): string {
  const m = /^SQLITE_[A-Z]+/.exec(code);
  return m ? m[0] : code;
}

export function sqliteCodeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/**
 * Wraps a thrown value into an OrdinisError. `what` names the operation for the message
 * ("insert run row r-1"); `details` adds context such as the database path.
 */
export function toDbError(e: unknown, what: string, details: Record<string, unknown> = {}): OrdinisError {
  if (e instanceof OrdinisError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const code = sqliteCodeOf(e);
  const withCode = code ? { ...details, sqliteCode: code } : details;
  if (code) {
    const primary = primarySqliteCode(code);
    if (CONSTRAINT_CODES.has(primary)) {
      return new OrdinisError('E_DB_CONSTRAINT', `${what}: ${message}`, { cause: e, details: withCode });
    }
    if (UNAVAILABLE_CODES.has(primary)) {
      return new OrdinisError('E_DB_UNAVAILABLE', `${what}: ${message}`, { cause: e, details: withCode });
    }
    if (DAMAGED_CODES.has(primary)) {
      return new OrdinisError('E_DB_UNAVAILABLE', `${what}: ${message}`, { cause: e, details: withCode, retryable: false });
    }
  }
  if (UNAVAILABLE_MESSAGES.test(message)) {
    return new OrdinisError('E_DB_UNAVAILABLE', `${what}: ${message}`, { cause: e, details: withCode });
  }
  return new OrdinisError('E_INTERNAL', `${what}: ${message}`, { cause: e, details: withCode });
}
