import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Fill } from '../../../src/domain/order.ts';
import { CompactLedgerStore } from '../../../src/stages/port/compact-ledger-store.ts';
import { MemoryLedgerStore } from '../../../src/stages/port/memory-ledger-store.ts';
import { FLAT, openingCashEntry, postFill, replayLedger, toPosition, type BookPosition } from '../../../src/stages/port/ledger.ts';
import { T0 } from '../exec/support.ts';

test('CompactLedgerStore answers like MemoryLedgerStore over a few thousand fills', () => {
  const compact = new CompactLedgerStore();
  const memory = new MemoryLedgerStore();
  const open = openingCashEntry(1_000_000, T0, 'c0');
  compact.appendEntries([open]);
  memory.appendEntries([open]);
  let cash = open.amount;
  const positions = new Map<string, BookPosition>();
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
    assert.equal(compact.commitFill(fill, p.entries, position), memory.commitFill(fill, p.entries, position));
    assert.equal(compact.commitFill(fill, p.entries, position), false); // posted once
    cash = p.cash;
    positions.set(symbol, p.position);
    if (n % 500 === 0) {
      const mtm = { ts: T0 + n, correlationId: `c${n}`, kind: 'mtm' as const, symbol, amount: -0, price: 12.5, fillId: null, memo: 'mark' };
      compact.appendEntries([mtm]);
      memory.appendEntries([mtm]);
    }
  }
  const a = compact.loadEntries();
  const b = memory.loadEntries();
  assert.equal(a.length, b.length);
  assert.equal(compact.size, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.deepEqual(a[i], b[i]);
    assert.ok(Object.is(a[i]!.amount, b[i]!.amount) && Object.is(a[i]!.ts, b[i]!.ts) && Object.is(a[i]!.price, b[i]!.price), `entry ${i}`);
  }
  assert.deepEqual(compact.loadPositions(), memory.loadPositions());
  assert.equal(compact.hasFill('f1'), true);
  assert.equal(compact.hasFill('f999999'), false);
  assert.deepEqual(replayLedger(a), replayLedger(b));
  assert.equal(replayLedger(a).cash, cash);
});

test('CompactLedgerStore refuses an entry of an unknown kind and applies nothing of that fill', () => {
  const s = new CompactLedgerStore();
  const fill: Fill = { fillId: 'f1', clientOrderId: 'o1', symbol: 'A', side: 'buy', qty: 1, price: 1, commission: 0, ts: T0 };
  const p = postFill(100, FLAT, fill, 'c1');
  const bad = [...p.entries, { ...p.entries[0]!, kind: 'toString' as never }];
  assert.throws(() => s.commitFill(fill, bad, toPosition('A', p.position, 1)), TypeError);
  assert.equal(s.hasFill('f1'), false);
  assert.equal(s.size, 0);
  assert.deepEqual(s.loadPositions(), []);
});
