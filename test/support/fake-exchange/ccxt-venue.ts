// A fake Binance spot venue on 127.0.0.1 and the real ccxt library pointed at it: what the
// ccxt adapter's tests start from. BTC/USDT and ETH/USDT markets, a USDT balance, the
// venue's clock a ManualClock.

import { ManualClock } from '../../../src/core/clock.ts';
import { openCcxtExchange, type OpenedExchange } from '../../../src/adapters/venue/ccxt/ccxt-exchange.ts';
import { CcxtBroker } from '../../../src/adapters/venue/ccxt/ccxt-broker.ts';
import { FakeBinanceSpot } from './binance-spot-server.ts';

export const API_KEY = 'test-key-1234';
export const SECRET = 'test-secret-abcdef';
/** 2026-01-05T10:00:00Z: a whole minute. */
export const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

export interface CcxtVenue {
  fake: FakeBinanceSpot;
  url: string;
  clock: ManualClock;
  /** A fresh exchange and broker over the venue (a new one is a restarted process). */
  broker(opts?: { secret?: string; timeoutMs?: number }): Promise<{ broker: CcxtBroker; opened: OpenedExchange }>;
  close(): Promise<void>;
}

export async function startCcxtVenue(opts: { usdt?: number; commissionRate?: number } = {}): Promise<CcxtVenue> {
  const clock = new ManualClock(T0);
  const fake = new FakeBinanceSpot({
    apiKey: API_KEY,
    secret: SECRET,
    now: () => clock.now(),
    markets: [
      { symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT' },
      { symbol: 'ETHUSDT', base: 'ETH', quote: 'USDT' },
    ],
    ...(opts.commissionRate !== undefined ? { commissionRate: opts.commissionRate } : {}),
  });
  fake.book.setBalance('USDT', opts.usdt ?? 100_000);
  const url = await fake.start();
  return {
    fake,
    url,
    clock,
    async broker(o = {}) {
      const opened = await openCcxtExchange({
        exchangeId: 'binance',
        credentials: { apiKey: API_KEY, secret: o.secret ?? SECRET },
        sandbox: true,
        apiUrl: url,
        timeoutMs: o.timeoutMs ?? 5000,
      });
      const broker = new CcxtBroker({ exchange: opened.exchange, symbols: ['BTC/USDT', 'ETH/USDT'], quoteCurrency: 'USDT', clock, fetchByClientOrderId: opened.fetchByClientOrderId });
      return { broker, opened };
    },
    close: () => fake.close(),
  };
}
