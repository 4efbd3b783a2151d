// A Binance spot venue on 127.0.0.1 speaking the documented REST protocol (api/v3) over a
// SpotBook, for the ccxt adapter's tests: the real ccxt library is pointed here by its urls.
// Signed endpoints check X-MBX-APIKEY and the HMAC-SHA256 signature of the query (or form
// body) exactly as the venue does. Faults are queued per route: a request that is never
// answered (timeout), a status with a body and headers (429 with Retry-After, 5xx), an
// answer lost after the venue did the work (the socket is destroyed), which is the case a
// live adapter must resolve by client order id without sending the order again, or an
// answer held after the work (a client killed while waiting for it).
//
// Endpoints: GET ping, time, exchangeInfo, klines; signed: POST/GET/DELETE order,
// GET openOrders, account, myTrades. Documented at
// https://developers.binance.com/docs/binance-spot-api-docs/rest-api

import { createHmac, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SpotBook, VenueRefusal, type BookOrder, type BookTrade, type Market, type OrderType, type Side, type TimeInForce } from './spot-book.ts';

/** One candle as the venue stores it (open time, ms). */
export interface Candle {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export type Fault =
  | { kind: 'timeout' }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'lose-answer' }
  | { kind: 'hold-after' };

export interface FaultRule {
  method: string;
  /** Path after /api/v3/, e.g. "order". */
  path: string;
  fault: Fault;
  /** How many matching requests it hits (default 1). */
  times?: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  /** The fault it met, if any. */
  fault?: Fault['kind'];
}

export interface FakeBinanceOptions {
  apiKey: string;
  secret: string;
  markets: Market[];
  /** The venue's clock: candles opened after it do not exist yet; the current one is still open. */
  now: () => number;
  commissionRate?: number;
}

