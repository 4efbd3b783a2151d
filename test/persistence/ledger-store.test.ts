import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Fill } from '../../src/domain/order.ts';
import type { Position } from '../../src/domain/portfolio.ts';
import type { LedgerEntry } from '../../src/stages/port/ledger-store.ts';
import { expectCode, openTempDatabase } from './temp-database.ts';

const fill: Fill = { fillId: 'f-1', clientOrderId: 'co-1', symbol: 'AAPL', side: 'buy', qty: 10, price: 100, commission: 1, ts: 1000 };

function postings(f: Fill): LedgerEntry[] {
  const base = { ts: f.ts, correlationId: 'run-1', fillId: f.fillId, memo: `fill ${f.fillId}` };
  return [
    { ...base, kind: 'cash', symbol: null, amount: -f.qty * f.price, price: null },
    { ...base, kind: 'position', symbol: f.symbol, amount: f.qty, price: f.price },
    { ...base, kind: 'fee', symbol: null, amount: -f.commission, price: null },
  ];
}

const position: Position = { symbol: 'AAPL', qty: 10, avgCost: 100.1, mark: 100, realizedPnl: 0 };

test('a fill, its postings and its position commit together and reload in order', (t) => {
  const temp = openTempDatabase(t);
  const opening: LedgerEntry = { ts: 0, correlationId: 'boot', kind: 'cash', symbol: null, amount: 100_000, price: null, fillId: null, memo: 'opening cash' };
  temp.db.ledger.appendEntries([opening]);
  assert.equal(temp.db.ledger.commitFill(fill, postings(fill), position), true);
  assert.equal(temp.db.ledger.hasFill('f-1'), true);
  assert.equal(temp.db.ledger.hasFill('f-2'), false);

  const ledger = temp.reopen().ledger;
  assert.deepEqual(ledger.loadEntries(), [opening, ...postings(fill)]);
  assert.deepEqual(ledger.loadPositions(), [position]);
});

test('a fill posted twice is refused and nothing is doubled', (t) => {
  const { db } = openTempDatabase(t);
  assert.equal(db.ledger.commitFill(fill, postings(fill), position), true);
  const replayed = { ...position, qty: 20 };
  assert.equal(db.ledger.commitFill(fill, postings(fill), replayed), false);
  assert.equal(db.ledger.loadEntries().length, 3);
  assert.deepEqual(db.ledger.loadPositions(), [position]);
});

test('a bad posting rolls back the fill, its other postings and the position', (t) => {
  const { db } = openTempDatabase(t);
  db.ledger.commitFill(fill, postings(fill), position);
  const second: Fill = { ...fill, fillId: 'f-2' };
  const broken = postings(second);
  broken[2] = { ...broken[2], amount: Number.NaN };
  expectCode(() => db.ledger.commitFill(second, broken, { ...position, qty: 20 }), 'E_DB_CONSTRAINT');
  assert.equal(db.ledger.hasFill('f-2'), false);
  assert.equal(db.ledger.loadEntries().length, 3);
  assert.deepEqual(db.ledger.loadPositions(), [position]);
  // The same fill goes through once it is posted correctly.
  assert.equal(db.ledger.commitFill(second, postings(second), { ...position, qty: 20 }), true);
  assert.equal(db.ledger.loadPositions()[0].qty, 20);
});

test('positions are one row per symbol, replaced on each fill', (t) => {
  const { db } = openTempDatabase(t);
  db.ledger.commitFill(fill, postings(fill), position);
  const msft: Fill = { ...fill, fillId: 'f-m', symbol: 'MSFT' };
  db.ledger.commitFill(msft, postings(msft), { ...position, symbol: 'MSFT' });
  const sell: Fill = { ...fill, fillId: 'f-3', side: 'sell' };
  db.ledger.commitFill(sell, postings(sell), { symbol: 'AAPL', qty: 0, avgCost: 0, mark: 101, realizedPnl: 9 });
  assert.deepEqual(db.ledger.loadPositions(), [
    { symbol: 'AAPL', qty: 0, avgCost: 0, mark: 101, realizedPnl: 9 },
    { ...position, symbol: 'MSFT' },
  ]);
});
