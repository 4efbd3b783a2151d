import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Fill } from '../../../src/domain/order.ts';
import { BalanceLedgerStore } from '../../../src/adapters/memory/balance-ledger-store.ts';
import { MemoryLedgerStore } from '../../../src/adapters/memory/memory-ledger-store.ts';
import { FLAT, type BookPosition } from '../../../src/domain/average-cost.ts';
import { openingCashEntry, postFill, replayLedger, toPosition } from '../../../src/stages/port/ledger.ts';
import { T0 } from '../../stages/exec/support.ts';

/** The same few thousand fills (buys and sells on 7 symbols, some with commission) into both stores. */
function postBoth(): { balance: BalanceLedgerStore; memory: MemoryLedgerStore; cash: number; fills: Fill[] } {
  const balance = new BalanceLedgerStore();
  const memory = new MemoryLedgerStore();
  const open = openingCashEntry(1_000_000, T0, 'c0');
  balance.appendEntries([open]);
  memory.appendEntries([open]);
  let cash = open.amount;
  const positions = new Map<string, BookPosition>();
  const fills: Fill[] = [];
  let x = 7;
  const rnd = () => (x = (x * 48271) % 2147483647) / 2147483647;
  for (let n = 1; n <= 3000; n++) {
    const symbol = `S${n % 7}`;
    const prev = positions.get(symbol) ?? FLAT;
    const side = prev.qty > 0 && rnd() < 0.5 ? 'sell' : 'buy';
    const qty = side === 'sell' ? Math.max(1, Math.floor(prev.qty * rnd())) : 1 + Math.floor(rnd() * 50);
    const fill: Fill = { fillId: `f${n}`, clientOrderId: `o${n}`, symbol, side, qty, price: 10 + rnd() * 90, commission: n % 3 === 0 ? rnd() : 0, ts: T0 + n };
    const p = postFill(cash, prev, fill, `c${n}`);
    const position = toPosition(symbol, p.position, fill.price);
    assert.equal(balance.commitFill(fill, p.entries, position), memory.commitFill(fill, p.entries, position));
    assert.equal(balance.commitFill(fill, p.entries, position), false); // posted once
    cash = p.cash;
    positions.set(symbol, p.position);
    fills.push(fill);
    if (n % 500 === 0) {
      const mtm = { ts: T0 + n, correlationId: `c${n}`, kind: 'mtm' as const, symbol, amount: -0, price: 12.5, fillId: null, memo: 'mark' };
      balance.appendEntries([mtm]);
      memory.appendEntries([mtm]);
    }
  }
  return { balance, memory, cash, fills };
}

test('BalanceLedgerStore replays to the same book as every entry, bit for bit', () => {
  const { balance, memory, cash } = postBoth();
  const closed = replayLedger(balance.loadEntries());
  const full = replayLedger(memory.loadEntries());
  assert.equal(closed.cash, cash);
  assert.ok(Object.is(closed.cash, full.cash) && Object.is(closed.fees, full.fees), 'cash and fees');
  assert.deepEqual(closed.positions, full.positions, 'qty, average cost and realized PnL per symbol');
  assert.ok(Math.abs(closed.realizedPnl - full.realizedPnl) <= 1e-9 * Math.abs(full.realizedPnl), 'total realized PnL, summed per symbol');
  assert.deepEqual(balance.loadPositions(), memory.loadPositions());
  // Opening balances at the last entry's time: one cash entry, one fee entry, two per symbol.
  const entries = balance.loadEntries();
  assert.equal(entries.length, 2 + 2 * 7);
  assert.ok(entries.every((e) => e.ts === T0 + 3000 && e.correlationId === 'c3000' && e.fillId === null));
});

test('BalanceLedgerStore is empty until something is posted', () => {
  const s = new BalanceLedgerStore();
  assert.deepEqual(s.loadEntries(), []);
  s.appendEntries([]);
  assert.deepEqual(s.loadEntries(), []);
  s.appendEntries([openingCashEntry(500, T0, 'c0')]);
  assert.deepEqual(replayLedger(s.loadEntries()).cash, 500);
});

test('BalanceLedgerStore forgets released fills: memory stays flat, balances stay', () => {
  const { balance, fills } = postBoth();
  const before = balance.loadEntries();
  assert.equal(balance.fillsHeld, fills.length);
  assert.equal(balance.hasFill('f1'), true);
  assert.equal(balance.forgetFills(fills.map((f) => f.fillId)), fills.length);
  assert.equal(balance.fillsHeld, 0);
  assert.equal(balance.hasFill('f1'), false);
  assert.equal(balance.forgetFills(['f1', 'unknown']), 0);
  assert.deepEqual(balance.loadEntries(), before);
});
