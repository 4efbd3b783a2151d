// The ccxt adapter and feed built from configuration (the CCXT_* keys, from the environment
// as ORDINIS_CCXT_*), against the fake Binance venue: credentials from env or an owner-only
// file, redacted in the config snapshot; sandbox refused where the exchange has none; the
// quote currency as cash; the request timeout; the feed's timeframe and poll interval.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../../src/config/load.ts';
import { configSnapshot } from '../../../../src/config/redact.ts';
import { createCcxtBroker, createCcxtFeed } from '../../../../src/adapters/venue/ccxt/ccxt-factory.ts';
import { OrdinisError } from '../../../../src/errors.ts';
import type { Bar } from '../../../../src/domain/market.ts';
import { API_KEY, SECRET, T0, startCcxtVenue, type CcxtVenue } from '../../../support/fake-exchange/ccxt-venue.ts';

const SYMBOLS = ['BTC/USDT', 'ETH/USDT'];

async function venue(t: TestContext): Promise<CcxtVenue> {
  const v = await startCcxtVenue();
  t.after(() => v.close());
  return v;
}

function config(env: Record<string, string>) {
  return loadConfig({ env }).config;
}

async function rejectsWith(p: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof OrdinisError && e.code === code && pattern.test(e.message));
}

test('CCXT_API_KEY / CCXT_SECRET from the environment, CCXT_API_URL to the venue: orders go through; the snapshot redacts both', async (t) => {
  const v = await venue(t);
  v.fake.book.setLiquidity('BTCUSDT', { asks: [{ price: 50_000, qty: 1 }] });
  const c = config({ ORDINIS_CCXT_API_KEY: API_KEY, ORDINIS_CCXT_SECRET: SECRET, ORDINIS_CCXT_API_URL: v.url });
  const snapshot = configSnapshot(c);
  assert.equal(snapshot.CCXT_API_KEY, '***');
  assert.equal(snapshot.CCXT_SECRET, '***');
  assert.ok(!JSON.stringify(snapshot).includes(SECRET));
  const broker = await createCcxtBroker(c, { exchangeId: 'binance', symbols: SYMBOLS, clock: v.clock });
  const r = await broker.submit({ clientOrderId: 'ord-cfg1', idempotencyKey: 'k1', correlationId: 'c', signalId: 's', symbol: 'BTC/USDT', side: 'buy', qty: 0.5, orderType: 'market', timeInForce: 'gtc', ts: T0 });
  assert.equal(r.status, 'filled');
  assert.equal((await broker.fetchAccount()).cash, 75_000);
});

test('CCXT_QUOTE_CURRENCY is the cash: its balance, whatever the others', async (t) => {
  const v = await venue(t);
  v.fake.book.setBalance('BTC', 2.25);
  const c = config({ ORDINIS_CCXT_API_KEY: API_KEY, ORDINIS_CCXT_SECRET: SECRET, ORDINIS_CCXT_API_URL: v.url, ORDINIS_CCXT_QUOTE_CURRENCY: 'BTC' });
  const broker = await createCcxtBroker(c, { exchangeId: 'binance', symbols: SYMBOLS, clock: v.clock });
  assert.equal((await broker.fetchAccount()).cash, 2.25);
});

test('CCXT_TIMEOUT_MS bounds a request: a venue that does not answer is E_EXEC_BROKER_TIMEOUT', async (t) => {
  const v = await venue(t);
  const c = config({ ORDINIS_CCXT_API_KEY: API_KEY, ORDINIS_CCXT_SECRET: SECRET, ORDINIS_CCXT_API_URL: v.url, ORDINIS_CCXT_TIMEOUT_MS: '250' });
  const broker = await createCcxtBroker(c, { exchangeId: 'binance', symbols: SYMBOLS, clock: v.clock });
  v.fake.inject({ method: 'GET', path: 'exchangeInfo', fault: { kind: 'timeout' } });
  await rejectsWith(Promise.resolve(broker.fetchAccount()), 'E_EXEC_BROKER_TIMEOUT', /250 ms/);
});

