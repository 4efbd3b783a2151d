// Alpaca's market-data stream as a LiveBarFeed: minute bars of the configured symbols, over
// the documented websocket protocol (connect → `success/connected`, send `auth`, get
// `success/authenticated`, send `subscribe` with `bars`, then `T: "b"` messages). Node 20 has
// no WebSocket without a flag, so the `ws` package speaks it.
//
// A dropped connection is reported (E_ING_PROVIDER_DOWN, the runtime logs it and staleness
// blocks trading meanwhile) and reopened after a delay that doubles up to a cap. Bars that
// closed while the stream was down are fetched from the REST bars endpoint once it is back, so
// a reconnect loses no bar (the buffer drops the ones it already has). The same endpoint gives
// the warm-up history.

import WebSocket from 'ws';
import { OrdinisError } from '../../../errors.ts';
import type { Bar } from '../../../domain/market.ts';
import type { LiveBarFeed } from '../../data/live-bar-feed.ts';
import type { AlpacaCredentials, AlpacaDataFeed } from './alpaca-endpoints.ts';
import { AlpacaRest } from './alpaca-rest.ts';
import { ALPACA_BAR_MS, barOf, type AlpacaBar } from './alpaca-wire.ts';

export interface AlpacaBarFeedOptions {
  symbols: readonly string[];
  credentials: AlpacaCredentials;
  /** Stream base, e.g. wss://stream.data.alpaca.markets/v2 (the feed is appended). */
  streamUrl: string;
  /** Market-data REST base, e.g. https://data.alpaca.markets. */
  dataUrl: string;
  /** Default iex. */
  feed?: AlpacaDataFeed;
  /** How far back history() reads for the warm-up. Default one day. */
  historyMs?: number;
  /** First reconnect delay; doubles per failed attempt. Default 1 000 ms. */
  reconnectDelayMs?: number;
  /** Cap on the reconnect delay. Default 30 000 ms. */
  maxReconnectDelayMs?: number;
  /** REST timeout. Default 10 000 ms. */
  timeoutMs?: number;
}

/** One stream message (the server sends arrays of them). */
interface StreamMessage {
  T: string;
  msg?: string;
  code?: number;
  S?: string;
}

interface BarsPage {
  bars: Record<string, AlpacaBar[]> | null;
  next_page_token: string | null;
}

export class AlpacaBarFeed implements LiveBarFeed {
  readonly name: string;
  readonly symbols: readonly string[];
  private readonly rest: AlpacaRest;
  private socket: WebSocket | undefined;
  private running = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Newest bar time delivered: where a gap fill after a reconnect starts. */
  private newestTs: number | undefined;
  private sink: ((bar: Bar) => void) | undefined;
  private report: ((error: Error) => void) | undefined;
  /** Connections opened (for tests and the status page). */
  connections = 0;

  constructor(private readonly opts: AlpacaBarFeedOptions) {
    if (opts.symbols.length === 0) throw new OrdinisError('E_CFG_INVALID', 'the alpaca bar feed needs at least one symbol');
    this.symbols = [...opts.symbols];
    this.name = `alpaca.bars.1m.${opts.feed ?? 'iex'}`;
    this.rest = new AlpacaRest({ baseUrl: opts.dataUrl, credentials: opts.credentials, timeoutMs: opts.timeoutMs ?? 10_000, downCode: 'E_ING_PROVIDER_DOWN' });
  }

  /** Resolves once the first connection is authenticated and subscribed; rejects if that fails (bad keys, no service). */
  start(onBar: (bar: Bar) => void, onError: (error: Error) => void): Promise<void> {
    if (this.running) return Promise.resolve();
    this.running = true;
    this.sink = onBar;
    this.report = onError;
    return this.connect(true);
  }

  stop(): void {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.socket?.terminate();
    this.socket = undefined;
  }

  async history(untilTs: number): Promise<readonly Bar[]> {
    return this.barsBetween(untilTs - (this.opts.historyMs ?? 86_400_000), untilTs);
  }

  // ---- internals ----------------------------------------------------------------------

