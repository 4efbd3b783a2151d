// The LIVE_* and ALPACA_* configuration keys, each shown doing what its description says:
// loaded as a user sets them (env strings through loadConfig), then used by the code that
// reads them, against the fake Alpaca on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../../src/core/clock.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { configSnapshot } from '../../../src/config/redact.ts';
import type { OrdinisConfig } from '../../../src/config/schema.ts';
import { isOrdinisError } from '../../../src/errors.ts';
import { openDatabase } from '../../../src/persistence/database.ts';
import { KillSwitch } from '../../../src/kill-switch/kill-switch.ts';
import { normalizeRiskConfig, type RiskPolicyContext } from '../../../src/stages/risk/policy.ts';
import { alpacaCredentials, createAlpacaBroker, createAlpacaFeed } from '../../../src/adapters/venue/alpaca/alpaca-factory.ts';
import { assertLiveAllowed, liveVenueOf } from '../../../src/modes/live/live-settings.ts';
import { Reconciler } from '../../../src/modes/live/reconcile-step.ts';
import type { Signal } from '../../../src/domain/signal.ts';
import { FakeAlpacaServer } from '../../support/fake-alpaca/fake-alpaca-server.ts';
import { tempDir } from '../paper/paper-support.ts';

function config(env: Record<string, string>): OrdinisConfig {
  return loadConfig({ env: { ORDINIS_OBS_LOG_LEVEL: 'silent', ...env } }).config;
}

function alpacaEnv(fake: FakeAlpacaServer, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ORDINIS_ALPACA_KEY_ID: fake.keyId,
    ORDINIS_ALPACA_SECRET_KEY: fake.secretKey,
    ORDINIS_ALPACA_TRADING_URL: fake.url,
    ORDINIS_ALPACA_DATA_URL: fake.url,
    ORDINIS_ALPACA_STREAM_URL: fake.streamUrl,
    ...extra,
  };
}

const T0 = Date.UTC(2026, 0, 5, 15);

function signalFor(symbol: string): Signal {
  return { signalId: `s-${symbol}`, symbol, direction: 'LONG', ts: T0, strategy: 't', strategyVersion: '1', reason: 'test', ttlMs: 0 } as unknown as Signal;
}

function ctx(order: RiskPolicyContext['order'], nowMs = T0, positions = new Map<string, number>()): RiskPolicyContext {
  return { config: normalizeRiskConfig({}), nowMs, killActive: false, stale: undefined, account: { cash: 1e6, positions }, prices: new Map([['AAPL', 100]]), equity: 1e6, peakEquity: 1e6, workingSymbols: new Set(), runningCash: 1e6, order };
}

test('LIVE_ENABLED: false (the default) refuses live trading naming the key; true with the prod invariants lets it through', () => {
  assert.throws(() => assertLiveAllowed(config({})), (e) => isOrdinisError(e) && e.code === 'E_CFG_INVALID' && /LIVE_ENABLED is false/.test(e.message));
  assert.doesNotThrow(() => assertLiveAllowed(config({ ORDINIS_LIVE_ENABLED: 'true', ORDINIS_ORCH_PROFILE: 'prod' })));
  assert.throws(() => assertLiveAllowed(config({ ORDINIS_LIVE_ENABLED: 'true', ORDINIS_RISK_MAX_DRAWDOWN: '1' })), /prod\.drawdown_guard/);
});

test('LIVE_MAX_ORDER_NOTIONAL denies a bigger order (RISK.ORDER.NOTIONAL_CAP), not a closing one; LIVE_MAX_ORDERS_PER_MINUTE denies past the cap (RISK.ORDER.RATE_CAP) in a trailing minute', () => {
  const live = liveVenueOf('alpaca', undefined as never, config({ ORDINIS_LIVE_MAX_ORDER_NOTIONAL: '1000', ORDINIS_LIVE_MAX_ORDERS_PER_MINUTE: '2' }));
  const notional = live.riskPolicies.find((p) => p.id === 'order-notional-cap')!;
  const rate = live.riskPolicies.find((p) => p.id === 'order-rate-cap')!;
  const s = signalFor('AAPL');
  assert.deepEqual(notional.evaluate(s, ctx({ side: 'buy', qty: 10, referencePrice: 100 })), { verdict: 'pass' });
  const big = notional.evaluate(s, ctx({ side: 'buy', qty: 11, referencePrice: 100 }));
  assert.ok(big.verdict === 'deny' && big.reason === 'RISK.ORDER.NOTIONAL_CAP', JSON.stringify(big));
  // Selling 50 of a 50-share position only reduces it: never held back by the cap.
  assert.deepEqual(notional.evaluate(s, ctx({ side: 'sell', qty: 50, referencePrice: 100 }, T0, new Map([['AAPL', 50]]))), { verdict: 'pass' });
  const order = { side: 'buy' as const, qty: 1, referencePrice: 100 };
  assert.equal(rate.evaluate(s, ctx(order, T0)).verdict, 'pass');
  assert.equal(rate.evaluate(s, ctx(order, T0 + 10_000)).verdict, 'pass');
  const third = rate.evaluate(s, ctx(order, T0 + 20_000));
  assert.ok(third.verdict === 'deny' && third.reason === 'RISK.ORDER.RATE_CAP');
  // A minute after the first, there is room again.
  assert.equal(rate.evaluate(s, ctx(order, T0 + 60_000)).verdict, 'pass');
});

