import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ArrayBarSource } from '../../../src/adapters/data/array-bar-source.ts';
import type { Bar } from '../../../src/domain/market.ts';
import { drainAll } from './drain-source.ts';

describe('ArrayBarSource', () => {
  test('sorts by time then symbol order; rejects duplicates and unlisted symbols', () => {
    const bar = (symbol: string, ts: number): Bar => ({ symbol, ts, open: 1, high: 1, low: 1, close: 1, volume: 0 });
    const s = new ArrayBarSource([bar('B', 2), bar('A', 2), bar('A', 1)], ['A', 'B']);
    assert.deepEqual(drainAll(s).map((b) => [b.ts, b.bars.map((x) => x.symbol)]), [
      [1, ['A']],
      [2, ['A', 'B']],
    ]);
    assert.throws(() => new ArrayBarSource([bar('A', 1), bar('A', 1)]), /two bars for A/);
    assert.throws(() => new ArrayBarSource([bar('C', 1)], ['A']), /unlisted symbol 'C'/);
  });
});