const INTERVAL_MS: Readonly<Record<string, number>> = { '1s': 1_000, '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000 };

export class FakeBinanceSpot {
  readonly book: SpotBook;
  readonly log: RequestLogEntry[] = [];
  private readonly faults: (FaultRule & { left: number })[] = [];
  private readonly candles = new Map<string, Candle[]>();
  private readonly makers = new Map<string, (openTime: number) => Omit<Candle, 'openTime'>>();
  private readonly held = new Set<ServerResponse>();
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;

  constructor(private readonly opts: FakeBinanceOptions) {
    this.book = new SpotBook(opts.now, opts.commissionRate ?? 0);
    for (const m of opts.markets) this.book.addMarket(m);
  }

  /** Starts listening on 127.0.0.1 (a free port); resolves to the origin, e.g. http://127.0.0.1:41234. */
  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.held.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Queues a fault for the next matching request(s). */
  inject(rule: FaultRule): void {
    this.faults.push({ ...rule, left: rule.times ?? 1 });
  }

  /**
   * A market that never ends: the candle opening at each multiple of the interval is
   * `make(openTime)`, made when asked for (up to the venue's clock, the last one forming).
   */
  setCandleMaker(symbol: string, interval: string, make: (openTime: number) => Omit<Candle, 'openTime'>): void {
    this.makers.set(`${symbol}|${interval}`, make);
  }

  /** Candles of a symbol and interval (any order; stored by open time). */
  setCandles(symbol: string, interval: string, candles: Candle[]): void {
    this.candles.set(`${symbol}|${interval}`, [...candles].sort((a, b) => a.openTime - b.openTime));
  }

  /** Requests seen for a method and path (e.g. 'POST', 'order'). */
  count(method: string, path: string): number {
    return this.log.filter((e) => e.method === method && e.path === path).length;
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const rule = this.faults.find((f) => f.left > 0 && f.method === method && f.path === path);
    if (!rule) return undefined;
    rule.left--;
    return rule.fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const path = url.pathname.replace(/^\/api\/v3\//, '');
    const fault = this.takeFault(method, path);
    this.log.push({ method, path, ...(fault ? { fault: fault.kind } : {}) });
    if (fault?.kind === 'timeout') {
      // Never answered: the client's own timeout ends it (close() destroys the socket).
      this.held.add(res);
      return;
    }
    if (fault?.kind === 'status') {
      // Without a body, a gateway's plain-text page, as a proxy in front of the venue sends.
      send(res, fault.status, fault.body ?? `${fault.status} ${STATUS_CODES[fault.status] ?? ''}`.trim(), fault.headers);
      return;
    }
    const rawQuery = method === 'POST' ? body : url.search.slice(1);
    let status = 200;
    let answer: unknown;
    try {
      answer = this.route(method, path, rawQuery, req.headers['x-mbx-apikey']);
    } catch (e) {
      // A bug of the fake shows as a venue error (500), never as an unhandled rejection.
      const r = e instanceof VenueRefusal ? e : new VenueRefusal(-1000, String(e), 500);
      status = r.httpStatus;
      answer = { code: r.code, msg: r.msg };
    }
    if (fault?.kind === 'hold-after') {
      // The venue did the work and the answer is still on its way (a client killed now never sees it).
      this.held.add(res);
      return;
    }
    if (fault?.kind === 'lose-answer') {
      // The venue did the work; the answer never reaches the client.
      req.socket.destroy();
      return;
    }
    send(res, status, answer);
  }

  private route(method: string, path: string, rawQuery: string, apiKey: string | string[] | undefined): unknown {
    const q = new URLSearchParams(rawQuery);
    switch (`${method} ${path}`) {
      case 'GET ping':
        return {};
      case 'GET time':
        return { serverTime: this.opts.now() };
      case 'GET exchangeInfo':
        return this.exchangeInfo();
      case 'GET klines':
        return this.klines(q);
    }
    this.authenticate(rawQuery, apiKey);
    switch (`${method} ${path}`) {
      case 'POST order':
        return this.newOrder(q);
      case 'GET order':
        return orderJson(this.mustFind(q));
      case 'DELETE order':
        return orderJson(this.book.cancel(required(q, 'symbol'), orderRef(q)));
      case 'GET openOrders':
        return this.book.openOrders(q.get('symbol') ?? undefined).map(orderJson);
      case 'GET account':
        return this.account();
      case 'GET myTrades':
        return this.book.tradesOf(required(q, 'symbol'), q.has('orderId') ? Number(q.get('orderId')) : undefined).map(tradeJson);
      default:
        throw new VenueRefusal(-1000, `unknown endpoint ${method} /api/v3/${path}`, 404);
    }
  }

  private authenticate(rawQuery: string, apiKey: string | string[] | undefined): void {
    if (apiKey !== this.opts.apiKey) throw new VenueRefusal(-2015, 'Invalid API-key, IP, or permissions for action.', 401);
    const at = rawQuery.lastIndexOf('&signature=');
    if (at < 0) throw new VenueRefusal(-1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
    const payload = rawQuery.slice(0, at);
    const given = Buffer.from(rawQuery.slice(at + '&signature='.length), 'utf8');
    const expected = Buffer.from(createHmac('sha256', this.opts.secret).update(payload).digest('hex'), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new VenueRefusal(-1022, 'Signature for this request is not valid.');
    if (!new URLSearchParams(payload).has('timestamp')) throw new VenueRefusal(-1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
  }

  private exchangeInfo(): unknown {
    return {
      timezone: 'UTC',
      serverTime: this.opts.now(),
      rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 }],
      exchangeFilters: [],
      symbols: this.book.listMarkets().map((m) => ({
        symbol: m.symbol,
        status: 'TRADING',
        baseAsset: m.base,
        baseAssetPrecision: 8,
        quoteAsset: m.quote,
        quotePrecision: 8,
        quoteAssetPrecision: 8,
        baseCommissionPrecision: 8,
        quoteCommissionPrecision: 8,
        orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
        icebergAllowed: true,
        ocoAllowed: true,
        quoteOrderQtyMarketAllowed: true,
        allowTrailingStop: false,
        cancelReplaceAllowed: true,
        isSpotTradingAllowed: true,
        isMarginTradingAllowed: false,
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' },
          { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
          { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000000', maxQty: '100.00000000', stepSize: '0.00000000' },
        ],
        permissions: [],
        permissionSets: [['SPOT']],
        defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
        allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
      })),
    };
  }

  private klines(q: URLSearchParams): unknown {
    const symbol = required(q, 'symbol');
    this.book.market(symbol);
    const interval = required(q, 'interval');
    const step = INTERVAL_MS[interval];
    if (step === undefined) throw new VenueRefusal(-1120, 'Invalid interval.');
    const start = q.has('startTime') ? Number(q.get('startTime')) : Number.NEGATIVE_INFINITY;
    const end = q.has('endTime') ? Number(q.get('endTime')) : Number.POSITIVE_INFINITY;
    const limit = Math.min(Number(q.get('limit') ?? 500), 1000);
    const now = this.opts.now();
    // As the venue does: candles that have opened by now, the last one possibly still open.
    const stored = this.candles.get(`${symbol}|${interval}`) ?? this.made(`${symbol}|${interval}`, step, start, now, limit);
    const rows = stored.filter((c) => c.openTime >= start && c.openTime <= end && c.openTime <= now);
    const picked = q.has('startTime') ? rows.slice(0, limit) : rows.slice(-limit);
    return picked.map((c) => [c.openTime, num(c.open), num(c.high), num(c.low), num(c.close), num(c.volume), c.openTime + step - 1, num(c.close * c.volume), 10, '0', '0', '0']);
  }

  private made(key: string, step: number, start: number, now: number, limit: number): Candle[] {
    const make = this.makers.get(key);
    if (!make) return [];
    const last = Math.floor(now / step) * step;
    const first = Number.isFinite(start) ? Math.ceil(start / step) * step : last - (limit - 1) * step;
    const out: Candle[] = [];
    for (let t = Math.max(first, last - 999 * step); t <= last && out.length < limit; t += step) out.push({ openTime: t, ...make(t) });
    return out;
  }

  private newOrder(q: URLSearchParams): unknown {
    const type = required(q, 'type') as OrderType;
    if (type !== 'MARKET' && type !== 'LIMIT') throw new VenueRefusal(-1116, 'Invalid orderType.');
    const clientOrderId = q.get('newClientOrderId');
    if (clientOrderId === null || !/^[.A-Z:/a-z0-9_-]{1,36}$/.test(clientOrderId)) throw new VenueRefusal(-1100, 'Illegal characters found in parameter \'newClientOrderId\'.');
    const order = this.book.place({
      symbol: required(q, 'symbol'),
      side: required(q, 'side') as Side,
      type,
      quantity: Number(required(q, 'quantity')),
      ...(q.has('price') ? { price: Number(q.get('price')) } : {}),
      ...(q.has('timeInForce') ? { timeInForce: q.get('timeInForce') as TimeInForce } : {}),
      clientOrderId,
    });
    const fills = this.book.tradesOf(order.symbol, order.orderId).map((t) => ({ price: num(t.price), qty: num(t.qty), commission: num(t.commission), commissionAsset: t.commissionAsset, tradeId: t.id }));
    return { ...orderJson(order), transactTime: order.time, fills };
  }

  private mustFind(q: URLSearchParams): BookOrder {
    const o = this.book.find(required(q, 'symbol'), orderRef(q));
    if (!o) throw new VenueRefusal(-2013, 'Order does not exist.');
    return o;
  }

  private account(): unknown {
    return {
      makerCommission: 10,
      takerCommission: 10,
      canTrade: true,
      canWithdraw: true,
      canDeposit: true,
      updateTime: this.opts.now(),
      accountType: 'SPOT',
      balances: this.book.listBalances().map((b) => ({ asset: b.asset, free: num(b.free), locked: num(b.locked) })),
      permissions: ['SPOT'],
    };
  }
}

function orderRef(q: URLSearchParams): { orderId?: number; clientOrderId?: string } {
  if (q.has('orderId')) return { orderId: Number(q.get('orderId')) };
  const cid = q.get('origClientOrderId');
  if (cid === null) throw new VenueRefusal(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
  return { clientOrderId: cid };
}

function required(q: URLSearchParams, name: string): string {
  const v = q.get(name);
  if (v === null || v === '') throw new VenueRefusal(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
  return v;
}

/** Binance sends decimals as strings with 8 places. */
function num(n: number): string {
  return n.toFixed(8);
}

function orderJson(o: BookOrder): Record<string, unknown> {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    price: num(o.price),
    origQty: num(o.origQty),
    executedQty: num(o.executedQty),
    cummulativeQuoteQty: num(o.cummulativeQuoteQty),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    stopPrice: num(0),
    icebergQty: num(0),
    time: o.time,
    updateTime: o.updateTime,
    isWorking: true,
    workingTime: o.time,
    origQuoteOrderQty: num(0),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

function tradeJson(t: BookTrade): Record<string, unknown> {
  return {
    symbol: t.symbol,
    id: t.id,
    orderId: t.orderId,
    orderListId: -1,
    price: num(t.price),
    qty: num(t.qty),
    quoteQty: num(t.quoteQty),
    commission: num(t.commission),
    commissionAsset: t.commissionAsset,
    time: t.time,
    isBuyer: t.isBuyer,
    isMaker: t.isMaker,
    isBestMatch: true,
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain' : 'application/json;charset=UTF-8';
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
