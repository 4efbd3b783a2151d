// Alpaca's REST APIs over Node's fetch: the key pair in APCA-API-* headers, a timeout per
// request, and every failure as one of our codes. What a failure means for the caller is
// decided here once (restFailure, pure): a timeout, a dropped connection or a 5xx is
// "unavailable" and retryable, a 429 is "rate limited" with the server's Retry-After, a 401 is
// the credentials, a 403/422 is the broker refusing the request, a 404 is "no such thing".
// No retries happen here: the stage's retry policy (which honours retryAfterMs) and the
// circuit breaker around the broker decide when to come back.

import { OrdinisError, type ErrorCode } from '../../../errors.ts';
import type { AlpacaCredentials } from './alpaca-endpoints.ts';

export interface AlpacaRestOptions {
  baseUrl: string;
  credentials: AlpacaCredentials;
  /** Per-request timeout. */
  timeoutMs: number;
  /** The code for "the service cannot be reached": E_EXEC_BROKER_UNAVAILABLE (trading) or E_ING_PROVIDER_DOWN (market data). */
  downCode: Extract<ErrorCode, 'E_EXEC_BROKER_UNAVAILABLE' | 'E_ING_PROVIDER_DOWN'>;
}

/** A request's outcome: the parsed JSON body, or `undefined` for a 404 when the caller allows it. */
export type RestQuery = Record<string, string | number | undefined>;

export class AlpacaRest {
  constructor(private readonly opts: AlpacaRestOptions) {}

  /** GET, POST or DELETE `path`; resolves the JSON body (undefined for 204, and for 404 when `notFound` is 'undefined'). */
  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, options: { query?: RestQuery; body?: unknown; notFound?: 'throw' | 'undefined' } = {}): Promise<T | undefined> {
    const url = new URL(path, this.opts.baseUrl);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const what = `${method} ${url.pathname}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          'APCA-API-KEY-ID': this.opts.credentials.keyId,
          'APCA-API-SECRET-KEY': this.opts.credentials.secretKey,
          accept: 'application/json',
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (e) {
      throw transportFailure(e, what, this.opts);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      throw transportFailure(e, what, this.opts);
    }
    if (res.status === 404 && options.notFound === 'undefined') return undefined;
    if (res.status >= 200 && res.status < 300) {
      if (text === '') return undefined;
      try {
        return JSON.parse(text) as T;
      } catch (e) {
        throw new OrdinisError(this.opts.downCode, `${what}: the answer is not JSON (${text.slice(0, 80)})`, { cause: e, retryable: false });
      }
    }
    throw restFailure({ status: res.status, body: text, retryAfter: res.headers.get('retry-after'), what, downCode: this.opts.downCode });
  }
}

/** An HTTP error answer as our error (pure): the code, whether retrying can help, and Alpaca's own message. */
export function restFailure(a: { status: number; body: string; retryAfter: string | null; what: string; downCode: ErrorCode }): OrdinisError {
  const alpaca = alpacaMessage(a.body);
  const details = { status: a.status, ...(alpaca.code !== undefined ? { alpacaCode: alpaca.code } : {}) };
  const says = `${a.what}: HTTP ${a.status}${alpaca.message ? ` (${alpaca.message})` : ''}`;
  if (a.status === 429) {
    const retryAfterMs = retryAfterMsOf(a.retryAfter);
    return new OrdinisError('E_EXEC_RATE_LIMITED', `${says}; the broker asks to retry${retryAfterMs !== undefined ? ` in ${retryAfterMs} ms` : ' later'}`, { ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), details });
  }
  if (a.status >= 500 || a.status === 408) return new OrdinisError(a.downCode, says, { retryable: true, details });
  if (a.status === 401) return new OrdinisError('E_EXEC_BROKER_AUTH', `${says}; check the key id and secret`, { details });
  if (a.status === 404) return new OrdinisError('E_EXEC_ORDER_UNKNOWN', says, { details });
  return new OrdinisError('E_EXEC_BROKER_REJECTED', says, { details });
}

/** Retry-After as ms: delta-seconds or an HTTP date (relative to now is the server's business; we take seconds only, else none). */
export function retryAfterMsOf(header: string | null): number | undefined {
  if (header === null) return undefined;
  const s = header.trim();
  if (!/^\d+(\.\d+)?$/.test(s)) return undefined;
  return Math.round(Number(s) * 1000);
}

function alpacaMessage(body: string): { code?: number; message?: string } {
  try {
    const j = JSON.parse(body) as { code?: unknown; message?: unknown };
    return { ...(typeof j.code === 'number' ? { code: j.code } : {}), ...(typeof j.message === 'string' ? { message: j.message } : {}) };
  } catch {
    return body.trim() ? { message: body.trim().slice(0, 200) } : {};
  }
}

function transportFailure(e: unknown, what: string, opts: AlpacaRestOptions): OrdinisError {
  const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
  const why = timedOut ? `no answer within ${opts.timeoutMs} ms` : e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
  // A trading request that timed out may have been carried out: its own code says so, and the
  // broker adapter resolves it by client order id instead of sending it again.
  const code = timedOut && opts.downCode === 'E_EXEC_BROKER_UNAVAILABLE' ? 'E_EXEC_BROKER_TIMEOUT' : opts.downCode;
  return new OrdinisError(code, `${what}: ${why}`, { cause: e, retryable: true, details: { timedOut } });
}
