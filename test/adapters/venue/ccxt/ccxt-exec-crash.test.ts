// EXEC with the ccxt adapter and its orders in SQLite, against the fake Binance venue: an
// answer lost in the cycle, and a process SIGKILLed between the venue taking the order and
// its answer. Either way the order is found by its client order id, never sent twice, and its
// fill reaches the book once.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCcxtVenue, type CcxtVenue } from '../../../support/fake-exchange/ccxt-venue.ts';
import { CYCLE_ID, DECISION, startExecProcess } from '../../../support/fake-exchange/ccxt-exec-cycle.ts';
import type { RiskDecision } from '../../../../src/domain/risk.ts';
import { openDatabase } from '../../../../src/persistence/database.ts';

const CHILD = fileURLToPath(new URL('../../../support/fake-exchange/ccxt-exec-child.ts', import.meta.url));

async function setUp(t: TestContext): Promise<{ v: CcxtVenue; dbPath: string }> {
  const v = await startCcxtVenue();
  t.after(() => v.close());
  v.fake.book.setLiquidity('BTCUSDT', { asks: [{ price: 50_000, qty: 3 }] });
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-ccxt-exec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return { v, dbPath: join(dir, 'ordinis.db') };
}

test('EXEC through the ccxt adapter: an answer lost in the cycle is found by client order id, one order, filled on file', async (t) => {
  const { v, dbPath } = await setUp(t);
  const p = await startExecProcess(dbPath, v.url);
  t.after(() => p.db.close());
  v.fake.inject({ method: 'POST', path: 'order', fault: { kind: 'lose-answer' } });
  const out = await p.run();
  assert.equal(out.submitted.length, 1);
  const { intent, report } = out.submitted[0]!;
  assert.equal(report.status, 'filled');
  assert.deepEqual(report.fills.map((f) => [f.fillId, f.qty, f.price]), [['binance:5000', 0.5, 50_000]]);
  assert.equal(p.db.orders.findByClientOrderId(intent.clientOrderId)?.status, 'filled');
  assert.equal(v.fake.count('POST', 'order'), 1);
  assert.equal(v.fake.book.orderCount(intent.clientOrderId), 1);
});

test('SIGKILL between the venue taking the order and its answer: the restart finds it, sends nothing, the fill is handed over once', async (t) => {
  const { v, dbPath } = await setUp(t);
  v.fake.inject({ method: 'POST', path: 'order', fault: { kind: 'hold-after' } });
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath, v.url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  // Wait until the venue holds the order (its answer is held): that is the moment to die.
  while (v.fake.book.orderCount() === 0) {
    assert.ok(!gone, `the child exited before its order reached the venue: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await exited;
  assert.equal(child.signalCode, 'SIGKILL');

  // What the crash left: the intent on file with no answer, the order filled at the venue.
  const before = openDatabase({ path: dbPath });
  const onFile = before.orders.listAll();
  before.close();
  assert.equal(onFile.length, 1);
  assert.equal(onFile[0]!.status, 'pending');
  const cid = onFile[0]!.intent.clientOrderId;
  assert.equal(v.fake.book.find('BTCUSDT', { clientOrderId: cid })?.status, 'FILLED');

  const p = await startExecProcess(dbPath, v.url);
  t.after(() => p.db.close());
  const again = await p.run(CYCLE_ID);
  assert.equal(v.fake.count('POST', 'order'), 1, 'the order was not sent again');
  assert.equal(v.fake.book.orderCount(cid), 1);
  assert.equal(again.submitted.length, 1);
  assert.equal(again.submitted[0]!.report.status, 'filled');
  assert.deepEqual(again.submitted[0]!.report.fills.map((f) => f.fillId), ['binance:5000']);
  assert.equal(p.db.orders.findByClientOrderId(cid)?.status, 'filled');

  const next = await p.run('c-ccxt-crash-2', []);
  assert.deepEqual(next.resolved, [], 'a final order is not handed over again');
  assert.deepEqual(next.submitted, []);
  assert.equal(v.fake.count('POST', 'order'), 1);
});

test('fills that arrive while the process is down: the restarted EXEC captures them by client order id, each fill once, the first keeping its id', async (t) => {
  const { v, dbPath } = await setUp(t);
  v.fake.book.setLiquidity('BTCUSDT', { asks: [{ price: 49_000, qty: 0.2 }] });
  const limit: RiskDecision = { ...DECISION, signalId: 'sig-btc-limit', order: { side: 'buy', qty: 1, referencePrice: 50_000, terms: { orderType: 'limit', limitPrice: 49_500, timeInForce: 'gtc' } } };
  const first = await startExecProcess(dbPath, v.url);
  const out = await first.run('c-limit-1', [limit]);
  const { intent, report } = out.submitted[0]!;
  assert.equal(report.status, 'partial_fill');
  assert.deepEqual(report.fills.map((f) => f.fillId), ['binance:5000']);
  first.db.close();

  // Down: the rest of the order fills in two parts at the venue.
  v.fake.book.takeResting('BTCUSDT', 'SELL', 49_500, 0.3);
  v.fake.book.takeResting('BTCUSDT', 'SELL', 49_400, 0.5);

  const second = await startExecProcess(dbPath, v.url);
  t.after(() => second.db.close());
  const next = await second.run('c-limit-2', []);
  assert.equal(v.fake.count('POST', 'order'), 1);
  const captured = next.resolved.find((r) => r.clientOrderId === intent.clientOrderId);
  assert.equal(captured?.status, 'filled');
  assert.deepEqual(captured?.fills.map((f) => [f.fillId, f.qty, f.price]), [['binance:5000', 0.2, 49_000], ['binance:5001', 0.3, 49_500], ['binance:5002', 0.5, 49_500]]);
  assert.equal(second.db.orders.findByClientOrderId(intent.clientOrderId)?.status, 'filled');
  const after = await second.run('c-limit-3', []);
  assert.deepEqual(after.resolved, [], 'a filled order is captured once');
});
