// Shared by the `ordinis live` tests: the fake Alpaca, a market that publishes a zigzag of
// AAPL minute bars stamped with the wall clock (so they are fresh to ING), and the
// environment pointing the CLI at the fake with the prod profile and LIVE_ENABLED.

import type { Bar } from '../../../src/domain/market.ts';
import { FakeAlpacaServer } from '../../support/fake-alpaca/fake-alpaca-server.ts';

/** A zigzag around 100: close-sma with period 2 crosses on every bar (LONG, FLAT, LONG, ...). */
export function zigzagBar(i: number, ts: number): Bar {
  const price = i % 2 === 0 ? 100 + i * 0.1 : 95 + i * 0.1;
  return { symbol: 'AAPL', ts, open: price, high: price + 1, low: price - 1, close: price, volume: 1000 };
}

/** Publishes a bar every `everyMs` until stopped; returns the stop. */
export function runMarket(fake: FakeAlpacaServer, everyMs = 150): { stop: () => void; published: () => number } {
  let i = 0;
  const timer = setInterval(() => fake.publishBar(zigzagBar(i++, Date.now())), everyMs);
  return { stop: () => clearInterval(timer), published: () => i };
}

export function liveEnv(fake: FakeAlpacaServer, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ORDINIS_LIVE_ENABLED: 'true',
    ORDINIS_ALPACA_KEY_ID: fake.keyId,
    ORDINIS_ALPACA_SECRET_KEY: fake.secretKey,
    ORDINIS_ALPACA_TRADING_URL: fake.url,
    ORDINIS_ALPACA_DATA_URL: fake.url,
    ORDINIS_ALPACA_STREAM_URL: fake.streamUrl,
    ORDINIS_ORCH_SCHEDULE: '100ms',
    ORDINIS_ING_MAX_STALENESS_MS: '60000',
    ORDINIS_LIVE_RECONCILE_EVERY: '2',
    ORDINIS_OBS_LOG_LEVEL: 'warn',
    ...extra,
  };
}

export const LIVE_ARGS = ['--profile', 'prod', 'live', '--broker', 'alpaca', '--symbols', 'AAPL', '--strategy', 'close-sma', '--period', '2', '--qty', '5', '--json'];
