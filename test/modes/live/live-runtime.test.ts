// The paper runtime with a live broker (its `live` option), in process: the fake Alpaca's
// broker and stream, cycles on a short interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../../src/persistence/database.ts';
import { PaperRuntime } from '../../../src/modes/paper/paper-runtime.ts';
import { liveVenueOf } from '../../../src/modes/live/live-settings.ts';
import { AlpacaBroker } from '../../../src/adapters/venue/alpaca/alpaca-broker.ts';
import { AlpacaBarFeed } from '../../../src/adapters/venue/alpaca/alpaca-bar-feed.ts';
import { FakeAlpacaServer } from '../../support/fake-alpaca/fake-alpaca-server.ts';
import { tempDir, testConfig } from '../paper/paper-support.ts';
import { runMarket } from './live-cli-support.ts';

test('a live runtime: orders at the broker, its fills on GET /book\'s list and in the ledger, the summary\'s venue is the broker account', async (t) => {
  const fake = await FakeAlpacaServer.start({ cash: 100_000 });
  t.after(() => fake.close());
  const market = runMarket(fake, 60);
  t.after(() => market.stop());
  const db = openDatabase({ path: join(tempDir(t, 'ordinis-live-'), 'live.db') });
  t.after(() => db.close());
  const config = testConfig({ ING_MAX_STALENESS_MS: 60_000, LIVE_RECONCILE_EVERY: 3, ORCH_PROFILE: 'prod' });
  const credentials = { keyId: fake.keyId, secretKey: fake.secretKey };
  const broker = new AlpacaBroker({ tradingUrl: fake.url, credentials, timeoutMs: 2000 });
  const feed = new AlpacaBarFeed({ symbols: ['AAPL'], credentials, streamUrl: fake.streamUrl, dataUrl: fake.url, historyMs: 60_000 });
  const rt = await PaperRuntime.open({
    config,
    db,
    data: { kind: 'live', feed, cadence: { kind: 'interval', ms: 50 } },
    strategy: 'close-sma',
    strategyParams: { period: 2 },
    sizing: { kind: 'fixed', qty: 5 },
    cash: 100_000,
    commission: { kind: 'none' },
    maxCycles: 40,
    live: liveVenueOf('alpaca', broker, config),
  });
  t.after(() => rt.close());
  assert.equal(rt.recovery.ok, true, rt.recovery.reasons.join('; '));
  const summary = await rt.run();
  market.stop();
  assert.equal(summary.killSwitch.state, 'INACTIVE', summary.errors.join('\n'));
  assert.ok(fake.book.orders.length >= 1);
  assert.equal(summary.broker?.name, 'alpaca');
  assert.ok((summary.broker?.reconciliations ?? 0) >= 10);
  assert.equal(summary.venue.cash, fake.book.cash);
  assert.deepEqual(summary.venue.positions, Object.fromEntries([...fake.book.positions].map(([s, p]) => [s, p.qty])));
  // The ledger holds the broker's fills it was told about, each once; /book lists them newest first.
  const fillIds = db.orders.listAll().flatMap((o) => o.lastReport?.fills ?? []).map((f) => f.fillId);
  assert.equal(new Set(fillIds).size, fillIds.length);
  assert.ok(fillIds.every((id) => fake.book.activities.some((a) => a.id === id)));
  const book = rt.bookReport(100);
  assert.ok(book, 'the book was valued');
  assert.ok(fillIds.length >= 1);
  assert.deepEqual(book.recentFills.map((f) => f.fillId).sort(), [...fillIds].sort());
});
