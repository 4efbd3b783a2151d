// The ccxt adapter's pure parts on known inputs: an intent into createOrder's arguments, a
// venue's status into ours, fees into the quote currency, Retry-After into a delay, and the
// origin swap that points every REST url of an exchange elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Trade } from 'ccxt';
import { feeInQuote, orderRequestOf, statusOf } from '../../../../src/adapters/venue/ccxt/ccxt-order-map.ts';
import { retryAfterMs } from '../../../../src/adapters/venue/ccxt/ccxt-errors.ts';
import { rebaseUrls } from '../../../../src/adapters/venue/ccxt/ccxt-exchange.ts';
import type { OrderIntent } from '../../../../src/domain/order.ts';

const base: OrderIntent = { clientOrderId: 'ord-1', idempotencyKey: 'k', correlationId: 'c', signalId: 's', symbol: 'BTC/USDT', side: 'sell', qty: 0.25, orderType: 'market', timeInForce: 'gtc', ts: 0 };

test('orderRequestOf: market and limit (gtc, ioc) with the client order id; other types and day orders refused with why', () => {
  assert.deepEqual(orderRequestOf(base), { ok: true, request: { symbol: 'BTC/USDT', type: 'market', side: 'sell', amount: 0.25, price: undefined, params: { clientOrderId: 'ord-1' } } });
  assert.deepEqual(orderRequestOf({ ...base, orderType: 'limit', limitPrice: 60_000, timeInForce: 'ioc' }), {
    ok: true,
    request: { symbol: 'BTC/USDT', type: 'limit', side: 'sell', amount: 0.25, price: 60_000, params: { clientOrderId: 'ord-1', timeInForce: 'IOC' } },
  });
  assert.deepEqual(orderRequestOf({ ...base, orderType: 'stop_limit', stopPrice: 1, limitPrice: 1 }), { ok: false, reason: 'order type stop_limit is not supported by the ccxt adapter (market and limit only)' });
  assert.equal(orderRequestOf({ ...base, orderType: 'stop_trail', trailPercent: 0.1 }).ok, false);
  assert.deepEqual(orderRequestOf({ ...base, timeInForce: 'day' }), { ok: false, reason: 'time in force day is not supported by the ccxt adapter (gtc or ioc)' });
  assert.deepEqual(orderRequestOf({ ...base, orderType: 'limit' }), { ok: false, reason: 'a limit order needs a limit price > 0' });
});

test('statusOf: open is submitted or partly filled; closed filled; canceled and expired canceled; rejected rejected', () => {
  assert.equal(statusOf('open', 0), 'submitted');
  assert.equal(statusOf('open', 0.1), 'partial_fill');
  assert.equal(statusOf(undefined, 0), 'submitted');
  assert.equal(statusOf('closed', 1), 'filled');
  assert.equal(statusOf('canceled', 0.4), 'canceled');
  assert.equal(statusOf('expired', 0), 'canceled');
  assert.equal(statusOf('rejected', 0), 'rejected');
});

test('feeInQuote: a quote fee as is, a base fee at the trade price, none as 0', () => {
  const trade = (fee: Trade['fee']): Trade => ({ price: 50_000, amount: 0.1, fee }) as Trade;
  assert.equal(feeInQuote(trade({ cost: 5, currency: 'USDT' }), 'USDT'), 5);
  assert.equal(feeInQuote(trade({ cost: 0.0001, currency: 'BTC' }), 'USDT'), 5);
  assert.equal(feeInQuote(trade(undefined), 'USDT'), 0);
});

test('retryAfterMs: delay-seconds, an HTTP date against the clock, absent or unreadable as undefined', () => {
  const now = Date.UTC(2026, 0, 5, 10, 0, 0);
  assert.equal(retryAfterMs({ 'Retry-After': '7' }, now), 7000);
  assert.equal(retryAfterMs({ 'retry-after': 'Mon, 05 Jan 2026 10:00:30 GMT' }, now), 30_000);
  assert.equal(retryAfterMs({ 'retry-after': 'Mon, 05 Jan 2026 09:00:00 GMT' }, now), 0);
  assert.equal(retryAfterMs({ 'retry-after': 'soon' }, now), undefined);
  assert.equal(retryAfterMs({}, now), undefined);
  assert.equal(retryAfterMs(undefined, now), undefined);
});

test('rebaseUrls: every absolute url gets the new origin (and base path), its own path and query kept; other values untouched', () => {
  const urls = { public: 'https://api.binance.com/api/v3', sapi: 'https://api.binance.com/sapi/v1?x=1', nested: { v1: 'https://testnet.binance.vision/api/v1' }, logo: 'not a url', n: 3 };
  assert.deepEqual(rebaseUrls(urls, 'http://127.0.0.1:4000'), {
    public: 'http://127.0.0.1:4000/api/v3',
    sapi: 'http://127.0.0.1:4000/sapi/v1?x=1',
    nested: { v1: 'http://127.0.0.1:4000/api/v1' },
    logo: 'not a url',
    n: 3,
  });
  assert.equal(rebaseUrls('https://api.kraken.com/0', 'https://proxy.example/kraken/').toString(), 'https://proxy.example/kraken/0');
});
