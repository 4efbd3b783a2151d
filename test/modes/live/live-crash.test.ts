// The crash suite against the fake Alpaca: `ordinis live` is SIGKILLed between Alpaca taking
// an order and its answer (the fake kills the client from inside the request, after its book
// took the order), then started again with the same command. Recovery must resolve the order
// by its client order id (never resend it), post every fill exactly once, and the books must
// reconcile with the broker's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startCli } from '../paper/cli-process.ts';
import { tempDir } from '../paper/paper-support.ts';
import { FakeAlpacaServer } from '../../support/fake-alpaca/fake-alpaca-server.ts';
import { LIVE_ARGS, liveEnv, runMarket } from './live-cli-support.ts';

interface Summary {
  status: string;
  recovery: { ok: boolean; pendingOrders: number; postedFills: number };
  venue: { positions: Record<string, number>; orders: number; fills: number };
  ledger: { cash: number; positions: Record<string, number>; fills: number };
  killSwitch: { state: string; reason: string | null };
  broker: { reconciliations: number };
  errors: string[];
}

const summaryOf = (stdout: string): Summary => JSON.parse(stdout.trim().split('\n').at(-1)!) as Summary;

test('SIGKILL between submit and answer, restart: the order is found by its client order id, never resent; no fill lost or doubled (partial fills too); reconciliation clean', async (t) => {
  // Orders of 5 fill 3 then 2, over two bars: fills also land across the restart.
  const fake = await FakeAlpacaServer.start({ cash: 100_000, maxFillQty: 3 });
  t.after(() => fake.close());
  const market = runMarket(fake);
  t.after(() => market.stop());
  const db = join(tempDir(t, 'ordinis-live-crash-'), 'live.db');
  const env = liveEnv(fake);

  // 1. The first order reaches the book; the process dies before the answer.
  const first = startCli([...LIVE_ARGS, '--db', db, '--max-cycles', '200'], env);
  let killedOrder: string | undefined;
  fake.failNext({ method: 'POST', path: '/v2/orders' }, {
    kind: 'after_apply',
    run: () => {
      killedOrder = fake.book.orders.at(-1)?.client_order_id;
      first.child.kill('SIGKILL');
    },
  });
  const crashed = await first.done;
  assert.equal(crashed.signal, 'SIGKILL', crashed.stderr);
  assert.ok(killedOrder, 'the broker took an order before the kill');
  assert.equal(fake.book.orders.length, 1);

  // 2. The same command again: recovery asks Alpaca for the order, trading goes on.
  const second = startCli([...LIVE_ARGS, '--db', db, '--max-cycles', '20'], env);
  const resumed = await second.done;
  assert.equal(resumed.code, 0, resumed.stderr);
  const s2 = summaryOf(resumed.stdout);
  assert.equal(s2.recovery.ok, true);
  assert.ok(s2.recovery.pendingOrders >= 1, 'recovery found the unanswered order');
  assert.equal(s2.killSwitch.state, 'INACTIVE', `${s2.killSwitch.reason} ${JSON.stringify(s2.errors)}`);
  assert.ok(s2.broker.reconciliations >= 5);

  // Never resent: one POST per order the broker holds (a resend would show as a refused duplicate).
  const posts = fake.requests.filter((r) => r === 'POST /v2/orders').length;
  assert.equal(posts, fake.book.orders.length);
  assert.equal(fake.book.orders.filter((o) => o.client_order_id === killedOrder).length, 1);
  assert.ok(fake.book.orders.length >= 2, 'trading went on after the restart');

  // 3. The market stops; a last start's recovery posts what filled meanwhile. Then the ledger
  // holds exactly the broker's fills, once each, and the broker's position.
  market.stop();
  const third = startCli([...LIVE_ARGS, '--db', db, '--max-cycles', '1'], env);
  const last = await third.done;
  assert.equal(last.code, 0, last.stderr);
  const s3 = summaryOf(last.stdout);
  assert.equal(s3.recovery.ok, true);
  assert.equal(s3.ledger.fills, fake.book.activities.length, 'every broker fill posted once');
  assert.ok(fake.book.activities.some((a) => a.type === 'partial_fill'), 'the run had partial fills');
  const brokerPositions = Object.fromEntries([...fake.book.positions].map(([sym, p]) => [sym, p.qty]));
  assert.deepEqual(s3.ledger.positions, brokerPositions);
  assert.ok(Math.abs(s3.ledger.cash - fake.book.cash) < 1e-6, `ledger cash ${s3.ledger.cash}, broker ${fake.book.cash}`);
  assert.equal(s3.killSwitch.state, 'INACTIVE');
});
