// How an error becomes an HTTP answer: one table from `E_*` code to status, one error shape
// (`{error: {code, message}}`), and one rule for what a client may read. A 4xx message is
// written for the caller and is sent as is; a 5xx message may carry paths, SQL or a
// dependency's words, so the client gets the catalogue's generic text and the log gets the
// real one. No stack ever leaves the process.

import { ERROR_CATALOG, OrdinisError, type ErrorCode, type OrdinisErrorOptions } from '../errors.ts';

/** Status by code. A code not listed here is a server fault: 500. */
export const ERROR_STATUS: Readonly<Partial<Record<ErrorCode, number>>> = {
  E_API_BAD_REQUEST: 400,
  E_CFG_INVALID: 400,
  E_API_UNAUTHORIZED: 401,
  E_KILL_GOV_DENIED: 403,
  E_GOV_DENIED: 403,
  E_HOOK_DENIED: 403,
  E_API_NOT_FOUND: 404,
  E_KILL_ALREADY_ACTIVE: 409,
  E_KILL_ALREADY_INACTIVE: 409,
  E_AUDIT_CHAIN_BROKEN: 409,
  E_DB_CONSTRAINT: 409,
  E_INTERNAL: 500,
  E_DB_UNAVAILABLE: 503,
  E_DB_READ_ONLY: 503,
  E_DB_SCHEMA_TOO_OLD: 503,
  E_ORCH_PERSISTENCE_FAILED: 503,
  E_GOV_AUDIT_WRITE_FAILED: 503,
  E_ORCH_NOT_RUNNING: 503,
  E_SB_BACKPRESSURE: 503,
  E_SB_UNAVAILABLE: 503,
};

/**
 * An error raised by the HTTP layer itself. `status` overrides the table where HTTP has a
 * more precise answer than the code (405, 413, 415, and 403 for a server without a token).
 */
export class ApiError extends OrdinisError {
  readonly status: number;
  /** Extra response headers (Allow on a 405). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: OrdinisErrorOptions & { status?: number; headers?: Record<string, string> } = {},
  ) {
    super(code, message, options);
    this.name = 'ApiError';
    this.status = options.status ?? statusOf(code);
    this.headers = options.headers ?? {};
  }
}

export function statusOf(code: ErrorCode): number {
  return ERROR_STATUS[code] ?? 500;
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  headers: Readonly<Record<string, string>>;
  /** True when the client got a generic message and the real error must be logged. */
  serverFault: boolean;
}

/** Maps anything thrown to the answer the client gets. Never includes a stack. */
export function errorAnswer(e: unknown): ErrorAnswer {
  if (e instanceof OrdinisError) {
    const status = e instanceof ApiError ? e.status : statusOf(e.code);
    if (status >= 500) {
      return { status, body: { error: { code: e.code, message: ERROR_CATALOG[e.code].message } }, headers: {}, serverFault: true };
    }
    // Only the HTTP layer's own details (a parameter name, validation issues) are known safe.
    const details = e instanceof ApiError && e.details ? { details: e.details } : {};
    return {
      status,
      body: { error: { code: e.code, message: withoutCodePrefix(e), ...details } },
      headers: e instanceof ApiError ? e.headers : {},
      serverFault: false,
    };
  }
  return { status: 500, body: { error: { code: 'E_INTERNAL', message: ERROR_CATALOG.E_INTERNAL.message } }, headers: {}, serverFault: true };
}

/** OrdinisError prefixes its message with the code; the body carries the code separately. */
function withoutCodePrefix(e: OrdinisError): string {
  const prefix = `${e.code}: `;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}
