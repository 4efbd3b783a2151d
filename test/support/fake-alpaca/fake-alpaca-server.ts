// A local Alpaca on 127.0.0.1 (a free port): the trading API v2 and the market-data REST and
// stream endpoints the adapter uses, over real HTTP and a real websocket, in front of a real
// matching book (fake-alpaca-book.ts). Not a mock: the adapter cannot tell it from Alpaca
// except by the host. Tests script its failure modes:
//   - `failNext(route, fault)`: the next matching requests time out (no answer), answer 429
//     with Retry-After, answer 5xx, or are carried out and then lose their answer (the socket
//     is destroyed after the book took the order), or run a hook first (`after_apply`: the
//     crash tests SIGKILL the client between the broker taking the order and its answer);
//   - `dropStreams()`: every websocket is cut (the adapter reconnects);
//   - `book.setPosition(...)`: a position changed outside the engine;
//   - `maxFillQty`: partial fills.
// `publishBar` is the market: the bar goes to the subscribers, into the bars history, and the
// book matches the working orders of its symbol against it. Bars are given as ours (stamped
// with their close) and sent as Alpaca's (stamped with their start).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Bar } from '../../../src/domain/market.ts';
import { ALPACA_BAR_MS, type AlpacaOrderRequest } from '../../../src/adapters/venue/alpaca/alpaca-wire.ts';
import { BookRefusal, FakeAlpacaBook, iso } from './fake-alpaca-book.ts';

export type FakeFault =
  | { kind: 'timeout' }
  | { kind: 'rate_limit'; retryAfterSeconds: number }
  | { kind: 'server_error'; status?: number }
  | { kind: 'answer_lost' }
  /** The request is carried out, then `run` (e.g. SIGKILL the client), then the answer is dropped. */
  | { kind: 'after_apply'; run: () => void };

/** Which requests a fault hits: a method and a path prefix (e.g. POST /v2/orders). */
export interface FaultRoute {
  method: string;
  path: string;
}

export interface FakeAlpacaOptions {
  keyId?: string;
  secretKey?: string;
  cash?: number;
  maxFillQty?: number;
  /** The server's clock (order and fill times). Default: the wall clock. */
  now?: () => number;
}

export class FakeAlpacaServer {
  readonly keyId: string;
  readonly secretKey: string;
  readonly book: FakeAlpacaBook;
  /** Every request as `METHOD /path`, in arrival order. */
  readonly requests: string[] = [];
  private readonly faults: { route: FaultRoute; fault: FakeFault }[] = [];
  private readonly bars: Bar[] = [];
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly subscribed = new Map<WebSocket, Set<string>>();
  /** Answers held back by a timeout fault, released at close(). */
  private readonly held: ServerResponse[] = [];
  /** The path of every stream connection (/v2/iex, /v2/sip). */
  readonly streamPaths: string[] = [];
  /** Websocket connections accepted so far. */
  streamConnections = 0;
  private port = 0;

