// The durable paper path carries the new order types: a crash right after the venue took a
// resting limit, a stop-limit and a short sale (the answers never persisted on our side).
// Recovery resolves each by query, the intents keep their terms on file, the venue rebuilt
// from its SQLite record keeps working them (a stop-limit's trigger included), an
// idempotency key reused with other terms is refused, and the books stay sound: no order
// twice, no fill lost, the ledger replays to the venue's account with the short in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ManualClock } from '../../../src/core/clock.ts';
import { openDatabase } from '../../../src/persistence/database.ts';
import { SqlitePaperVenueStore } from '../../../src/persistence/sqlite-paper-venue-store.ts';
import { PaperBroker } from '../../../src/adapters/venue/paper-broker.ts';
import type { OrderIntent } from '../../../src/domain/order.ts';
import { OrdinisError } from '../../../src/errors.ts';
import { assertBooksSound, openPaper, readBooks, tempDir } from './paper-support.ts';

test('a crash after the venue took a limit, a stop-limit and a short sale: recovered by query, terms kept, worked on from the store, books sound', async (t) => {
  const path = join(tempDir(t), 'order-types.db');
  const first = await openPaper(t, path, { maxCycles: 25 });
  const s1 = await first.rt.run();
  first.db.close();

  const db = openDatabase({ path });
  const ts = Date.parse(s1.lastBarTime!);
  const store = SqlitePaperVenueStore.on(db);
  const state = store.load()!;
  const close = state.lastBars.find((b) => b.symbol === 'ORCL')!.close;
  const held = state.positions.find((p) => p.symbol === 'ORCL')?.qty ?? 0;
  const venue = new PaperBroker({ state, store, clock: new ManualClock(ts) });
  const intent = (id: string, side: 'buy' | 'sell', qty: number, terms: Partial<OrderIntent> = {}): OrderIntent => ({
    clientOrderId: id, idempotencyKey: `key-${id}`, correlationId: 'crashed-cycle', signalId: `sig-${id}`,
    symbol: 'ORCL', side, qty, orderType: 'market', timeInForce: 'gtc', ts, ...terms,
  });
  const limit = intent('ord-limit', 'buy', 3, { orderType: 'limit', limitPrice: close * 0.5 });
  const stopLimit = intent('ord-stop-limit', 'sell', 2, { orderType: 'stop_limit', stopPrice: close * 0.5, limitPrice: close * 0.49 });
  const short = intent('ord-short', 'sell', held + 7);
  for (const o of [limit, stopLimit, short]) {
    db.orders.insertIntent(o);
    assert.equal(venue.submit(o).status, 'submitted');
  }
  assert.throws(() => venue.submit({ ...limit, limitPrice: close * 0.6 }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_EXEC_IDEMPOTENCY_CONFLICT' && /limitPrice differs/.test(e.message));
  assert.equal(venue.submit(limit).orderId, venue.fetchOrder('ord-limit')!.orderId, 'the same intent again is the same order');
  db.close();

  const second = await openPaper(t, path, { maxCycles: 15 });
  const rec = second.rt.recovery;
  assert.equal(rec.ok, true, rec.reasons.join('; '));
  const byId = new Map(rec.pendingOrders.map((p) => [p.clientOrderId, p]));
  for (const id of ['ord-limit', 'ord-stop-limit', 'ord-short']) assert.equal(byId.get(id)?.outcome, 'answered', id);
  assert.deepEqual(second.db.orders.findByClientOrderId('ord-limit')!.intent, limit, 'the intent on file keeps its terms');
  await second.rt.run();
  second.db.close();

  const b = readBooks(path);
  assertBooksSound(b);
  const at = (id: string) => b.venueOrders.find((o) => o.intent.clientOrderId === id)!;
  assert.equal(at('ord-short').report.status, 'filled');
  assert.ok(b.venueFills.some((f) => f.clientOrderId === 'ord-short'), 'the short sale filled at the next open and was posted');
  assert.equal(at('ord-limit').resting, true, 'the limit far under the market still works');
  assert.deepEqual([at('ord-limit').intent.orderType, at('ord-limit').intent.limitPrice], ['limit', close * 0.5]);
  assert.equal(at('ord-stop-limit').resting, true);
  assert.deepEqual([at('ord-stop-limit').intent.stopPrice, at('ord-stop-limit').intent.limitPrice], [close * 0.5, close * 0.49]);
});

test('a crash after the venue took a bracket (entry, stop-loss, take-profit): recovered by query, the children work once the entry filled, one cancels the other, books sound', async (t) => {
  const path = join(tempDir(t), 'bracket.db');
  const first = await openPaper(t, path, { maxCycles: 25 });
  const s1 = await first.rt.run();
  first.db.close();

  const db = openDatabase({ path });
  const ts = Date.parse(s1.lastBarTime!);
  const store = SqlitePaperVenueStore.on(db);
  const state = store.load()!;
  const close = state.lastBars.find((b) => b.symbol === 'ORCL')!.close;
  const venue = new PaperBroker({ state, store, clock: new ManualClock(ts) });
  const intent = (id: string, side: 'buy' | 'sell', terms: Partial<OrderIntent> = {}): OrderIntent => ({
    clientOrderId: id, idempotencyKey: `key-${id}`, correlationId: 'crashed-cycle', signalId: `sig-${id}`,
    symbol: 'ORCL', side, qty: 4, orderType: 'market', timeInForce: 'gtc', ts, ...terms,
  });
  const bracket = [
    intent('ord-entry', 'buy'),
    intent('ord-sl', 'sell', { orderType: 'stop', stopPrice: close * 0.5, parentId: 'ord-entry' }),
    intent('ord-tp', 'sell', { orderType: 'limit', limitPrice: close * 1.01, parentId: 'ord-entry' }),
  ];
  for (const o of bracket) {
    db.orders.insertIntent(o);
    assert.equal(venue.submit(o).status, 'submitted');
  }
  assert.throws(() => venue.submit({ ...bracket[1]!, parentId: 'ord-other' }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_EXEC_IDEMPOTENCY_CONFLICT' && /parentId differs/.test(e.message));
  db.close();

  const second = await openPaper(t, path, { maxCycles: 40 });
  const rec = second.rt.recovery;
  assert.equal(rec.ok, true, rec.reasons.join('; '));
  const byId = new Map(rec.pendingOrders.map((p) => [p.clientOrderId, p]));
  for (const o of bracket) assert.equal(byId.get(o.clientOrderId)?.outcome, 'answered', o.clientOrderId);
  await second.rt.run();
  second.db.close();

  const b = readBooks(path);
  assertBooksSound(b);
  const at = (id: string) => b.venueOrders.find((o) => o.intent.clientOrderId === id)!;
  assert.equal(at('ord-entry').report.status, 'filled');
  assert.equal(at('ord-sl').intent.parentId, 'ord-entry', 'the venue record keeps the bracket');
  // The take-profit 1% above the close fills within 40 bars of ORCL here; the stop at half the price is canceled with it.
  assert.equal(at('ord-tp').report.status, 'filled');
  assert.equal(at('ord-sl').report.status, 'canceled');
  assert.match(at('ord-sl').report.rejectReason!, /^bracket ord-entry: ord-tp filled/);
  assert.ok(at('ord-tp').report.fills[0]!.ts > at('ord-entry').report.fills[0]!.ts, 'the take-profit filled on a later bar than its entry');
});
