// The ops HTTP API on node:http: the dashboard page, health, readiness, metrics, status, the
// trading book, run history, audit verification and the kill switch. Loopback by default.
// Every method other than GET/HEAD changes something, so every such route needs the bearer
// token; with no token configured they are off (403) rather than open.
//
// Request lifecycle, with the error branch of each phase (all errors end in one JSON shape,
// `{error: {code, message}}`, via errorAnswer; 5xx details go to the log, never the client):
//
//   accept ──────────── over API_MAX_CONNECTIONS ─► closed unanswered (logged once per burst)
//   parse request line ─ client error (bad HTTP, headers too large, timeout) ─► 400/431/408,
//                        then the connection is closed (a slow client is never held open)
//   match route ─────── no route ─► 404 E_API_NOT_FOUND ; route, other method ─► 405 + Allow
//   auth (not GET) ──── no token configured ─► 403 ; missing/wrong token ─► 401 E_API_UNAUTHORIZED
//                       (logged once per burst, API_UNAUTHORIZED_LOG_INTERVAL_MS)
//   read body ───────── not JSON ─► 415 ; too large ─► 413 ; malformed ─► 400
//   validate ────────── wrong type, unknown field or query parameter ─► 400 E_API_BAD_REQUEST
//   handler ─────────── OrdinisError ─► ERROR_STATUS[code] ; anything else ─► 500 E_INTERNAL
//   write reply

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { ERROR_CATALOG, OrdinisError } from '../errors.ts';
import { BearerAuth } from './bearer-auth.ts';
import { BurstLog } from './burst-log.ts';
import { ApiError, errorAnswer } from './error-status.ts';
import { readJsonBody, writeReply } from './http-json.ts';
import { Router } from './router.ts';
import { EventStreamHub } from './event-stream.ts';
import { auditRoutes } from './routes/audit.ts';
import { backtestRoutes } from './routes/backtests.ts';
import { bookRoutes } from './routes/book.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { eventRoutes } from './routes/events.ts';
import { healthRoutes } from './routes/health.ts';
import { killRoutes } from './routes/kill.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { runsRoutes } from './routes/runs.ts';
import { statusRoutes } from './routes/status.ts';
import type { ApiReply, OpsServerDeps } from './contract.ts';

export type { ApiReply, ApiRequest, OpsLogger, OpsServerDeps, Readiness, Route } from './contract.ts';

export const DEFAULT_OPS_HOST = '127.0.0.1';
export const DEFAULT_OPS_PORT = 8700;

/**
 * What a slow or greedy client may hold (API_HEADERS_TIMEOUT_MS, API_REQUEST_TIMEOUT_MS,
 * API_KEEP_ALIVE_TIMEOUT_MS, API_MAX_CONNECTIONS).
 */
export interface OpsServerLimits {
  /** A request's headers must arrive within this (ms); else 408 and the connection is closed. */
  headersTimeoutMs: number;
  /** A whole request, headers and body (ms); else 408 and the connection is closed. Must be >= headersTimeoutMs. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (ms). */
  keepAliveTimeoutMs: number;
  /** Connections open at once; past it a new one is closed unanswered. */
  maxConnections: number;
}

export const DEFAULT_OPS_LIMITS: Readonly<OpsServerLimits> = Object.freeze({ headersTimeoutMs: 5_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnections: 64 });
export const DEFAULT_UNAUTHORIZED_LOG_INTERVAL_MS = 60_000;

/** The limits as configured. */
export function opsLimitsFromConfig(c: { API_HEADERS_TIMEOUT_MS: number; API_REQUEST_TIMEOUT_MS: number; API_KEEP_ALIVE_TIMEOUT_MS: number; API_MAX_CONNECTIONS: number }): OpsServerLimits {
  return { headersTimeoutMs: c.API_HEADERS_TIMEOUT_MS, requestTimeoutMs: c.API_REQUEST_TIMEOUT_MS, keepAliveTimeoutMs: c.API_KEEP_ALIVE_TIMEOUT_MS, maxConnections: c.API_MAX_CONNECTIONS };
}

/**
 * node checks the header and request timeouts only every `connectionsCheckingInterval` (30 s
 * by default), so a timeout of a few seconds held a dribbling socket for up to half a minute.
 */
