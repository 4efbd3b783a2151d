import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkInvariants, type InvariantInput } from '../../../src/stages/port/invariants.ts';
import type { BookPosition } from '../../../src/domain/average-cost.ts';

const pos = (qty: number, avgCost = 10): BookPosition => ({ qty, avgCost, realizedPnl: 0 });

function input(over: Partial<InvariantInput> = {}): InvariantInput {
  const positions = new Map([['A', pos(5)], ['B', pos(0, 0)]]);
  return {
    cash: 100,
    cashFromEntries: 100,
    positions,
    positionsFromEntries: new Map([['A', 5], ['B', 0]]),
    marks: new Map([['A', 12]]),
    equity: 160,
    broker: { cash: 100, positions: new Map([['A', 5]]) },
    allowNegativeCash: false,
    tolerance: 1e-9,
    ...over,
  };
}

test('a sound book, with or without the broker, has no violations', () => {
  assert.deepEqual(checkInvariants(input()), []);
  assert.deepEqual(checkInvariants(input({ broker: undefined })), []);
});

test('violations are listed book symbols first, then entry-only ones, equity, broker cash, then broker-only symbols', () => {
  const v = checkInvariants(
    input({
      positions: new Map([['B', pos(2)], ['A', pos(5)]]),
      positionsFromEntries: new Map([['C', 1], ['A', 5], ['B', 1]]),
      marks: new Map([['A', 12]]),
      equity: 1,
      broker: { cash: 90, positions: new Map([['D', 3], ['A', 4], ['C', 1]]) },
    }),
  );
  assert.deepEqual(v, [
    'B: position 2 != sum of position entries 1',
    'B: no finite mark for an open position (undefined)',
    'C: position 0 != sum of position entries 1',
    'equity 1 != cash + sum(qty x mark) 160',
    'ledger cash 100 != broker cash 90',
    'B: ledger position 2 != broker position 0',
    'A: ledger position 5 != broker position 4',
    'C: ledger position 0 != broker position 1',
    'D: ledger position 0 != broker position 3',
  ]);
});

test('a symbol only the broker holds is found when every book symbol is at the broker too', () => {
  const v = checkInvariants(input({ broker: { cash: 100, positions: new Map([['A', 5], ['B', 0], ['Z', 1]]) } }));
  assert.deepEqual(v, ['Z: ledger position 0 != broker position 1']);
});
