// The ops HTTP API as its routes see it: what the server is given (OpsServerDeps), what a
// route receives (ApiRequest) and what it returns (ApiReply). Routes never touch the raw
// response; the server writes every reply, so headers, logging and error shape stay in
// one place.

import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { EngineStatus } from '../kernel/engine.ts';
import type { KillSwitch } from '../kill-switch/kill-switch.ts';
import type { OrdinisDatabase } from '../persistence/database.ts';
import type { Bus } from '../bus/contract.ts';
import type { AuditVerifier } from './audit-verifier.ts';
import type { BacktestRequests } from './backtest-requests.ts';
import type { EventStreamOptions } from './event-stream.ts';
import type { OpsServerLimits } from './ops-server.ts';
import type { TradingView } from '../observability/trading-metrics.ts';
import type { Fill, OrderSide, OrderType } from '../domain/order.ts';

/** Structurally a pino logger; only these three levels are used. */
export interface OpsLogger {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
}

export interface Readiness {
  ready: boolean;
  /** Why not ready (empty when ready). */
  reasons: string[];
}

export interface OpsServerDeps {
  /** The engine's status (`engine.status()`). */
  status: () => EngineStatus | Record<string, unknown>;
  /** Runs, artifacts and the audit log. */
  db: OrdinisDatabase;
  kill: KillSwitch;
  /** The engine's own registry (never prom-client's global one). */
  metrics: Registry;
  /** Recovery done, database open, engine running, ... Called on every GET /readyz. */
  readiness: () => Readiness;
  /** API_TOKEN. Unset (or empty): the mutating routes answer 403 and change nothing. */
  token?: string;
  /** Interface to bind. Default 127.0.0.1: loopback unless asked otherwise. */
  host?: string;
  /** Default 8700; 0 picks a free port (tests). */
  port?: number;
  logger?: OpsLogger;
  /** AUDIT_VERIFY_MIN_INTERVAL_MS for GET /audit/verify (default 10 s; 0 = verify on every request). */
  auditVerifyMinIntervalMs?: number;
  /** The verifier behind GET /audit/verify; default one per server over `db.audit`. */
  auditVerifier?: AuditVerifier;
  /** Timeouts and connection cap; default DEFAULT_OPS_LIMITS (see opsLimitsFromConfig). */
  limits?: OpsServerLimits;
  /** API_UNAUTHORIZED_LOG_INTERVAL_MS: one summary line per this while 401s keep coming (default 60 s; 0 = a line each). */
  unauthorizedLogIntervalMs?: number;
  /** The process's bus: GET /events streams it. Without one, /events answers 503 E_SB_UNAVAILABLE. */
  bus?: Bus;
  /** Heartbeat and per-client buffer of GET /events. */
  eventStream?: EventStreamOptions;
  /** Where POST /backtests hands a request. Without it, the route answers 503 E_SB_UNAVAILABLE. */
  backtests?: BacktestRequests;
  /** The trading book for GET /book (the paper runtime's; null before its first cycle). Without it (`serve`), /book answers 404. */
  book?: () => BookReport | null;
}

/** An order still working at the venue, as GET /book lists it. */
export interface OpenOrderView {
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  orderType: OrderType;
  limitPrice: number | null;
  stopPrice: number | null;
  /** 'pending' (no broker answer yet), 'submitted' or 'partial_fill'. */
  status: string;
  /** Decision time, RFC 3339. */
  decidedAt: string;
}

/** GET /book: the book's figures (as /metrics has them), the working orders and the latest fills (newest first). */
export interface BookReport extends TradingView {
  openOrders: OpenOrderView[];
  recentFills: (Omit<Fill, 'ts'> & { time: string })[];
}

export type HttpMethod = 'GET' | 'POST';

export interface ApiRequest {
  method: string;
  /** The path without the query string, exactly as sent (not decoded). */
  path: string;
  /** `:name` segments of the route pattern, URI-decoded. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Reads the body as JSON (content type, size cap, parse); rejects with an ApiError. */
  readJson(): Promise<unknown>;
}

export type ApiReply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; text: string; contentType: string; headers?: Record<string, string> }
  /** A long-lived answer (GET /events): the route writes the response itself. */
  | { status: number; stream: (res: ServerResponse) => void };

export type RouteHandler = (req: ApiRequest, deps: OpsServerDeps) => ApiReply | Promise<ApiReply>;

export interface Route {
  /** Literal segments and `:name` parameters, e.g. `/runs/:id`. */
  pattern: string;
  methods: Partial<Record<HttpMethod, RouteHandler>>;
}
