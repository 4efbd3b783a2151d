import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Fill } from '../../../src/domain/order.ts';
import type { LedgerEntry } from '../../../src/stages/port/ledger-store.ts';
import { FLAT, nextPosition, type BookPosition } from '../../../src/domain/average-cost.ts';
import { openingCashEntry, portfolioValue, postFill, replayLedger } from '../../../src/stages/port/ledger.ts';
import { T0 } from '../exec/support.ts';

let seq = 0;
function fill(side: 'buy' | 'sell', qty: number, price: number, commission = 0, symbol = 'X'): Fill {
  seq += 1;
  return { fillId: `f${seq}`, clientOrderId: `c${seq}`, symbol, side, qty, price, commission, ts: T0 + seq };
}

test('average cost: buys average in, partial sells realize against the average, a full close resets', () => {
  let cash = 10000;
  let pos: BookPosition = FLAT;
  const step = (f: Fill) => {
    const p = postFill(cash, pos, f, 'c');
    cash = p.cash;
    pos = p.position;
    return p;
  };
  step(fill('buy', 10, 100, 1));
  assert.deepEqual(pos, { qty: 10, avgCost: 100, realizedPnl: 0 });
  assert.equal(cash, 10000 - 1000 - 1);
  step(fill('buy', 30, 120, 1));
  assert.equal(pos.avgCost, (100 * 10 + 30 * 120) / 40); // 115
  const partial = step(fill('sell', 15, 130, 1));
  assert.equal(partial.realized, 15 * (130 - 115));
  assert.deepEqual(pos, { qty: 25, avgCost: 115, realizedPnl: 225 });
  const close = step(fill('sell', 25, 105, 1));
  assert.equal(close.realized, 25 * (105 - 115));
  assert.deepEqual(pos, { qty: 0, avgCost: 0, realizedPnl: 225 - 250 });
  // cash: -1000 -1 -3600 -1 +1950 -1 +2625 -1
  assert.ok(Math.abs(cash - (10000 - 1000 - 3600 + 1950 + 2625 - 4)) < 1e-9);
});

test('a fill posts cash, fee, position and realized-PnL entries', () => {
  const f = fill('sell', 4, 12, 0.5);
  const p = postFill(1000, { qty: 10, avgCost: 10, realizedPnl: 0 }, f, 'corr');
  assert.deepEqual(
    p.entries.map((e) => [e.kind, e.amount, e.memo]),
    [
      ['cash', 4 * 10 + 4 * (12 - 10), 'sell 4 closing'],
      ['cash', -0.5, 'commission'],
      ['fee', 0.5, 'commission'],
      ['position', -4, 'sell 4 @ 12'],
      ['pnl_realized', 8, 'average cost'],
    ],
  );
  for (const e of p.entries) {
    assert.equal(e.fillId, f.fillId);
    assert.equal(e.correlationId, 'corr');
    assert.equal(e.symbol, 'X');
    assert.equal(e.price, 12);
  }
  assert.equal(p.cash, 1000 + 48 - 0.5);
});

test('a fill through zero closes the old side and opens the new one at the fill price', () => {
  const r = nextPosition({ qty: 5, avgCost: 10, realizedPnl: 0 }, -8, 12);
  assert.deepEqual(r, { position: { qty: -3, avgCost: 12, realizedPnl: 10 }, realized: 10 });
  const cover = nextPosition({ qty: -3, avgCost: 12, realizedPnl: 10 }, 3, 11);
  assert.deepEqual(cover, { position: { qty: 0, avgCost: 0, realizedPnl: 13 }, realized: 3 });
});

test('portfolio value is cash + Σ qty × mark (backtrader operation order)', () => {
  const v = portfolioValue(1000, [
    { qty: 10, avgCost: 2.518518, mark: 2.814815 },
    { qty: 0, avgCost: 0, mark: 5 },
  ]);
  assert.ok(Math.abs(v - (1000 + 28.14815)) < 1e-9);
  assert.equal(portfolioValue(1000, []), 1000);
});

const fillArb = fc.record({
  symbol: fc.constantFrom('A', 'B', 'C'),
  side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
  qty: fc.integer({ min: 1, max: 500 }),
  price: fc.double({ min: 0.01, max: 5000, noNaN: true, noDefaultInfinity: true }),
  commission: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 20, noNaN: true, noDefaultInfinity: true })),
});

test('property: replaying the ledger entries rebuilds exactly the live book', () => {
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1e7, noNaN: true, noDefaultInfinity: true }), fc.array(fillArb, { maxLength: 60 }), (start, fills) => {
      const entries: LedgerEntry[] = [openingCashEntry(start, T0, 'open')];
      let cash = start;
      const live = new Map<string, BookPosition>();
      let fees = 0;
      fills.forEach((f, i) => {
        const p = postFill(cash, live.get(f.symbol) ?? FLAT, { ...f, fillId: `f${i}`, clientOrderId: `c${i}`, ts: T0 + i }, 'corr');
        entries.push(...p.entries);
        cash = p.cash;
        live.set(f.symbol, p.position);
        fees += f.commission;
      });
      const book = replayLedger(entries);
      assert.equal(book.cash, cash, 'cash replays bit for bit');
      for (const [s, p] of live) {
        const r = book.positions.get(s) ?? FLAT;
        assert.equal(r.qty, p.qty);
        assert.equal(r.avgCost, p.avgCost);
        assert.ok(Math.abs(r.realizedPnl - p.realizedPnl) <= 1e-9 * Math.max(1, Math.abs(p.realizedPnl)));
      }
      assert.ok(Math.abs(book.fees - fees) <= 1e-9 * Math.max(1, fees));
      assert.equal(book.fills.size, fills.length);
    }),
    { numRuns: 300 },
  );
});
