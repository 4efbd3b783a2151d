import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecutionReport, Fill } from '../../../src/domain/order.ts';
import type { AccountView, PortfolioSnapshot } from '../../../src/domain/portfolio.ts';
import { OrdinisError } from '../../../src/errors.ts';
import type { StageOutputs } from '../../../src/kernel/stage-contract.ts';
import { MemoryLedgerStore } from '../../../src/adapters/memory/memory-ledger-store.ts';
import { PortfolioStage, type PortfolioStageOptions } from '../../../src/stages/port/portfolio-stage.ts';
import { replayLedger } from '../../../src/stages/port/ledger.ts';
import { DAY, T0, bar, makeCtx } from '../exec/support.ts';

let seq = 0;
function filled(symbol: string, side: 'buy' | 'sell', qty: number, price: number, commission = 0, ts = T0): ExecutionReport {
  seq += 1;
  const f: Fill = { fillId: `f${seq}`, clientOrderId: `c${seq}`, symbol, side, qty, price, commission, ts };
  return { orderId: `b${seq}`, clientOrderId: f.clientOrderId, symbol, side, status: 'filled', qty, filledQty: qty, fills: [f], avgPrice: price, fees: commission, slippage: 0, ts };
}

function exec(resolved: ExecutionReport[]): StageOutputs['EXEC'] {
  return { submitted: [], resolved, working: [], riskRejected: [], refused: [], recovered: [] };
}

function runPort(stage: PortfolioStage, ts: number, resolved: ExecutionReport[] | undefined, closes: Record<string, number>, correlationId = `c-${ts}`): PortfolioSnapshot {
  const bars = Object.entries(closes).map(([s, c]) => bar(s, ts, c, c));
  return stage.run(
    makeCtx({ stage: 'PORT', cycleTime: ts, correlationId, data: { ING: { asOf: ts, bars }, ...(resolved ? { EXEC: exec(resolved) } : {}) } }),
  ) as PortfolioSnapshot;
}

function make(opts: Partial<PortfolioStageOptions> = {}) {
  const store = new MemoryLedgerStore();
  const breaches: OrdinisError[] = [];
  const stage = new PortfolioStage({ ledgerStore: store, startingCash: 10000, onInvariantBreach: (e) => breaches.push(e), ...opts });
  return { store, stage, breaches };
}

test('the first run posts the opening cash; fills are posted and positions marked at the close', () => {
  const { store, stage } = make();
  const s0 = runPort(stage, T0, [], { X: 10 });
  assert.deepEqual([s0.cash, s0.equity, s0.positions.length], [10000, 10000, 0]);
  const buy = filled('X', 'buy', 10, 11, 1, T0 + DAY);
  const s1 = runPort(stage, T0 + DAY, [buy], { X: 12 });
  assert.equal(s1.postedFills, 1);
  assert.equal(s1.cash, 10000 - 110 - 1);
  assert.equal(s1.equity, 10000 - 111 + 120);
  assert.deepEqual(s1.positions, [{ symbol: 'X', qty: 10, avgCost: 11, mark: 12, realizedPnl: 0 }]);
  assert.equal(s1.fees, 1);
  assert.equal(s1.unrealizedPnl, 10);
  assert.ok(Math.abs(s1.exposure - 120 / s1.equity) < 1e-12);
  assert.deepEqual(store.loadPositions(), [{ symbol: 'X', qty: 10, avgCost: 11, mark: 11, realizedPnl: 0 }], 'stored marked at the fill');
  assert.equal(store.loadEntries()[0].memo, 'opening cash');
});

test('duplicate fills (a retried cycle, a re-sent report) are posted once', () => {
  const { store, stage } = make();
  const buy = filled('X', 'buy', 10, 11);
  runPort(stage, T0, [buy], { X: 11 });
  const again = runPort(stage, T0, [buy, buy], { X: 11 });
  assert.equal(again.postedFills, 0);
  assert.equal(again.positions[0].qty, 10);
  assert.equal(store.loadEntries().filter((e) => e.kind === 'position').length, 1);
});

test('a symbol without a bar this cycle keeps its last close as its mark', () => {
  const { stage } = make();
  runPort(stage, T0, [filled('X', 'buy', 10, 10), filled('Y', 'buy', 10, 20)], { X: 10, Y: 20 });
  const s = runPort(stage, T0 + DAY, [], { X: 15 });
  assert.deepEqual(s.positions.map((p) => [p.symbol, p.mark]), [['X', 15], ['Y', 20]]);
  assert.equal(s.equity, 10000 - 300 + 150 + 200);
});