test('CCXT_CREDENTIALS_FILE: an owner-only JSON file works; one others may read, or one set with CCXT_API_KEY too, is refused', async (t) => {
  const v = await venue(t);
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-ccxt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'binance.json');
  writeFileSync(file, JSON.stringify({ apiKey: API_KEY, secret: SECRET }));
  chmodSync(file, 0o600);
  const c = config({ ORDINIS_CCXT_CREDENTIALS_FILE: file, ORDINIS_CCXT_API_URL: v.url });
  const broker = await createCcxtBroker(c, { exchangeId: 'binance', symbols: SYMBOLS, clock: v.clock });
  assert.equal((await broker.fetchAccount()).cash, 100_000);

  chmodSync(file, 0o644);
  await rejectsWith(createCcxtBroker(c, { exchangeId: 'binance', symbols: SYMBOLS, clock: v.clock }), 'E_CFG_INVALID', /CCXT_CREDENTIALS_FILE .*other users may read it \(mode 644\)/);
  chmodSync(file, 0o600);
  const both = config({ ORDINIS_CCXT_CREDENTIALS_FILE: file, ORDINIS_CCXT_API_KEY: API_KEY, ORDINIS_CCXT_SECRET: SECRET });
  await rejectsWith(createCcxtBroker(both, { exchangeId: 'binance', symbols: SYMBOLS, clock: v.clock }), 'E_CFG_INVALID', /either it or CCXT_API_KEY/);
  await rejectsWith(createCcxtBroker(config({ ORDINIS_CCXT_API_URL: v.url }), { exchangeId: 'binance', symbols: SYMBOLS, clock: v.clock }), 'E_CFG_INVALID', /ccxt:binance needs its keys to trade: CCXT_API_KEY and CCXT_SECRET are unset/);
  const half = config({ ORDINIS_CCXT_API_KEY: API_KEY });
  await rejectsWith(createCcxtBroker(half, { exchangeId: 'binance', symbols: SYMBOLS, clock: v.clock }), 'E_CFG_INVALID', /CCXT_SECRET is unset/);
  writeFileSync(file, '{"apiKey": "k"}');
  await rejectsWith(createCcxtBroker(c, { exchangeId: 'binance', symbols: SYMBOLS, clock: v.clock }), 'E_CFG_INVALID', /"secret" must be a non-empty string/);
  // A malformed file: the parser's message quotes the text around the error (the secret); the error must not.
  writeFileSync(file, `{"apiKey": "${API_KEY}", "secret": ${SECRET}}`); // the secret unquoted
  const cut = await createCcxtBroker(c, { exchangeId: 'binance', symbols: SYMBOLS, clock: v.clock }).then(() => undefined, (e: unknown) => e as OrdinisError);
  assert.equal(cut?.code, 'E_CFG_INVALID');
  assert.ok(!cut!.message.includes(SECRET) && !JSON.stringify(cut!.details ?? {}).includes(SECRET), 'the secret is in no part of the error');
  assert.match(cut!.message, /CCXT_CREDENTIALS_FILE .*is not a JSON object/);
});

test('CCXT_SANDBOX (default true) is refused for an exchange with no sandbox; an exchange ccxt does not know is refused', async (t) => {
  const v = await venue(t);
  const clock = v.clock;
  await rejectsWith(createCcxtFeed(config({}), { exchangeId: 'kraken', symbols: ['BTC/USD'], clock }), 'E_CFG_INVALID', /CCXT_SANDBOX: ccxt exchange "kraken" has no sandbox/);
  const live = await createCcxtFeed(config({ ORDINIS_CCXT_SANDBOX: 'false' }), { exchangeId: 'kraken', symbols: ['BTC/USD'], clock });
  assert.equal(live.name, 'ccxt.kraken.bars.1m');
  await rejectsWith(createCcxtFeed(config({}), { exchangeId: 'nosuchexchange', symbols: SYMBOLS, clock }), 'E_CFG_INVALID', /"nosuchexchange" is not one ccxt/);
});

test('CCXT_TIMEFRAME and CCXT_POLL_MS: the feed polls the venue on its own timer for closed candles of that timeframe', async (t) => {
  const v = await venue(t);
  const FIVE = 5 * 60_000;
  const rows = [0, 1, 2].map((i) => ({ openTime: T0 + i * FIVE, open: 10 + i, high: 12 + i, low: 9 + i, close: 11 + i, volume: 1 }));
  v.fake.setCandles('BTCUSDT', '5m', rows);
  v.fake.setCandles('ETHUSDT', '5m', []);
  const feed = await createCcxtFeed(config({ ORDINIS_CCXT_API_URL: v.url, ORDINIS_CCXT_TIMEFRAME: '5m', ORDINIS_CCXT_POLL_MS: '100' }), { exchangeId: 'binance', symbols: SYMBOLS, clock: v.clock });
  assert.equal(feed.name, 'ccxt.binance.bars.5m');
  v.clock.set(T0 + FIVE + 1);
  const got: Bar[] = [];
  let first!: () => void;
  let second!: () => void;
  const firstBar = new Promise<void>((r) => (first = r));
  const secondBar = new Promise<void>((r) => (second = r));
  await feed.start(
    (b) => {
      got.push(b);
      if (got.length === 1) first();
      if (got.length === 2) second();
    },
    (e) => assert.fail(e),
  );
  t.after(() => feed.stop());
  // Only the first candle is closed; the second closes when the clock passes it, and a later poll brings it.
  await firstBar;
  v.clock.set(T0 + 2 * FIVE);
  await secondBar;
  await feed.stop();
  assert.deepEqual(got.map((b) => [b.ts, b.close]), [[T0 + FIVE, 11], [T0 + 2 * FIVE, 12]]);
  assert.ok(v.fake.count('GET', 'klines') >= 4, 'polled more than once per symbol');
});