  /** Opens one connection; `initial`: start()'s, whose failure stops the feed (a reconnect's failure is retried). */
  private connect(initial: boolean): Promise<void> {
    const url = `${this.opts.streamUrl.replace(/\/$/, '')}/${this.opts.feed ?? 'iex'}`;
    const ws = new WebSocket(url);
    this.socket = ws;
    this.connections++;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const fail = (e: Error): void => {
        if (!ready) {
          ready = true;
          if (initial) this.running = false;
          ws.terminate();
          reject(e);
        } else this.report?.(e);
      };
      ws.on('message', (data) => {
        let messages: StreamMessage[];
        try {
          messages = JSON.parse(String(data)) as StreamMessage[];
        } catch {
          return this.report?.(new OrdinisError('E_ING_PROVIDER_DOWN', `alpaca stream sent a message that is not JSON: ${String(data).slice(0, 80)}`));
        }
        for (const m of Array.isArray(messages) ? messages : []) {
          if (m.T === 'success' && m.msg === 'connected') ws.send(JSON.stringify({ action: 'auth', key: this.opts.credentials.keyId, secret: this.opts.credentials.secretKey }));
          else if (m.T === 'success' && m.msg === 'authenticated') ws.send(JSON.stringify({ action: 'subscribe', bars: this.symbols }));
          else if (m.T === 'subscription') {
            const resumed = this.attempt > 0;
            this.attempt = 0;
            if (!ready) {
              ready = true;
              resolve();
            }
            if (resumed) void this.fillGap();
          } else if (m.T === 'b' && typeof m.S === 'string') this.deliver(barOf(m.S, m as unknown as AlpacaBar));
          else if (m.T === 'error') {
            const auth = m.code === 401 || m.code === 402 || m.code === 403;
            fail(new OrdinisError(auth ? 'E_EXEC_BROKER_AUTH' : 'E_ING_PROVIDER_DOWN', `alpaca stream error ${m.code ?? '?'}: ${m.msg ?? ''}`, { details: { code: m.code } }));
          }
        }
      });
      ws.on('error', (e) => fail(new OrdinisError('E_ING_PROVIDER_DOWN', `alpaca stream ${url}: ${e.message}`, { cause: e })));
      ws.on('close', () => {
        if (this.socket === ws) this.socket = undefined;
        if (!ready) return fail(new OrdinisError('E_ING_PROVIDER_DOWN', `alpaca stream ${url} closed before the subscription was confirmed`));
        if (!this.running) return;
        this.report?.(new OrdinisError('E_ING_PROVIDER_DOWN', `alpaca stream ${url} closed; reconnecting`));
        this.scheduleReconnect();
      });
    });
  }

  private scheduleReconnect(): void {
    const base = this.opts.reconnectDelayMs ?? 1000;
    const delay = Math.min(base * 2 ** this.attempt, this.opts.maxReconnectDelayMs ?? 30_000);
    this.attempt++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.running) return;
      this.connect(false).catch((e: Error) => {
        if (!this.running) return;
        this.report?.(e);
        this.scheduleReconnect();
      });
    }, delay);
  }

  /** After a reconnect: the bars that closed while the stream was down, from REST. */
  private async fillGap(): Promise<void> {
    if (this.newestTs === undefined) return;
    try {
      for (const bar of await this.barsBetween(this.newestTs + 1, Number.MAX_SAFE_INTEGER)) this.deliver(bar);
    } catch (e) {
      this.report?.(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private deliver(bar: Bar): void {
    if (!this.running) return;
    if (this.newestTs === undefined || bar.ts > this.newestTs) this.newestTs = bar.ts;
    this.sink?.(bar);
  }

  /** Minute bars of every symbol closed at fromTs <= ts <= untilTs, oldest first (a time's bars in the feed's symbol order), all pages. */
  private async barsBetween(fromTs: number, untilTs: number): Promise<Bar[]> {
    const out: Bar[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.rest.request<BarsPage>('GET', '/v2/stocks/bars', {
        query: {
          symbols: this.symbols.join(','),
          timeframe: '1Min',
          // Alpaca filters on its own stamps (a bar's start); ours are its close.
          start: new Date(fromTs - ALPACA_BAR_MS).toISOString(),
          ...(untilTs < Number.MAX_SAFE_INTEGER ? { end: new Date(untilTs - ALPACA_BAR_MS).toISOString() } : {}),
          feed: this.opts.feed ?? 'iex',
          limit: 10_000,
          page_token: pageToken,
        },
      });
      for (const [symbol, bars] of Object.entries(page?.bars ?? {})) for (const b of bars) out.push(barOf(symbol, b));
      pageToken = page?.next_page_token ?? undefined;
    } while (pageToken);
    const rank = new Map(this.symbols.map((s, i) => [s, i]));
    return out.filter((b) => b.ts >= fromTs && b.ts <= untilTs).sort((a, b) => a.ts - b.ts || rank.get(a.symbol)! - rank.get(b.symbol)!);
  }
}
