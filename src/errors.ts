// The one error module. Every failure the system raises carries a stable `E_*` code from
// the catalogue below, a retryable flag and (where there was one) a cause. The code is also
// the `error_code` label of our metrics, so codes are never invented at call sites.

/** Every error code the system raises, with whether it is retryable and its default message. */
export const ERROR_CATALOG = {
  // orchestrator (L2-08 §4)
  E_ORCH_STAGE_FAILED: { retryable: false, message: 'a pipeline stage failed' },
  E_ORCH_BLOCKED: { retryable: false, message: 'pipeline blocked by governance or the kill switch' },
  E_ORCH_TIMEOUT: { retryable: true, message: 'time budget exceeded' },
  E_ORCH_STAGE_SPEC_INVALID: { retryable: false, message: 'invalid stage specification' },
  E_ORCH_NOT_RUNNING: { retryable: false, message: 'the engine is not running' },
  E_ORCH_CYCLE_IN_PROGRESS: { retryable: true, message: 'a cycle is already running' },
  // events and bus
  E_EVT_SCHEMA_INVALID: { retryable: false, message: 'event does not match the envelope schema' },
  E_EVT_SCHEMA_UNKNOWN: { retryable: false, message: 'unknown event schema' },
  E_EVT_SCHEMA_INCOMPATIBLE: { retryable: false, message: 'incompatible event schema version' },
  E_EVT_TOPIC_UNKNOWN: { retryable: false, message: 'unknown or malformed topic' },
  E_EVT_TAGS_MISSING: { retryable: false, message: 'required event tags missing' },
  E_SB_SCHEMA_REJECT: { retryable: false, message: 'bus rejected an invalid event' },
  E_SB_BACKPRESSURE: { retryable: true, message: 'topic queue is full' },
  E_SB_HANDLER_FAILED: { retryable: true, message: 'a subscriber handler failed' },
  E_SB_UNAVAILABLE: { retryable: true, message: 'bus unavailable' },
  // hooks and governance
  E_HOOK_DENIED: { retryable: false, message: 'a HARD hook denied the action' },
  E_HOOK_DUPLICATE_ID: { retryable: false, message: 'duplicate hook id' },
  E_HOOK_PATCH_WIDENS: { retryable: false, message: 'a hook patch tried to widen the action' },
  E_GOV_DENIED: { retryable: false, message: 'governance denied the action' },
  E_GOV_POLICY_MISSING: { retryable: false, message: 'governance policy missing' },
  E_GOV_AUDIT_WRITE_FAILED: { retryable: true, message: 'audit record could not be written' },
  E_AUDIT_CHAIN_BROKEN: { retryable: false, message: 'audit hash chain broken' },
  E_AUDIT_INCOMPLETE: { retryable: false, message: 'a side effect has no audit record' },
  E_AUDIT_EXPORT_FAILED: { retryable: false, message: 'the audit export file could not be written' },
  E_AUDIT_RECORD_INVALID: { retryable: false, message: 'audit record is not I-JSON (RFC 8785 has no canonical form for it)' },
  // kill switch
  E_KILL_ALREADY_ACTIVE: { retryable: false, message: 'kill switch already active' },
  E_KILL_ALREADY_INACTIVE: { retryable: false, message: 'kill switch already inactive' },
  E_KILL_GOV_DENIED: { retryable: false, message: 'governance denied the kill-switch change' },
  E_KILL_ACTIVE: { retryable: false, message: 'refused: the kill switch is active' },
  // persistence
  E_DB_UNAVAILABLE: { retryable: true, message: 'database unavailable' },
  E_DB_MIGRATION_FAILED: { retryable: false, message: 'database migration failed' },
  E_DB_CONSTRAINT: { retryable: false, message: 'database constraint violated' },
  E_DB_SCHEMA_TOO_NEW: { retryable: false, message: 'database schema is newer than this code' },
  E_DB_SCHEMA_TOO_OLD: { retryable: false, message: 'database schema is older than this code and was opened read-only' },
  E_DB_READ_ONLY: { retryable: false, message: 'database file or its directory cannot be written' },
  E_DB_RETENTION_REFUSED: { retryable: false, message: 'retention would delete more than its bounded share of a table' },
  // configuration
  E_CFG_INVALID: { retryable: false, message: 'invalid configuration' },
  // engines
  E_ING_PROVIDER_DOWN: { retryable: true, message: 'market data provider down' },
  E_ING_NORMALIZE_FAILED: { retryable: false, message: 'market data row rejected' },
  E_ING_DATA_STALE: { retryable: false, message: 'market data is stale' },
  E_ING_NO_DATA: { retryable: false, message: 'no market data to replay' },
  E_FEAT_INVALID_INPUT: { retryable: false, message: 'invalid feature input' },
  E_FEAT_COMPUTE_FAILED: { retryable: false, message: 'feature computation failed' },
  E_SIG_STRATEGY_FAILED: { retryable: false, message: 'strategy failed' },
  E_SIG_INVALID_OUTPUT: { retryable: false, message: 'strategy produced an invalid signal' },
  E_SIG_WARMUP_INSUFFICIENT: { retryable: false, message: 'not enough data to warm up' },
  E_SIG_STRATEGY_UNKNOWN: { retryable: false, message: 'unknown strategy' },
  E_SIG_STRATEGY_FILE: { retryable: false, message: 'the strategy file could not be loaded as a strategy pack' },
  E_RISK_EVALUATION_FAILED: { retryable: false, message: 'risk evaluation failed' },
  E_EXEC_IDEMPOTENCY_CONFLICT: { retryable: false, message: 'same idempotency key, different order' },
  E_EXEC_CIRCUIT_OPEN: { retryable: true, message: 'broker circuit breaker is open' },
  E_EXEC_RATE_LIMITED: { retryable: true, message: 'broker rate limit reached' },
  E_EXEC_BROKER_REJECTED: { retryable: false, message: 'broker rejected the order' },
  E_EXEC_BROKER_UNAVAILABLE: { retryable: true, message: 'broker unavailable' },
  E_EXEC_ORDER_UNKNOWN: { retryable: false, message: 'order unknown to the broker' },
  E_EXEC_BROKER_TIMEOUT: { retryable: true, message: 'the broker did not answer in time; the order is resolved by its client order id' },
  E_EXEC_BROKER_AUTH: { retryable: false, message: 'the broker refused the credentials or their permissions' },
  E_LEDG_INVARIANT_BREACH: { retryable: false, message: 'ledger invariant breached' },
  E_ANA_COMPUTE_FAILED: { retryable: false, message: 'analytics computation failed' },
  E_REPORT_WRITE_FAILED: { retryable: false, message: 'the report file could not be written' },
  // runtime and ops
  E_RECOVERY_FAILED: { retryable: false, message: 'start-up recovery failed; trading refused' },
  E_ORCH_PERSISTENCE_FAILED: { retryable: false, message: 'the run stopped: its cycles could not be persisted' },
  E_PAPER_BOOK_MISMATCH: { retryable: false, message: 'this paper book was started with another strategy, data or cash' },
  E_SWEEP_NOT_FOUND: { retryable: false, message: 'no sweep by that id in the database' },
  E_SWEEP_JOB_FAILED: { retryable: false, message: 'a queued backtest failed in its worker' },
  E_QUEUE_UNAVAILABLE: { retryable: true, message: 'the job queue (Redis) cannot be reached' },
  E_API_UNAUTHORIZED: { retryable: false, message: 'missing or wrong bearer token' },
  E_API_BAD_REQUEST: { retryable: false, message: 'bad request' },
  E_API_NOT_FOUND: { retryable: false, message: 'not found' },
  E_INTERNAL: { retryable: false, message: 'internal error' },
} as const satisfies Record<string, { retryable: boolean; message: string }>;

