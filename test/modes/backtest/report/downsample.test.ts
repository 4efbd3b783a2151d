import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_CHART_POINTS, downsampleMinMax } from '../../../../src/modes/backtest/report/downsample.ts';

const id = (v: number): number => v;

function isSubsequence(sub: readonly number[], of: readonly number[]): boolean {
  let j = 0;
  for (let i = 0; i < of.length && j < sub.length; i++) if (of[i] === sub[j]) j++;
  return j === sub.length;
}

describe('downsampleMinMax', () => {
  test('a series that fits is returned unchanged (as a copy)', () => {
    const xs = [3, 1, 2];
    const out = downsampleMinMax(xs, id, 4);
    assert.deepEqual(out, xs);
    assert.notEqual(out, xs);
  });

  test('caps the count, keeps first/last and the global min and max of a 500k series', () => {
    const n = 500_000;
    const idx = Array.from({ length: n }, (_, i) => i);
    const value = (i: number): number => (i === 123_457 ? -999 : i === 400_001 ? 5_000 : Math.sin(i / 1000) * 100);
    const out = downsampleMinMax(idx, value, MAX_CHART_POINTS);
    assert.ok(out.length <= MAX_CHART_POINTS, `${out.length} points`);
    assert.ok(out.length >= MAX_CHART_POINTS - 2);
    assert.equal(out[0], 0);
    assert.equal(out.at(-1), n - 1);
    assert.ok(out.includes(123_457), 'trough kept');
    assert.ok(out.includes(400_001), 'peak kept');
    for (let i = 1; i < out.length; i++) assert.ok(out[i]! > out[i - 1]!, 'strictly in original order');
  });

  test('rejects a cap that cannot hold first, last, one min and one max', () => {
    assert.throws(() => downsampleMinMax([1, 2, 3, 4, 5], id, 3), RangeError);
    assert.throws(() => downsampleMinMax([1, 2, 3, 4, 5], id, 10.5), RangeError);
  });

  test('property: bounded size, ordered subsequence, global extremes kept', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 0, maxLength: 3000 }),
        fc.integer({ min: 4, max: 500 }),
        (values, cap) => {
          const idx = values.map((_, i) => i);
          const out = downsampleMinMax(idx, (i) => values[i]!, cap);
          assert.ok(out.length <= cap);
          assert.ok(isSubsequence(out, idx));
          if (values.length === 0) return;
          const kept = out.map((i) => values[i]!);
          assert.equal(Math.min(...kept), Math.min(...values));
          assert.equal(Math.max(...kept), Math.max(...values));
          assert.equal(out[0], 0);
          assert.equal(out.at(-1), values.length - 1);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });
});