function checkingIntervalMs(l: OpsServerLimits): number {
  return Math.max(25, Math.min(1_000, Math.floor(Math.min(l.headersTimeoutMs, l.requestTimeoutMs) / 4)));
}

/** After a client error's answer, how long a client that does not read it may keep the socket. */
const CLIENT_ERROR_LINGER_MS = 1_000;
/** close() waits this long for requests in flight, then drops their connections. */
const CLOSE_GRACE_MS = 5_000;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export class OpsServer {
  private readonly server: Server;
  private readonly router: Router;
  private readonly auth: BearerAuth;
  private readonly host: string;
  private readonly port: number;
  private address: { host: string; port: number } | null = null;
  private closing: Promise<void> | null = null;
  private readonly unauthorizedLog: BurstLog;
  private readonly droppedLog: BurstLog;
  /** GET /events clients; undefined without a bus. */
  private readonly events: EventStreamHub | undefined;

  constructor(private readonly deps: OpsServerDeps) {
    this.host = deps.host ?? DEFAULT_OPS_HOST;
    this.port = deps.port ?? DEFAULT_OPS_PORT;
    if (!Number.isInteger(this.port) || this.port < 0 || this.port > 65535) {
      throw new OrdinisError('E_CFG_INVALID', `ops API port must be an integer from 0 to 65535, got ${String(this.port)}`);
    }
    this.auth = new BearerAuth(deps.token);
    this.events = deps.bus ? new EventStreamHub(deps.bus, deps.eventStream) : undefined;
    this.router = new Router([...dashboardRoutes, ...healthRoutes, ...metricsRoutes, ...statusRoutes, ...bookRoutes, ...runsRoutes, ...auditRoutes, ...killRoutes, ...eventRoutes(this.events), ...backtestRoutes]);
    const limits = validLimits(deps.limits ?? DEFAULT_OPS_LIMITS);
    this.server = createServer(
      {
        requestTimeout: limits.requestTimeoutMs,
        headersTimeout: limits.headersTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        connectionsCheckingInterval: checkingIntervalMs(limits),
      },
      (req, res) => {
        void this.handle(req, res);
      },
    );
    this.server.maxConnections = limits.maxConnections;
    const interval = deps.unauthorizedLogIntervalMs ?? DEFAULT_UNAUTHORIZED_LOG_INTERVAL_MS;
    this.unauthorizedLog = new BurstLog(deps.logger, { message: 'ops API: unauthorized request', intervalMs: interval });
    this.droppedLog = new BurstLog(deps.logger, { message: 'ops API connection refused: connection cap reached', intervalMs: interval });
    this.server.on('drop', (d?: { remoteAddress?: string }) => this.droppedLog.record({ maxConnections: limits.maxConnections, remoteAddress: d?.remoteAddress }));
    this.server.on('clientError', (err, socket) => this.onClientError(err, socket));
  }

  /** Binds and resolves with the actual address (the chosen port when port is 0). */
  listen(): Promise<{ host: string; port: number }> {
    if (this.address) return Promise.resolve({ ...this.address });
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => {
        reject(new OrdinisError('E_CFG_INVALID', `ops API cannot listen on ${this.host}:${this.port}: ${e.message}`, { cause: e }));
      };
      this.server.once('error', onError);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', onError);
        this.server.on('error', (e) => this.deps.logger?.error({ err: e }, 'ops API server error'));
        const a = this.server.address() as AddressInfo;
        this.address = { host: a.address, port: a.port };
        if (!LOOPBACK.has(this.host)) {
          this.deps.logger?.warn({ host: this.host, port: a.port }, 'ops API bound beyond loopback: read routes need no token');
        }
        this.deps.logger?.info({ host: a.address, port: a.port, mutatingRoutes: this.auth.enabled }, 'ops API listening');
        resolve({ ...this.address });
      });
    });
  }

  /** GET /events clients and how many were dropped for reading too slowly. */
  eventStreamStats(): ReturnType<EventStreamHub['stats']> {
    return this.events?.stats() ?? { clients: 0, sent: 0, dropped: 0 };
  }

  /**
   * Stops accepting, ends the event streams, lets requests in flight finish (up to a grace
   * period), then resolves. Idempotent.
   */
  close(): Promise<void> {
    if (!this.server.listening) return this.closing ?? Promise.resolve();
    // A stream never finishes by itself; without this, close() would wait out the grace period.
    this.events?.close();
    this.closing ??= new Promise<void>((resolve) => {
      const force = setTimeout(() => this.server.closeAllConnections(), CLOSE_GRACE_MS);
      force.unref();
      this.server.close(() => {
        clearTimeout(force);
        this.address = null;
        this.unauthorizedLog.close();
        this.droppedLog.close();
        resolve();
      });
      this.server.closeIdleConnections();
    });
    return this.closing;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const mutating = method !== 'GET' && method !== 'HEAD';
    let reply: ApiReply;
    let unauthorized = false;
    try {
      reply = await this.dispatch(req, method, path, new URLSearchParams(q === -1 ? '' : url.slice(q + 1)), mutating);
    } catch (e) {
      const a = errorAnswer(e);
      unauthorized = a.body.error.code === 'E_API_UNAUTHORIZED';
      if (a.serverFault) this.deps.logger?.error({ err: e, method, path }, 'ops API request failed');
      else if (unauthorized) this.unauthorizedLog.record({ method, path: path.slice(0, 200), status: a.status, code: a.body.error.code });
      reply = { status: a.status, json: a.body, headers: a.headers };
    }
    this.send(res, reply, method, path);
    // A refused request changed nothing: it is not a mutation (and is logged once per burst above).
    if (mutating && !unauthorized) {
      this.deps.logger?.info({ method, path, status: res.statusCode, durationMs: Math.round(performance.now() - started) }, 'ops API mutation');
    }
  }

  private async dispatch(req: IncomingMessage, method: string, path: string, query: URLSearchParams, mutating: boolean): Promise<ApiReply> {
    const m = this.router.match(method, path);
    if (m.kind === 'none') throw new ApiError('E_API_NOT_FOUND', `no route for ${method.slice(0, 20)} ${path.slice(0, 200)}`);
    if (m.kind === 'wrong_method') {
      throw new ApiError('E_API_BAD_REQUEST', `method ${method.slice(0, 20)} not allowed on ${m.pattern} (allowed: ${m.allow.join(', ')})`, {
        status: 405,
        headers: { allow: m.allow.join(', ') },
      });
    }
    if (mutating) this.auth.check(req.headers);
    return m.handler({ method, path, params: m.params, query, headers: req.headers, readJson: () => readJsonBody(req) }, this.deps);
  }

  /** Writes the reply; a reply that cannot be serialised becomes a generic 500. */
  private send(res: ServerResponse, reply: ApiReply, method: string, path: string): void {
    if ('stream' in reply) {
      if (method === 'HEAD') {
        res.writeHead(reply.status, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
        res.end();
      } else {
        reply.stream(res);
      }
      return;
    }
    try {
      writeReply(res, reply);
    } catch (e) {
      this.deps.logger?.error({ err: e, method, path }, 'ops API reply could not be written');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      writeReply(res, { status: 500, json: { error: { code: 'E_INTERNAL', message: ERROR_CATALOG.E_INTERNAL.message } } });
    }
  }

  /** Malformed HTTP never reaches a route; it still gets the JSON error shape. */
  private onClientError(err: Error & { code?: string }, socket: Duplex): void {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, text] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout']
          : [400, 'Bad Request'];
    const body = JSON.stringify({ error: { code: 'E_API_BAD_REQUEST', message: `malformed or incomplete HTTP request (${text.toLowerCase()})` } });
    // end() alone only half-closes: the server's sockets allow half-open connections, so a
    // client that keeps writing kept the socket for good. Close it once the answer is out,
    // or after a short linger if the client does not read it.
    const linger = setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS);
    linger.unref();
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      () => {
        clearTimeout(linger);
        socket.destroy();
      },
    );
  }
}

/** Refuses limits node would reject or that make no sense, naming the keys. */
function validLimits(l: OpsServerLimits): OpsServerLimits {
  const bad = (what: string): never => {
    throw new OrdinisError('E_CFG_INVALID', `ops API limits: ${what}`, { details: { ...l } });
  };
  for (const [k, v] of Object.entries(l)) if (!Number.isInteger(v) || v < 1) bad(`${k} must be a positive integer, got ${String(v)}`);
  if (l.headersTimeoutMs > l.requestTimeoutMs) {
    bad(`API_HEADERS_TIMEOUT_MS (${l.headersTimeoutMs}) must not exceed API_REQUEST_TIMEOUT_MS (${l.requestTimeoutMs})`);
  }
  return l;
}