/** A stable error code (`E_*`), a key of ERROR_CATALOG. */
export type ErrorCode = keyof typeof ERROR_CATALOG;

export interface OrdinisErrorOptions {
  cause?: unknown;
  /** Overrides the catalogue's retryable flag for this instance. */
  retryable?: boolean;
  /** A hint from the failing dependency: do not retry before this many ms. */
  retryAfterMs?: number;
  /** Structured context (the input that failed, a file and line, ...). Never secrets. */
  details?: Record<string, unknown>;
}

/**
 * The one error type: a stable `code` from ERROR_CATALOG, a retryable flag, optional details.
 * Its message starts with the code.
 *
 * @example
 * ```ts
 * try { await runStrategy(pack, { bars }); } catch (e) { if (isOrdinisError(e) && e.code === 'E_CFG_INVALID') ... }
 * ```
 */
export class OrdinisError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, options: OrdinisErrorOptions = {}) {
    const base = ERROR_CATALOG[code];
    super(message ? `${code}: ${message}` : `${code}: ${base.message}`, { cause: options.cause });
    this.name = 'OrdinisError';
    this.code = code;
    this.retryable = options.retryable ?? base.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }

  /** The error as JSON: code, message, retryable, details, cause's message. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.details ? { details: this.details } : {}),
      ...(this.cause instanceof Error ? { cause: this.cause.message } : {}),
    };
  }
}

/** Whether `e` is an OrdinisError (and so has a `code`). */
export function isOrdinisError(e: unknown): e is OrdinisError {
  return e instanceof OrdinisError;
}

export function isErrorCode(s: string): s is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CATALOG, s);
}

/** Wraps anything thrown into an OrdinisError, keeping it as the cause. */
export function toOrdinisError(e: unknown, fallback: ErrorCode = 'E_INTERNAL'): OrdinisError {
  if (e instanceof OrdinisError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new OrdinisError(fallback, msg, { cause: e });
}

/** A compact, serialisable view of an error for results, events and logs. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  stage?: string;
}

export function errorInfo(e: unknown, stage?: string): ErrorInfo {
  const oe = toOrdinisError(e);
  return { code: oe.code, message: oe.message, retryable: oe.retryable, ...(stage ? { stage } : {}) };
}