  private constructor(opts: FakeAlpacaOptions) {
    this.keyId = opts.keyId ?? 'PKTESTKEY';
    this.secretKey = opts.secretKey ?? 'test-secret-not-real';
    this.book = new FakeAlpacaBook({ cash: opts.cash ?? 100_000, ...(opts.maxFillQty !== undefined ? { maxFillQty: opts.maxFillQty } : {}), now: opts.now ?? (() => Date.now()) });
    this.http = createServer((req, res) => void this.handle(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.http.on('upgrade', (req, socket, head) => {
      if (!(req.url ?? '').startsWith('/v2/')) return socket.destroy();
      this.streamPaths.push(req.url ?? '');
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onStream(ws));
    });
  }

  static async start(opts: FakeAlpacaOptions = {}): Promise<FakeAlpacaServer> {
    const s = new FakeAlpacaServer(opts);
    await new Promise<void>((resolve) => s.http.listen(0, '127.0.0.1', resolve));
    s.port = (s.http.address() as AddressInfo).port;
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get streamUrl(): string {
    return `ws://127.0.0.1:${this.port}/v2`;
  }

  /** The next `times` requests matching `route` meet `fault`. */
  failNext(route: FaultRoute, fault: FakeFault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push({ route, fault });
  }

  /** A bar closed: to the stream's subscribers, into the history, and through the book. */
  publishBar(bar: Bar, options: { stream?: boolean } = {}): void {
    this.bars.push(bar);
    this.book.onBar(bar);
    if (options.stream === false) return;
    const msg = JSON.stringify([{ T: 'b', S: bar.symbol, o: bar.open, h: bar.high, l: bar.low, c: bar.close, v: bar.volume, t: iso(bar.ts - ALPACA_BAR_MS), n: 1, vw: bar.close }]);
    for (const [ws, symbols] of this.subscribed) if (symbols.has(bar.symbol)) ws.send(msg);
  }

  /** Cuts every stream connection, as a network drop would. */
  dropStreams(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.subscribed.clear();
  }

  /** How many stream connections are authenticated and subscribed now. */
  get subscribers(): number {
    return this.subscribed.size;
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    for (const res of this.held) res.destroy();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  // ---- REST ---------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    this.requests.push(`${method} ${url.pathname}`);
    const body = await readBody(req);
    if (req.headers['apca-api-key-id'] !== this.keyId || req.headers['apca-api-secret-key'] !== this.secretKey) return send(res, 401, { code: 40110000, message: 'request is not authorized' });
    const fault = this.takeFault(method, url.pathname);
    if (fault?.kind === 'timeout') return void this.held.push(res);
    if (fault?.kind === 'rate_limit') return send(res, 429, { code: 42910000, message: 'rate limit exceeded' }, { 'retry-after': String(fault.retryAfterSeconds) });
    if (fault?.kind === 'server_error') return send(res, fault.status ?? 503, { code: 50010000, message: 'internal server error' });
    const answer = this.route(method, url, body);
    if (fault?.kind === 'after_apply') fault.run();
    if (fault?.kind === 'answer_lost' || fault?.kind === 'after_apply') return void res.socket?.destroy();
    send(res, answer.status, answer.body);
  }

  private route(method: string, url: URL, body: string): { status: number; body?: unknown } {
    const p = url.pathname;
    const q = url.searchParams;
    const book = this.book;
    try {
      if (method === 'POST' && p === '/v2/orders') return { status: 200, body: book.place(JSON.parse(body) as AlpacaOrderRequest) };
      if (method === 'GET' && p === '/v2/orders:by_client_order_id') {
        const o = book.byClientId(q.get('client_order_id') ?? '');
        return o ? { status: 200, body: o } : notFound('order not found');
      }
      if (method === 'GET' && p === '/v2/orders') {
        const status = q.get('status') ?? 'open';
        const list = status === 'open' ? book.open() : status === 'all' ? book.orders : book.orders.filter((o) => !book.open().includes(o));
        const sorted = q.get('direction') === 'asc' ? list : [...list].reverse();
        return { status: 200, body: sorted.slice(0, Number(q.get('limit') ?? 50)) };
      }
      const one = /^\/v2\/orders\/([^/]+)$/.exec(p);
      if (one && method === 'GET') {
        const o = book.byId(decodeURIComponent(one[1]!));
        return o ? { status: 200, body: o } : notFound('order not found');
      }
      if (one && method === 'DELETE') {
        const r = book.cancel(decodeURIComponent(one[1]!));
        return r === 'canceled' ? { status: 204 } : r === 'not_found' ? notFound('order not found') : { status: 422, body: { code: 42210000, message: 'order is not cancelable' } };
      }
      if (method === 'GET' && p === '/v2/positions') return { status: 200, body: book.positionList() };
      if (method === 'GET' && p === '/v2/account') return { status: 200, body: book.account() };
      if (method === 'GET' && p === '/v2/account/activities/FILL') return { status: 200, body: this.activities(q) };
      if (method === 'GET' && p === '/v2/stocks/bars') return { status: 200, body: this.barsPage(q) };
      return notFound(`no route ${method} ${p}`);
    } catch (e) {
      if (e instanceof BookRefusal) return { status: e.status, body: { code: e.alpacaCode, message: e.message } };
      return { status: 500, body: { code: 50010000, message: e instanceof Error ? e.message : String(e) } };
    }
  }

  private activities(q: URLSearchParams): unknown[] {
    const after = q.has('after') ? Date.parse(q.get('after')!) : -Infinity;
    let list = this.book.activities.filter((a) => Date.parse(a.transaction_time) > after);
    if (q.get('direction') !== 'asc') list = [...list].reverse();
    const token = q.get('page_token');
    if (token) list = list.slice(list.findIndex((a) => a.id === token) + 1);
    return list.slice(0, Number(q.get('page_size') ?? 100));
  }

  private barsPage(q: URLSearchParams): unknown {
    const symbols = (q.get('symbols') ?? '').split(',');
    const start = q.has('start') ? Date.parse(q.get('start')!) : -Infinity;
    const end = q.has('end') ? Date.parse(q.get('end')!) : Infinity;
    const out: Record<string, unknown[]> = {};
    for (const b of this.bars) {
      const t = b.ts - ALPACA_BAR_MS;
      if (!symbols.includes(b.symbol) || t < start || t > end) continue;
      (out[b.symbol] ??= []).push({ t: iso(t), o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume, n: 1, vw: b.close });
    }
    return { bars: out, next_page_token: null };
  }

  private takeFault(method: string, path: string): FakeFault | undefined {
    const i = this.faults.findIndex((f) => f.route.method === method && path.startsWith(f.route.path));
    if (i < 0) return undefined;
    return this.faults.splice(i, 1)[0]!.fault;
  }

  // ---- stream -------------------------------------------------------------------------

  private onStream(ws: WebSocket): void {
    this.streamConnections++;
    let authed = false;
    ws.send(JSON.stringify([{ T: 'success', msg: 'connected' }]));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { action?: string; key?: string; secret?: string; bars?: string[] };
      if (m.action === 'auth') {
        if (m.key === this.keyId && m.secret === this.secretKey) {
          authed = true;
          ws.send(JSON.stringify([{ T: 'success', msg: 'authenticated' }]));
        } else {
          ws.send(JSON.stringify([{ T: 'error', code: 402, msg: 'auth failed' }]));
          ws.close();
        }
      } else if (m.action === 'subscribe') {
        if (!authed) return ws.send(JSON.stringify([{ T: 'error', code: 401, msg: 'not authenticated' }]));
        const set = this.subscribed.get(ws) ?? new Set<string>();
        for (const s of m.bars ?? []) set.add(s);
        this.subscribed.set(ws, set);
        ws.send(JSON.stringify([{ T: 'subscription', trades: [], quotes: [], bars: [...set] }]));
      }
    });
    ws.on('close', () => this.subscribed.delete(ws));
  }
}

function notFound(message: string): { status: number; body: unknown } {
  return { status: 404, body: { code: 40410000, message } };
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
