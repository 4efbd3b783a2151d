// The Alpaca bar stream against the fake Alpaca's websocket: auth, subscribe, bars, a dropped
// connection reconnected with the missed bars fetched over REST, the warm-up history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bar } from '../../../../src/domain/market.ts';
import { isOrdinisError } from '../../../../src/errors.ts';
import { AlpacaBarFeed } from '../../../../src/adapters/venue/alpaca/alpaca-bar-feed.ts';
import { FakeAlpacaServer } from '../../../support/fake-alpaca/fake-alpaca-server.ts';

const T0 = Date.UTC(2026, 0, 5, 14, 30);

function bar(symbol: string, minute: number, price: number): Bar {
  return { symbol, ts: T0 + minute * 60_000, open: price, high: price + 1, low: price - 1, close: price, volume: 100 };
}

/** Waits (without asserting on time) until `cond` holds; fails after `limitMs` with `what`. */
async function until(cond: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function feedFor(fake: FakeAlpacaServer, symbols: string[], secret = fake.secretKey): AlpacaBarFeed {
  return new AlpacaBarFeed({ symbols, credentials: { keyId: fake.keyId, secretKey: secret }, streamUrl: fake.streamUrl, dataUrl: fake.url, reconnectDelayMs: 20, maxReconnectDelayMs: 100, timeoutMs: 2000, historyMs: 3_600_000 });
}

test('bars of the subscribed symbols arrive as closed bars; others are not subscribed', async () => {
  const fake = await FakeAlpacaServer.start();
  const feed = feedFor(fake, ['AAPL', 'MSFT']);
  const got: Bar[] = [];
  try {
    await feed.start((b) => got.push(b), () => undefined);
    assert.equal(fake.subscribers, 1);
    fake.publishBar(bar('AAPL', 0, 10));
    fake.publishBar(bar('TSLA', 0, 99));
    fake.publishBar(bar('MSFT', 0, 20));
    await until(() => got.length === 2, 'two bars');
    assert.deepEqual(got, [bar('AAPL', 0, 10), bar('MSFT', 0, 20)]);
    assert.equal(feed.name, 'alpaca.bars.1m.iex');
  } finally {
    feed.stop();
    await fake.close();
  }
});

test('a dropped stream is reported, reconnected, and the bars that closed meanwhile come from REST: none lost', async () => {
  const fake = await FakeAlpacaServer.start();
  const feed = feedFor(fake, ['AAPL']);
  const got: Bar[] = [];
  const errors: Error[] = [];
  try {
    await feed.start((b) => got.push(b), (e) => errors.push(e));
    fake.publishBar(bar('AAPL', 0, 10));
    await until(() => got.length === 1, 'the first bar');
    fake.dropStreams();
    // While the stream is down (no subscriber yet), two bars close.
    fake.publishBar(bar('AAPL', 1, 11));
    fake.publishBar(bar('AAPL', 2, 12));
    await until(() => got.length >= 3, 'the missed bars');
    fake.publishBar(bar('AAPL', 3, 13));
    await until(() => got.some((b) => b.ts === bar('AAPL', 3, 13).ts), 'a bar after the reconnect');
    assert.deepEqual([...new Set(got.map((b) => b.close))], [10, 11, 12, 13]);
    assert.ok(fake.streamConnections >= 2);
    assert.ok(errors.some((e) => isOrdinisError(e) && e.code === 'E_ING_PROVIDER_DOWN'));
  } finally {
    feed.stop();
    await fake.close();
  }
});

test('wrong keys: start() rejects with E_EXEC_BROKER_AUTH and does not retry', async () => {
  const fake = await FakeAlpacaServer.start();
  const feed = feedFor(fake, ['AAPL'], 'bad-secret');
  try {
    await assert.rejects(feed.start(() => undefined, () => undefined), (e) => isOrdinisError(e) && e.code === 'E_EXEC_BROKER_AUTH' && !e.message.includes('bad-secret'));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(fake.streamConnections, 1);
  } finally {
    feed.stop();
    await fake.close();
  }
});

test('history: the minute bars up to a time, oldest first, every symbol', async () => {
  const fake = await FakeAlpacaServer.start();
  const feed = feedFor(fake, ['AAPL', 'MSFT']);
  try {
    for (let m = 0; m < 5; m++) {
      fake.publishBar(bar('MSFT', m, 20 + m), { stream: false });
      fake.publishBar(bar('AAPL', m, 10 + m), { stream: false });
    }
    const h = await feed.history(T0 + 3 * 60_000);
    assert.deepEqual(h.map((b) => `${b.symbol}@${(b.ts - T0) / 60_000}`), ['AAPL@0', 'MSFT@0', 'AAPL@1', 'MSFT@1', 'AAPL@2', 'MSFT@2', 'AAPL@3', 'MSFT@3']);
  } finally {
    feed.stop();
    await fake.close();
  }
});
