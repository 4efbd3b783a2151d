// A live bar feed from a ccxt exchange: fetchOHLCV polled per symbol, closed candles only.
// A venue's candle list ends with the candle still forming; a candle is closed once its
// open time plus the timeframe has passed by the clock. Each bar is labelled with its close
// time (open + timeframe): the time it became known, so ING's staleness check measures how
// late the data is, and a cycle at time T sees only bars closed by T. REST polling, not
// ccxt.pro's watchOHLCV: one code path for every exchange, and a restart loses nothing
// (the next poll asks from the last bar delivered).

import type { Exchange, OHLCV } from 'ccxt';
import type { Clock } from '../../../core/clock.ts';
import type { Bar } from '../../../domain/market.ts';
import { OrdinisError } from '../../../errors.ts';
import type { LiveBarFeed } from '../../data/live-bar-feed.ts';

export interface CcxtBarFeedOptions {
  exchange: Exchange;
  /** Unified symbols, in the order a time step's bars reach the strategy. */
  symbols: readonly string[];
  /** A ccxt timeframe the exchange supports, e.g. "1m", "1h", "1d". */
  timeframe: string;
  /** Time between polls. */
  pollMs: number;
  clock: Clock;
  /** Candles asked for per request (and for history). Default 500. */
  limit?: number;
}

/** Closed candles of `rows` after `afterTs` (a close time), as bars labelled with their close time, oldest first. */
export function closedBars(rows: readonly OHLCV[], symbol: string, timeframeMs: number, nowMs: number, afterTs: number): Bar[] {
  const out: Bar[] = [];
  for (const r of rows) {
    const [open, o, h, l, c, v] = r;
    if (open === undefined || o === undefined || h === undefined || l === undefined || c === undefined) continue;
    const ts = open + timeframeMs;
    if (ts > nowMs || ts <= afterTs) continue;
    out.push({ symbol, ts, open: o, high: h, low: l, close: c, volume: v ?? 0 });
  }
  return out.sort((a, b) => a.ts - b.ts);
}

export class CcxtBarFeed implements LiveBarFeed {
  readonly name: string;
  readonly symbols: readonly string[];
  private readonly timeframeMs: number;
  private readonly limit: number;
  /** Close time of the last bar delivered, per symbol. */
  private readonly last = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private running = false;

  constructor(private readonly opts: CcxtBarFeedOptions) {
    this.symbols = [...opts.symbols];
    this.name = `ccxt.${opts.exchange.id}.bars.${opts.timeframe}`;
    this.timeframeMs = timeframeMsOf(opts.exchange, opts.timeframe);
    this.limit = opts.limit ?? 500;
    if (!(opts.pollMs > 0)) throw new OrdinisError('E_CFG_INVALID', `ccxt bar feed: pollMs must be > 0, got ${opts.pollMs}`);
  }

  start(onBar: (bar: Bar) => void, onError: (error: Error) => void): void {
    if (this.running) return;
    this.running = true;
    const tick = (): void => {
      this.polling = this.poll(onBar, onError).finally(() => {
        this.polling = undefined;
        if (this.running) this.timer = setTimeout(tick, this.opts.pollMs);
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  /** One poll of every symbol: new closed bars to `onBar`; a failed symbol is reported and asked again next poll. */
  async poll(onBar: (bar: Bar) => void, onError: (error: Error) => void): Promise<void> {
    for (const symbol of this.symbols) {
      const after = this.last.get(symbol);
      try {
        const since = after !== undefined ? after : undefined;
        const rows = await this.opts.exchange.fetchOHLCV(symbol, this.opts.timeframe, since, this.limit);
        const bars = closedBars(rows, symbol, this.timeframeMs, this.opts.clock.now(), after ?? Number.NEGATIVE_INFINITY);
        for (const b of bars) {
          this.last.set(symbol, b.ts);
          onBar(b);
        }
      } catch (e) {
        onError(new OrdinisError('E_ING_PROVIDER_DOWN', `${this.name}: fetchOHLCV ${symbol}: ${(e as Error).message}`, { cause: e }));
      }
    }
  }

  async history(untilTs: number): Promise<readonly Bar[]> {
    const out: Bar[] = [];
    for (const symbol of this.symbols) {
      let rows: OHLCV[];
      try {
        // Candles opened before untilTs - timeframe close by untilTs; ask for the last `limit` of them.
        rows = await this.opts.exchange.fetchOHLCV(symbol, this.opts.timeframe, untilTs - this.timeframeMs * (this.limit + 1), this.limit + 1);
      } catch (e) {
        throw new OrdinisError('E_ING_PROVIDER_DOWN', `${this.name}: history of ${symbol}: ${(e as Error).message}`, { cause: e });
      }
      const bars = closedBars(rows, symbol, this.timeframeMs, Math.min(untilTs, this.opts.clock.now()), Number.NEGATIVE_INFINITY);
      out.push(...bars);
      const newest = bars.at(-1);
      if (newest && (this.last.get(symbol) ?? Number.NEGATIVE_INFINITY) < newest.ts) this.last.set(symbol, newest.ts);
    }
    return out.sort((a, b) => a.ts - b.ts);
  }
}

function timeframeMsOf(exchange: Exchange, timeframe: string): number {
  if (exchange.timeframes && !(timeframe in exchange.timeframes)) {
    throw new OrdinisError('E_CFG_INVALID', `CCXT_TIMEFRAME: ${exchange.id} has no timeframe "${timeframe}" (it has ${Object.keys(exchange.timeframes).join(', ')})`);
  }
  const m = /^(\d+)([smhdwM])$/.exec(timeframe);
  if (!m) throw new OrdinisError('E_CFG_INVALID', `CCXT_TIMEFRAME: "${timeframe}" is not a timeframe like 1m, 15m, 1h, 1d`);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, M: 2_592_000_000 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w' | 'M'];
  return Number(m[1]) * unit;
}