test('LIVE_RECONCILE_EVERY, LIVE_RECONCILE_CASH_TOLERANCE and LIVE_RECONCILE_QTY_TOLERANCE shape the reconciliation', async (t) => {
  const fake = await FakeAlpacaServer.start({ cash: 100_000 });
  t.after(() => fake.close());
  const db = openDatabase({ path: join(tempDir(t, 'ordinis-live-'), 'live.db') });
  t.after(() => db.close());
  const c = config({ ...alpacaEnv(fake), ORDINIS_LIVE_RECONCILE_EVERY: '3', ORDINIS_LIVE_RECONCILE_CASH_TOLERANCE: '5', ORDINIS_LIVE_RECONCILE_QTY_TOLERANCE: '1' });
  const live = liveVenueOf('alpaca', await createAlpacaBroker(c), c);
  const kill = new KillSwitch({ store: db.killSwitch, clock: systemClock, failSafe: true });
  const rec = new Reconciler({ broker: live.broker, ledger: db.ledger, orders: db.orders, kill, startingCash: 100_000, ...live.reconcile });
  // Within both tolerances: 4 of cash and 1 share.
  fake.book.cash -= 4;
  fake.book.setPosition('AAPL', 1, 100);
  assert.equal(await rec.afterCycle('c1'), undefined);
  assert.equal(await rec.afterCycle('c2'), undefined);
  assert.deepEqual(await rec.afterCycle('c3'), { clean: true, differences: [], tripped: false });
  // Beyond them: 6 of cash, 2 shares.
  fake.book.cash -= 2;
  fake.book.setPosition('AAPL', 2, 100);
  for (const id of ['c4', 'c5']) assert.equal(await rec.afterCycle(id), undefined);
  const r = await rec.afterCycle('c6');
  assert.deepEqual(r?.differences.map((d) => d.kind), ['position', 'cash']);
  assert.equal(kill.get().state, 'ACTIVE');
});

test('ALPACA_KEY_ID / ALPACA_SECRET_KEY / ALPACA_TRADING_URL / ALPACA_TIMEOUT_MS: the broker talks to that URL with those keys and gives up after the timeout; the keys are redacted', async (t) => {
  const fake = await FakeAlpacaServer.start({ cash: 123_456 });
  t.after(() => fake.close());
  const c = config(alpacaEnv(fake, { ORDINIS_ALPACA_TIMEOUT_MS: '200' }));
  const broker = await createAlpacaBroker(c);
  assert.equal((await broker.fetchAccount()).cash, 123_456);
  assert.deepEqual(fake.requests.slice(0, 1), ['GET /v2/account']);
  fake.failNext({ method: 'GET', path: '/v2/account' }, { kind: 'timeout' });
  await assert.rejects(Promise.resolve(broker.fetchAccount()), (e) => isOrdinisError(e) && e.code === 'E_EXEC_BROKER_TIMEOUT' && /no answer within 200 ms/.test(e.message));
  const snapshot = JSON.stringify(configSnapshot(c));
  assert.ok(!snapshot.includes(fake.secretKey) && !snapshot.includes(fake.keyId), 'a key in the config snapshot');
  assert.match(snapshot, /"ALPACA_SECRET_KEY":"\*\*\*"/);
  // Without keys: refused naming them.
  assert.throws(() => alpacaCredentials(config({})), /ALPACA_KEY_ID and ALPACA_SECRET_KEY unset/);
  assert.throws(() => alpacaCredentials(config({ ORDINIS_ALPACA_KEY_ID: 'k' })), /ALPACA_SECRET_KEY unset/);
});

test('ALPACA_CREDENTIALS_FILE: the keys from an owner-only JSON file; one others may read is refused; not both ways at once', async (t) => {
  const fake = await FakeAlpacaServer.start();
  t.after(() => fake.close());
  const dir = tempDir(t, 'ordinis-keys-');
  const file = join(dir, 'alpaca.json');
  writeFileSync(file, JSON.stringify({ keyId: fake.keyId, secretKey: fake.secretKey }));
  chmodSync(file, 0o600);
  const env = { ORDINIS_ALPACA_CREDENTIALS_FILE: file, ORDINIS_ALPACA_TRADING_URL: fake.url };
  assert.equal((await (await createAlpacaBroker(config(env))).fetchAccount()).cash, 100_000);
  chmodSync(file, 0o644);
  assert.throws(() => alpacaCredentials(config(env)), (e) => isOrdinisError(e) && /ALPACA_CREDENTIALS_FILE .*other users may read it/.test(e.message));
  chmodSync(file, 0o600);
  assert.throws(() => alpacaCredentials(config({ ...env, ORDINIS_ALPACA_KEY_ID: 'x' })), /set either it or ALPACA_KEY_ID/);
  writeFileSync(file, JSON.stringify({ keyId: 'only-the-id' }));
  assert.throws(() => alpacaCredentials(config(env)), (e) => isOrdinisError(e) && /"secretKey" must be a non-empty string/.test(e.message) && !e.message.includes('only-the-id'));
});

test('ALPACA_STREAM_URL / ALPACA_FEED / ALPACA_DATA_URL: the feed streams from that URL on that feed and reads history from the data URL', async (t) => {
  const fake = await FakeAlpacaServer.start();
  t.after(() => fake.close());
  const bar = { symbol: 'AAPL', ts: T0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 };
  fake.publishBar(bar, { stream: false });
  const feed = await createAlpacaFeed(config(alpacaEnv(fake, { ORDINIS_ALPACA_FEED: 'sip' })), ['AAPL']);
  t.after(() => feed.stop());
  assert.equal(feed.name, 'alpaca.bars.1m.sip');
  await feed.start(() => undefined, () => undefined);
  assert.deepEqual(fake.streamPaths, ['/v2/sip']);
  assert.deepEqual(await feed.history!(T0), [bar]);
  assert.ok(fake.requests.includes('GET /v2/stocks/bars'));
});
