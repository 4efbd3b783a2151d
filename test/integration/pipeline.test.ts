// Spec acceptance (L2-08 §12): the full default pipeline with the in-memory bus and the
// paper broker. One complete cycle produces signals, risk decisions, orders, portfolio
// updates, an analytics report and audit records; with the kill switch engaged no order is
// submitted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { SeededRandom } from '../../src/core/random.ts';
import { InMemoryBus } from '../../src/bus/in-memory-bus.ts';
import { EnvelopeFactory } from '../../src/bus/event-factory.ts';
import type { EventEnvelope } from '../../src/bus/contract.ts';
import { loadConfig } from '../../src/config/load.ts';
import { MemoryAuditStore } from '../../src/governance/audit-chain.ts';
import { MemoryKillSwitchStore } from '../../src/kill-switch/contract.ts';
import { MemoryOrderStore } from '../../src/adapters/memory/memory-order-store.ts';
import { MemoryLedgerStore } from '../../src/adapters/memory/memory-ledger-store.ts';
import { ArrayBarSource } from '../../src/adapters/data/array-bar-source.ts';
import { createStrategyRegistry } from '../../src/stages/sig/registry.ts';
import { assemblePipeline } from '../../src/modes/assemble.ts';
import type { Bar } from '../../src/domain/market.ts';
import { OrdinisError } from '../../src/errors.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
// SMA(2) vs SMA(3): falling then rising closes give one up-cross on bar 5 (index 4).
const CLOSES = [10, 9, 8, 9, 11, 12, 13];
const bars: Bar[] = CLOSES.map((c, i) => ({ symbol: 'AAA', ts: T0 + i * DAY, open: c - 0.5, high: c + 1, low: c - 1, close: c, volume: 1000 }));

function build() {
  const config = loadConfig({ env: {}, overrides: { ORCH_MODE: 'paper' } }).config;
  const clock = new ManualClock(T0);
  const random = new SeededRandom(1);
  const bus = new InMemoryBus({ clock });
  const events = new EnvelopeFactory({ bus, clock, random: new SeededRandom(2), source: 'orch.engine', tags: { instrument_type: 'equity', venue: 'paper', jurisdiction: 'US', env: 'paper' } });
  const seen: EventEnvelope[] = [];
  bus.subscribe({ topic: 'ordinis.ops.*', name: 'test-ops' }, (e) => { seen.push(e); });
  const audit = new MemoryAuditStore();
  const orders = new MemoryOrderStore();
  const p = assemblePipeline({
    mode: 'backtest',
    config,
    source: new ArrayBarSource(bars),
    strategy: createStrategyRegistry().resolve('sma-cross', { fast: 2, slow: 3 }),
    sizing: { kind: 'fixed', qty: 5 },
    startingCash: 1000,
    commission: { kind: 'none' },
    stores: { orders, ledger: new MemoryLedgerStore(), audit, killSwitch: new MemoryKillSwitchStore() },
    clock,
    random,
    events,
    bus,
  });
  p.engine.start();
  return { ...p, clock, bus, seen, audit, orders };
}

async function runAll(p: ReturnType<typeof build>) {
  const results = [];
  for (const b of bars) {
    p.clock.set(b.ts);
    results.push(await p.engine.runCycle({ kind: 'backtest', at: b.ts }));
  }
  await p.bus.drain();
  return results;
}

test('one complete cycle produces signals, decisions, an order, then fill, portfolio, analytics and audit records', async () => {
  const p = build();
  const results = await runAll(p);
  assert.ok(results.every((r) => r.status === 'ok'), JSON.stringify(results.map((r) => r.status)));
  const decide = results[4]!;
  const out = (stage: string) => decide.stageResults.find((s) => s.stage === stage)!.output as Record<string, number>;
  assert.equal(out('SIG').signals, 1);
  assert.ok(out('RISK').allowed >= 1);
  assert.equal(out('EXEC').submitted, 1);
  // The order rests until the next bar and fills at its open.
  const [order] = p.orders.listAll();
  assert.equal(order!.status, 'filled');
  assert.equal(order!.lastReport!.fills[0]!.price, bars[5]!.open);
  assert.equal(order!.lastReport!.fills[0]!.ts, bars[5]!.ts);
  const book = p.stages.port.book();
  assert.equal(book.positions.get('AAA')!.qty, 5);
  assert.equal(book.cash, 1000 - 5 * bars[5]!.open);
  const ana = p.stages.ana.latest()!;
  assert.equal(ana.equity, book.cash + 5 * CLOSES[6]!);
  // Audit: the submission has its record with the policy version, and the chain verifies.
  const submits = p.audit.records.filter((r) => r.kind === 'exec.submit');
  assert.equal(submits.length, 1);
  assert.equal(submits[0]!.subjectRef, order!.intent.clientOrderId);
  assert.equal(submits[0]!.policyVersion, 'gov_v1');
  assert.equal(p.audit.verify().ok, true);
  // The bus carried the ops events with correlation ids.
  const started = p.seen.filter((e) => e.event_type === 'ordinis.ops.cycle.started');
  const completed = p.seen.filter((e) => e.event_type === 'ordinis.ops.cycle.completed');
  assert.equal(started.length, bars.length);
  assert.equal(completed.length, bars.length);
  assert.deepEqual(completed.map((e) => e.correlation_id), results.map((r) => r.correlationId));
});

test('with the kill switch engaged no order is submitted', async () => {
  const p = build();
  p.kill.activate('test halt', 'alice');
  const results = await runAll(p);
  assert.ok(results.every((r) => r.status === 'blocked'));
  assert.equal(p.orders.listAll().length, 0);
  assert.equal(p.venue!.fetchOpenOrders().length, 0);
  assert.equal(p.seen.filter((e) => e.event_type === 'ordinis.ops.kill.block').length, bars.length);
  // Bookkeeping still ran: the book was valued every bar.
  assert.equal(p.stages.ana.equityCurve().length, bars.length);
});

test('kill switch activated after the decision: the resting order is canceled, nothing fills, no new order is sent', async () => {
  const p = build();
  const results = [];
  for (const [i, b] of bars.entries()) {
    p.clock.set(b.ts);
    if (i === 5) p.kill.activate('halt after entry', 'alice');
    results.push(await p.engine.runCycle({ kind: 'backtest', at: b.ts }));
  }
  assert.equal(p.orders.listAll().length, 1);
  assert.equal(p.orders.listAll()[0]!.status, 'canceled');
  assert.equal(results[5]!.status, 'blocked');
  assert.equal(p.venue!.fetchPositions().size, 0, 'nothing traded through the kill switch');
  assert.equal(p.stages.port.book().cash, 1000);
});

test('a fill captured by EXEC survives a PORT failure: it is posted at the next cycle, once', async () => {
  const p = build();
  const port = p.stages.port;
  const realRun = port.run.bind(port);
  (port as { run: typeof port.run }).run = (ctx) => {
    if (ctx.cycleIndex === 5) {
      throw new OrdinisError('E_DB_UNAVAILABLE', 'disk hiccup');
    }
    return realRun(ctx);
  };
  const results = await runAll(p);
  assert.equal(results[5]!.status, 'failed');
  assert.ok(results.slice(6).every((r) => r.status === 'ok'), JSON.stringify(results.map((r) => r.status)));
  assert.equal(p.kill.isActive(), false, 'no invariant breach');
  const book = p.stages.port.book();
  assert.equal(book.positions.get('AAA')!.qty, 5);
  assert.equal(book.cash, 1000 - 5 * bars[5]!.open);
});