test('a mismatch with the broker breaches the invariants: kill-switch callback, then E_LEDG_INVARIANT_BREACH', () => {
  let broker: AccountView = { cash: 10000, positions: new Map() };
  const { stage, breaches } = make({ account: () => broker });
  runPort(stage, T0, [], { X: 10 });
  broker = { cash: 9890, positions: new Map([['X', 10]]) }; // the broker filled an order we never saw
  assert.throws(
    () => runPort(stage, T0 + DAY, [], { X: 10 }),
    (e: unknown) => e instanceof OrdinisError && e.code === 'E_LEDG_INVARIANT_BREACH' && /broker cash/.test(e.message) && /broker position 10/.test(e.message),
  );
  assert.equal(breaches.length, 1);
  assert.equal(breaches[0].code, 'E_LEDG_INVARIANT_BREACH');
});

test('without an EXEC batch this cycle the broker is not reconciled (fills may sit uncaptured)', () => {
  const broker: AccountView = { cash: 1, positions: new Map() };
  const { stage, breaches } = make({ account: () => broker });
  runPort(stage, T0, undefined, { X: 10 });
  assert.equal(breaches.length, 0);
});

test('negative cash without margin, and unpostable fills, are breaches', () => {
  const a = make();
  assert.throws(() => runPort(a.stage, T0, [filled('X', 'buy', 100, 101)], { X: 101 }), /negative cash/);
  assert.equal(a.breaches.length, 1);
  const b = make({ allowNegativeCash: true });
  assert.equal(runPort(b.stage, T0, [filled('X', 'buy', 100, 101)], { X: 101 }).cash, 10000 - 10100);
  const c = make();
  assert.throws(() => runPort(c.stage, T0, [filled('X', 'buy', 1, Number.NaN)], { X: 1 }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_LEDG_INVARIANT_BREACH');
  assert.equal(c.breaches.length, 1);
});

test('a restarted PORT rebuilds its book from the stored ledger; a replay check matches the live book', () => {
  const { store, stage } = make({ replayCheckEvery: 1 });
  runPort(stage, T0, [filled('X', 'buy', 10, 10, 0.5), filled('Y', 'buy', 5, 50, 0.5)], { X: 10, Y: 50 });
  const live = runPort(stage, T0 + DAY, [filled('X', 'sell', 4, 12, 0.5)], { X: 12, Y: 49 });
  const restarted = new PortfolioStage({ ledgerStore: store, startingCash: 999 /* ignored: the ledger has its opening cash */ });
  const after = runPort(restarted, T0 + 2 * DAY, [], { X: 12, Y: 49 });
  assert.equal(after.cash, live.cash);
  assert.equal(after.equity, live.equity);
  assert.deepEqual(after.positions, live.positions);
  assert.equal(after.fees, live.fees);
  const book = replayLedger(store.loadEntries());
  assert.equal(book.cash, live.cash);
});

test('a stored position that disagrees with the replayed ledger is a breach at start-up', () => {
  const { store, stage } = make();
  runPort(stage, T0, [filled('X', 'buy', 10, 10)], { X: 10 });
  const tampered = store.loadPositions()[0];
  // Simulate a lost position update: commit a bogus fill with no entries.
  store.commitFill({ fillId: 'ghost', clientOrderId: 'g', symbol: 'X', side: 'buy', qty: 1, price: 1, commission: 0, ts: T0 }, [], { ...tampered, qty: 11 });
  const breaches: OrdinisError[] = [];
  const restarted = new PortfolioStage({ ledgerStore: store, onInvariantBreach: (e) => breaches.push(e) });
  assert.throws(() => runPort(restarted, T0 + DAY, [], { X: 10 }), /stored position 11 != replayed ledger 10/);
  assert.equal(breaches.length, 1);
});

test('mark-to-market entries are optional', () => {
  const { store, stage } = make({ persistMarks: true });
  runPort(stage, T0, [filled('X', 'buy', 10, 10)], { X: 12 });
  const mtm = store.loadEntries().filter((e) => e.kind === 'mtm');
  assert.deepEqual(mtm.map((e) => [e.symbol, e.amount, e.price]), [['X', 20, 12]]);
  const plain = make();
  runPort(plain.stage, T0, [filled('X', 'buy', 10, 10)], { X: 12 });
  assert.equal(plain.store.loadEntries().filter((e) => e.kind === 'mtm').length, 0);
});
