// The ccxt bar feed with the real ccxt library against the fake Binance venue's klines: only
// closed candles become bars (labelled with their close time), each once, in order; a venue
// failure is E_ING_PROVIDER_DOWN and the next poll picks up where the last one stopped.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startCcxtVenue, T0, type CcxtVenue } from '../../../support/fake-exchange/ccxt-venue.ts';
import { openCcxtExchange } from '../../../../src/adapters/venue/ccxt/ccxt-exchange.ts';
import { CcxtBarFeed, closedBars } from '../../../../src/adapters/venue/ccxt/ccxt-bar-feed.ts';
import { BufferedBarSource } from '../../../../src/adapters/data/buffered-bar-source.ts';
import type { Bar } from '../../../../src/domain/market.ts';
import { OrdinisError } from '../../../../src/errors.ts';

const MIN = 60_000;

function candles(n: number, base: number): { openTime: number; open: number; high: number; low: number; close: number; volume: number }[] {
  return Array.from({ length: n }, (_, i) => ({ openTime: T0 + i * MIN, open: base + i, high: base + i + 2, low: base + i - 1, close: base + i + 1, volume: 10 + i }));
}

async function setUp(t: TestContext): Promise<{ v: CcxtVenue; feed: CcxtBarFeed }> {
  const v = await startCcxtVenue();
  t.after(() => v.close());
  v.fake.setCandles('BTCUSDT', '1m', candles(6, 50_000));
  v.fake.setCandles('ETHUSDT', '1m', candles(6, 3_000));
  // Public market data: no credentials.
  const { exchange } = await openCcxtExchange({ exchangeId: 'binance', sandbox: true, apiUrl: v.url, timeoutMs: 2000 });
  const feed = new CcxtBarFeed({ exchange, symbols: ['BTC/USDT', 'ETH/USDT'], timeframe: '1m', pollMs: 50, clock: v.clock });
  return { v, feed };
}

test('closedBars: the forming candle is left out, bars carry their close time, nothing at or before the last one', () => {
  const rows = [
    [T0, 1, 2, 0.5, 1.5, 7],
    [T0 + MIN, 1.5, 3, 1, 2, 8],
    [T0 + 2 * MIN, 2, 2, 2, 2, 1],
  ] as [number, number, number, number, number, number][];
  const now = T0 + 2 * MIN + 30_000;
  assert.deepEqual(closedBars(rows, 'X', MIN, now, Number.NEGATIVE_INFINITY), [
    { symbol: 'X', ts: T0 + MIN, open: 1, high: 2, low: 0.5, close: 1.5, volume: 7 },
    { symbol: 'X', ts: T0 + 2 * MIN, open: 1.5, high: 3, low: 1, close: 2, volume: 8 },
  ]);
  assert.deepEqual(closedBars(rows, 'X', MIN, now, T0 + MIN).map((b) => b.ts), [T0 + 2 * MIN]);
  // A candle closes exactly at its open + timeframe.
  assert.deepEqual(closedBars(rows, 'X', MIN, T0 + 3 * MIN, T0 + 2 * MIN).map((b) => b.ts), [T0 + 3 * MIN]);
});

test('polls yield closed bars only, each once; the candle forming at the venue waits for its close', async (t) => {
  const { v, feed } = await setUp(t);
  assert.equal(feed.name, 'ccxt.binance.bars.1m');
  const got: Bar[] = [];
  const errors: Error[] = [];
  // The venue is inside its 4th candle (opened T0+3m): three are closed.
  v.clock.set(T0 + 3 * MIN + 20_000);
  await feed.poll((b) => got.push(b), (e) => errors.push(e));
  assert.equal(errors.length, 0);
  assert.deepEqual(got.filter((b) => b.symbol === 'BTC/USDT').map((b) => [b.ts, b.open, b.close]), [
    [T0 + MIN, 50_000, 50_001],
    [T0 + 2 * MIN, 50_001, 50_002],
    [T0 + 3 * MIN, 50_002, 50_003],
  ]);
  assert.equal(got.filter((b) => b.symbol === 'ETH/USDT').length, 3);

  got.length = 0;
  await feed.poll((b) => got.push(b), (e) => errors.push(e));
  assert.equal(got.length, 0, 'nothing new while the 4th candle is open');

  v.clock.set(T0 + 4 * MIN);
  await feed.poll((b) => got.push(b), (e) => errors.push(e));
  assert.deepEqual(got.map((b) => [b.symbol, b.ts]), [['BTC/USDT', T0 + 4 * MIN], ['ETH/USDT', T0 + 4 * MIN]]);
});

test('a venue failure is E_ING_PROVIDER_DOWN for that symbol; the next poll delivers what was missed', async (t) => {
  const { v, feed } = await setUp(t);
  v.clock.set(T0 + 2 * MIN);
  v.fake.inject({ method: 'GET', path: 'klines', fault: { kind: 'status', status: 503 } });
  const got: Bar[] = [];
  const errors: Error[] = [];
  await feed.poll((b) => got.push(b), (e) => errors.push(e));
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof OrdinisError && errors[0].code === 'E_ING_PROVIDER_DOWN', String(errors[0]));
  assert.match(errors[0]!.message, /BTC\/USDT/);
  assert.deepEqual(got.map((b) => b.symbol), ['ETH/USDT', 'ETH/USDT'], 'the other symbol still delivered');
  await feed.poll((b) => got.push(b), (e) => errors.push(e));
  assert.deepEqual(got.filter((b) => b.symbol === 'BTC/USDT').map((b) => b.ts), [T0 + MIN, T0 + 2 * MIN]);
  assert.equal(errors.length, 1);
});

test('started, it feeds a BufferedBarSource on its own timer; history gives the closed bars up to a time', async (t) => {
  const { v, feed } = await setUp(t);
  v.clock.set(T0 + 5 * MIN + 1);
  const history = await feed.history(T0 + 3 * MIN);
  assert.deepEqual(history.filter((b) => b.symbol === 'BTC/USDT').map((b) => b.ts), [T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN]);

  const buffer = new BufferedBarSource({ symbols: feed.symbols, floorTs: T0 + 3 * MIN });
  let resolveTwo!: () => void;
  const twoSteps = new Promise<void>((r) => (resolveTwo = r));
  feed.start(
    (b) => {
      buffer.push(b);
      if (buffer.stats().accepted === 4) resolveTwo();
    },
    (e) => assert.fail(e),
  );
  t.after(() => feed.stop());
  await twoSteps;
  await feed.stop();
  const batches = [buffer.next(), buffer.next(), buffer.next()];
  assert.deepEqual(batches.map((b) => b && [b.ts, b.bars.map((x) => x.symbol)]), [
    [T0 + 4 * MIN, ['BTC/USDT', 'ETH/USDT']],
    [T0 + 5 * MIN, ['BTC/USDT', 'ETH/USDT']],
    undefined,
  ]);
  assert.equal(buffer.stats().late, 0, 'history then live: nothing delivered twice');
});

test('a timeframe the exchange does not have is E_CFG_INVALID naming CCXT_TIMEFRAME', async (t) => {
  const { v } = await setUp(t);
  const { exchange } = await openCcxtExchange({ exchangeId: 'binance', sandbox: true, apiUrl: v.url, timeoutMs: 2000 });
  assert.throws(() => new CcxtBarFeed({ exchange, symbols: ['BTC/USDT'], timeframe: '7m', pollMs: 50, clock: v.clock }), /E_CFG_INVALID: CCXT_TIMEFRAME: binance has no timeframe "7m"/);
});
