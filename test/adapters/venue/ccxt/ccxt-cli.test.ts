// `ordinis live --broker ccxt:binance` and `ordinis paper --feed ccxt:binance` as real child
// processes against the fake Binance venue on 127.0.0.1: the venue's clock is the wall clock
// and it makes a 1-second candle for every second (a zigzag close-sma crosses on every bar),
// so the feed delivers fresh closed bars and the strategy trades.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli, startCli } from '../../../modes/paper/cli-process.ts';
import { tempDir } from '../../../modes/paper/paper-support.ts';
import { FakeBinanceSpot } from '../../../support/fake-exchange/binance-spot-server.ts';
import { API_KEY, SECRET } from '../../../support/fake-exchange/ccxt-venue.ts';

async function wallClockVenue(t: TestContext): Promise<{ fake: FakeBinanceSpot; url: string }> {
  const fake = new FakeBinanceSpot({ apiKey: API_KEY, secret: SECRET, now: () => Date.now(), markets: [{ symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT' }] });
  fake.book.setBalance('USDT', 100_000);
  // Deep liquidity around 100 both ways: market orders fill at once.
  fake.book.setLiquidity('BTCUSDT', { asks: [{ price: 100.5, qty: 1e6 }], bids: [{ price: 99.5, qty: 1e6 }] });
  fake.setCandleMaker('BTCUSDT', '1s', (openTime) => {
    const up = Math.floor(openTime / 1000) % 2 === 0;
    const p = up ? 101 : 99;
    return { open: p, high: p + 0.5, low: p - 0.5, close: p, volume: 10 };
  });
  const url = await fake.start();
  t.after(() => fake.close());
  return { fake, url };
}

function ccxtEnv(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ORDINIS_CCXT_API_URL: url,
    ORDINIS_CCXT_TIMEFRAME: '1s',
    ORDINIS_CCXT_POLL_MS: '200',
    ORDINIS_ORCH_SCHEDULE: '250ms',
    ORDINIS_ING_MAX_STALENESS_MS: '60000',
    ORDINIS_OBS_LOG_LEVEL: 'warn',
    ...extra,
  };
}

const STRATEGY = ['--symbols', 'BTC/USDT', '--strategy', 'close-sma', '--period', '2', '--qty', '1', '--json'];

test('live --broker ccxt:binance trades on the venue: each order once by client order id, the books equal to the venue, the secret nowhere', async (t) => {
  const { fake, url } = await wallClockVenue(t);
  const db = join(tempDir(t, 'ordinis-ccxt-live-'), 'live.db');
  const env = ccxtEnv(url, { ORDINIS_LIVE_ENABLED: 'true', ORDINIS_CCXT_API_KEY: API_KEY, ORDINIS_CCXT_SECRET: SECRET, ORDINIS_LIVE_RECONCILE_EVERY: '2' });
  const f = await startCli(['--profile', 'prod', 'live', '--broker', 'ccxt:binance', ...STRATEGY, '--db', db, '--max-cycles', '24'], env).done;
  assert.equal(f.code, 0, f.stderr);
  const summary = JSON.parse(f.stdout.trim().split('\n').at(-1)!) as {
    venue: { cash: number; positions: Record<string, number>; orders: number };
    ledger: { fills: number };
    killSwitch: { state: string };
    broker: { name: string; reconciliations: number };
    errors: string[];
  };
  assert.equal(summary.killSwitch.state, 'INACTIVE', JSON.stringify(summary.errors));
  assert.equal(summary.broker.name, 'ccxt:binance');
  assert.ok(summary.broker.reconciliations >= 5, `reconciliations ${summary.broker.reconciliations}`);
  assert.ok(fake.book.orderCount() >= 2, `orders at the venue: ${fake.book.orderCount()}`);
  assert.equal(summary.venue.orders, fake.book.orderCount());
  assert.equal(fake.count('POST', 'order'), fake.book.orderCount(), 'every POST made one order');
  const btc = fake.book.listBalances().find((b) => b.asset === 'BTC');
  assert.deepEqual(summary.venue.positions, btc && btc.free + btc.locked !== 0 ? { 'BTC/USDT': btc.free + btc.locked } : {});
  assert.ok(summary.ledger.fills >= 2);
  assert.ok(!f.stdout.includes(SECRET) && !f.stderr.includes(SECRET), 'the secret leaked into the output');
});

test('paper --feed ccxt:binance trades the simulated venue on the venue\'s closed candles, no keys needed; live without keys is refused', async (t) => {
  const { fake, url } = await wallClockVenue(t);
  const db = join(tempDir(t, 'ordinis-ccxt-paper-'), 'paper.db');
  const f = await startCli(['paper', '--feed', 'ccxt:binance', ...STRATEGY, '--db', db, '--max-cycles', '12'], ccxtEnv(url)).done;
  assert.equal(f.code, 0, f.stderr);
  const summary = JSON.parse(f.stdout.trim().split('\n').at(-1)!) as { cycles: number; ledger: { fills: number } };
  assert.ok(summary.ledger.fills >= 1, f.stdout);
  assert.equal(fake.count('POST', 'order'), 0, 'paper sends nothing to the venue');
  assert.ok(fake.count('GET', 'klines') >= 2);

  const refused = await runCli(['--profile', 'prod', 'live', '--broker', 'ccxt:binance', '--symbols', 'BTC/USDT', '--db', join(tempDir(t), 'x.db')], ccxtEnv(url, { ORDINIS_LIVE_ENABLED: 'true' }));
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /E_CFG_INVALID: ccxt:binance needs its keys to trade/);
});

test('live SIGKILLed while the venue holds its first order\'s answer: the restart answers it by client order id, sends it no second time, posts its fill once, reconciles clean', async (t) => {
  const { fake, url } = await wallClockVenue(t);
  const db = join(tempDir(t, 'ordinis-ccxt-crash-'), 'live.db');
  const env = ccxtEnv(url, { ORDINIS_LIVE_ENABLED: 'true', ORDINIS_CCXT_API_KEY: API_KEY, ORDINIS_CCXT_SECRET: SECRET, ORDINIS_LIVE_RECONCILE_EVERY: '2' });
  const args = ['--profile', 'prod', 'live', '--broker', 'ccxt:binance', ...STRATEGY, '--db', db];
  fake.inject({ method: 'POST', path: 'order', fault: { kind: 'hold-after' } });
  const first = startCli([...args, '--max-cycles', '200'], env);
  let ended = false;
  void first.done.then(() => (ended = true));
  // The venue has taken the order and holds its answer: the moment between submit and answer.
  while (fake.book.orderCount() === 0) {
    assert.ok(!ended, `the run ended before its first order: ${first.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  first.child.kill('SIGKILL');
  const killed = await first.done;
  assert.equal(killed.signal, 'SIGKILL');
  assert.equal(fake.book.orderCount(), 1, 'one order at the venue when the process died');

  const again = await startCli([...args, '--max-cycles', '8'], env).done;
  assert.equal(again.code, 0, again.stderr);
  const summary = JSON.parse(again.stdout.trim().split('\n').at(-1)!) as {
    recovery: { ok: boolean; pendingOrders: number; summary: string };
    venue: { cash: number; orders: number; fills: number };
    ledger: { cash: number; fills: number };
    killSwitch: { state: string };
    broker: { reconciliations: number };
    errors: string[];
  };
  assert.equal(summary.recovery.ok, true, summary.recovery.summary);
  assert.match(summary.recovery.summary, /1 pending answered/);
  assert.equal(summary.killSwitch.state, 'INACTIVE', JSON.stringify(summary.errors));
  assert.ok(summary.broker.reconciliations >= 1);
  assert.equal(fake.count('POST', 'order'), fake.book.orderCount(), 'no order was sent twice');
  assert.equal(summary.ledger.cash, summary.venue.cash, 'every fill posted once: the ledger\'s cash is the venue\'s');
  assert.equal(summary.ledger.fills, summary.venue.fills);
});

test('coins deposited behind the engine\'s back (a position is a balance): reconciliation trips the kill switch naming the symbol, no order after it', async (t) => {
  const { fake, url } = await wallClockVenue(t);
  const db = join(tempDir(t, 'ordinis-ccxt-deposit-'), 'live.db');
  const env = ccxtEnv(url, { ORDINIS_LIVE_ENABLED: 'true', ORDINIS_CCXT_API_KEY: API_KEY, ORDINIS_CCXT_SECRET: SECRET, ORDINIS_LIVE_RECONCILE_EVERY: '2' });
  const run = startCli(['--profile', 'prod', 'live', '--broker', 'ccxt:binance', ...STRATEGY, '--db', db, '--max-cycles', '30'], env);
  // Once the engine has traded, 0.5 BTC arrives in the account from elsewhere.
  let ordersAtDeposit = -1;
  const watch = setInterval(() => {
    if (ordersAtDeposit < 0 && fake.book.orderCount() >= 1) {
      ordersAtDeposit = fake.book.orderCount();
      const btc = fake.book.listBalances().find((b) => b.asset === 'BTC');
      fake.book.setBalance('BTC', (btc?.free ?? 0) + 0.5);
    }
  }, 20);
  t.after(() => clearInterval(watch));
  const f = await run.done;
  clearInterval(watch);
  assert.equal(f.code, 0, f.stderr);
  const s = JSON.parse(f.stdout.trim().split('\n').at(-1)!) as { killSwitch: { state: string; reason: string | null }; errors: string[] };
  assert.equal(s.killSwitch.state, 'ACTIVE');
  assert.match(s.killSwitch.reason ?? '', /^reconciliation: the books differ from the broker's: BTC\/USDT: ledger [\d.]+ shares, broker [\d.]+/);
  // Only the cycles before the next reconciliation (every 2) could send an order after the deposit.
  assert.ok(fake.book.orderCount() <= ordersAtDeposit + 2, `${fake.book.orderCount()} orders, ${ordersAtDeposit} at the deposit`);
});
