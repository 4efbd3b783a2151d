// `ordinis live` as a real child process against the fake Alpaca on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, startCli } from '../modes/paper/cli-process.ts';
import { tempDir } from '../modes/paper/paper-support.ts';
import { FakeAlpacaServer } from '../support/fake-alpaca/fake-alpaca-server.ts';
import { LIVE_ARGS, liveEnv, runMarket } from '../modes/live/live-cli-support.ts';

test('live refuses unless LIVE_ENABLED is true, naming the key; and unless the prod invariants hold; nothing is opened', async (t) => {
  const db = join(tempDir(t), 'live.db');
  const off = await runCli(['live', '--broker', 'alpaca', '--symbols', 'AAPL', '--db', db]);
  assert.equal(off.code, 1, off.stderr);
  assert.match(off.stderr, /E_CFG_INVALID: LIVE_ENABLED is false/);
  const loose = await runCli(['live', '--broker', 'alpaca', '--symbols', 'AAPL', '--db', db], { ORDINIS_LIVE_ENABLED: 'true', ORDINIS_KILL_FAIL_SAFE: 'false' });
  assert.equal(loose.code, 1, loose.stderr);
  assert.match(loose.stderr, /E_CFG_INVALID: `ordinis live` needs the prod profile's invariants: prod.kill_fail_safe/);
  const noBroker = await runCli(['--profile', 'prod', 'live', '--symbols', 'AAPL', '--db', db], { ORDINIS_LIVE_ENABLED: 'true' });
  assert.match(noBroker.stderr, /E_CFG_INVALID: --broker: `ordinis live` needs the broker/);
  const unknown = await runCli(['--profile', 'prod', 'live', '--broker', 'nasdaq', '--symbols', 'AAPL', '--db', db], { ORDINIS_LIVE_ENABLED: 'true' });
  assert.match(unknown.stderr, /E_CFG_INVALID: --broker nasdaq: unknown venue; expected one of alpaca/);
  const noKeys = await runCli(['--profile', 'prod', 'live', '--broker', 'alpaca', '--symbols', 'AAPL', '--db', db], { ORDINIS_LIVE_ENABLED: 'true' });
  assert.equal(noKeys.code, 1);
  assert.match(noKeys.stderr, /E_CFG_INVALID: alpaca needs its keys: ALPACA_KEY_ID and ALPACA_SECRET_KEY unset/);
  assert.equal(existsSync(db), false, 'no database before the refusal');
});

test('a live run trades through the broker: orders by client order id, fills posted once, reconciled clean, the secret nowhere in the output', async (t) => {
  const fake = await FakeAlpacaServer.start({ cash: 100_000 });
  t.after(() => fake.close());
  const market = runMarket(fake);
  t.after(() => market.stop());
  const db = join(tempDir(t, 'ordinis-live-'), 'live.db');
  const run = startCli([...LIVE_ARGS, '--db', db, '--max-cycles', '30'], liveEnv(fake));
  const f = await run.done;
  market.stop();
  assert.equal(f.code, 0, f.stderr);
  const summary = JSON.parse(f.stdout.trim().split('\n').at(-1)!) as {
    status: string;
    venue: { cash: number; positions: Record<string, number>; orders: number; fills: number };
    ledger: { cash: number; positions: Record<string, number>; fills: number };
    killSwitch: { state: string };
    broker: { name: string; reconciliations: number };
    errors: string[];
  };
  assert.equal(summary.killSwitch.state, 'INACTIVE', JSON.stringify(summary.errors));
  assert.equal(summary.broker.name, 'alpaca');
  assert.ok(summary.broker.reconciliations >= 10, `reconciliations ${summary.broker.reconciliations}`);
  assert.ok(fake.book.orders.length >= 2, `orders at the broker: ${fake.book.orders.length}`);
  // Every order the broker holds is one of ours, once.
  assert.equal(new Set(fake.book.orders.map((o) => o.client_order_id)).size, fake.book.orders.length);
  assert.equal(summary.venue.orders, fake.book.orders.length);
  // The books agree with the broker's (what reconciliation checked every 2 cycles).
  const brokerPositions = Object.fromEntries([...fake.book.positions].map(([s, p]) => [s, p.qty]));
  assert.deepEqual(summary.venue.positions, brokerPositions);
  const fillsPosted = summary.ledger.fills;
  assert.ok(fillsPosted >= 1);
  assert.ok(fillsPosted <= fake.book.activities.length);
  assert.ok(!f.stdout.includes(fake.secretKey) && !f.stderr.includes(fake.secretKey), 'the secret key leaked into the output');
});

test('paper --feed alpaca: the simulated venue trades on Alpaca\'s live bars; no order reaches Alpaca', async (t) => {
  const fake = await FakeAlpacaServer.start({ cash: 100_000 });
  t.after(() => fake.close());
  const market = runMarket(fake);
  t.after(() => market.stop());
  const db = join(tempDir(t, 'ordinis-feed-'), 'paper.db');
  const env = liveEnv(fake);
  delete env.ORDINIS_LIVE_ENABLED;
  const f = await runCli(['paper', '--feed', 'alpaca', '--symbols', 'AAPL', '--strategy', 'close-sma', '--period', '2', '--qty', '5', '--json', '--max-cycles', '20', '--db', db], env);
  market.stop();
  assert.equal(f.code, 0, f.stderr);
  const s = JSON.parse(f.stdout.trim().split('\n').at(-1)!) as { source: string; ordersThisSession: number; venue: { orders: number }; broker?: unknown };
  assert.equal(s.source, 'live');
  assert.ok(s.ordersThisSession >= 1, 'the strategy traded on the streamed bars');
  assert.equal(s.broker, undefined);
  assert.equal(fake.book.orders.length, 0, 'paper never sends an order to Alpaca');
  assert.ok(fake.streamConnections >= 1);
  // Without --symbols the feed is refused before anything is opened.
  const noSymbols = await runCli(['paper', '--feed', 'alpaca', '--db', join(tempDir(t), 'x.db')], env);
  assert.match(noSymbols.stderr, /E_CFG_INVALID: --feed alpaca: name the symbols to trade with --symbols/);
});

test('a position changed at the broker behind the engine\'s back: reconciliation trips the kill switch, the summary says why, no order after it', async (t) => {
  const fake = await FakeAlpacaServer.start({ cash: 100_000 });
  t.after(() => fake.close());
  const market = runMarket(fake);
  t.after(() => market.stop());
  const db = join(tempDir(t, 'ordinis-live-'), 'live.db');
  const run = startCli([...LIVE_ARGS, '--db', db, '--max-cycles', '40'], liveEnv(fake));
  // Once the engine has traded, someone buys MSFT in the same account by hand.
  let ordersAtChange = -1;
  const watch = setInterval(() => {
    if (ordersAtChange < 0 && fake.book.orders.length >= 1) {
      ordersAtChange = fake.book.orders.length;
      fake.book.setPosition('MSFT', 3, 400);
    }
  }, 20);
  const f = await run.done;
  clearInterval(watch);
  market.stop();
  assert.equal(f.code, 0, f.stderr);
  const s = JSON.parse(f.stdout.trim().split('\n').at(-1)!) as { killSwitch: { state: string; reason: string | null }; errors: string[] };
  assert.equal(s.killSwitch.state, 'ACTIVE');
  assert.match(s.killSwitch.reason ?? '', /^reconciliation: the books differ from the broker's: MSFT: ledger 0 shares, broker 3/);
  assert.ok(s.errors.some((e) => /reconciliation after .*MSFT.*kill switch activated/.test(e)));
  // Only the cycles before the next reconciliation (LIVE_RECONCILE_EVERY=2) could send an order
  // after the change; none once the switch was on, though the run went on to its 40 cycles.
  assert.ok(fake.book.orders.length <= ordersAtChange + 2, `${fake.book.orders.length} orders, ${ordersAtChange} at the change`);
});
