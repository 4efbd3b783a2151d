// The sweep's parameter space (parameter-space.ts): ranges and lists as typed, the grid's
// fixed enumeration order, and random search that draws the same distinct points per seed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gridPoints, gridSize, parseAxes, parseAxis, pointAt, samplePoints, MAX_SWEEP_POINTS } from '../../../src/modes/sweep/parameter-space.ts';
import { OrdinisError } from '../../../src/errors.ts';

const refused = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID' && pattern.test(e.message));

test('a range includes both ends when the step lands on the end, and keeps decimals as typed', () => {
  assert.deepEqual(parseAxis('fast=5:50:5'), { key: 'fast', values: [5, 10, 15, 20, 25, 30, 35, 40, 45, 50] });
  assert.deepEqual(parseAxis('slow=20:45:10').values, [20, 30, 40]);
  // 0.1 + 2*0.1 is 0.30000000000000004 in doubles; the value is the one typed: 0.3.
  assert.deepEqual(parseAxis('w=0.1:0.5:0.1').values, [0.1, 0.2, 0.3, 0.4, 0.5]);
  assert.deepEqual(parseAxis('p=7:7:1').values, [7]);
});

test('a list keeps its order; decimal text becomes a number, other text stays text', () => {
  assert.deepEqual(parseAxis('fast=20,5,10'), { key: 'fast', values: [20, 5, 10] });
  assert.deepEqual(parseAxis(' mode = fast , slow ').values, ['fast', 'slow']);
  assert.deepEqual(parseAxis('x=1.50,-2').values, [1.5, -2]);
});

test('bad --grid flags are refused naming the flag', () => {
  refused(() => parseAxis('fast'), /--grid "fast": expected key=/);
  refused(() => parseAxis('=1,2'), /expected key=/);
  refused(() => parseAxis('fast=5:50'), /from:to:step/);
  refused(() => parseAxis('fast=5:50:0'), /step must be > 0/);
  refused(() => parseAxis('fast=50:5:5'), /ends \(5\) before it starts \(50\)/);
  refused(() => parseAxis('fast=1e3:2e3:1'), /three decimal numbers/);
  refused(() => parseAxis('fast=5,,10'), /none empty/);
  refused(() => parseAxis('fast=5,5.0'), /listed twice/);
  refused(() => parseAxes([]), /at least one --grid/);
  refused(() => parseAxes(['fast=1,2', 'fast=3']), /--grid fast given twice/);
  refused(() => parseAxes(['a=1:1000:1', 'b=1:1000:1', 'c=1:10:1']), new RegExp(`more than ${MAX_SWEEP_POINTS} points`));
});

test('the grid enumerates the first key slowest, keys in the order given', () => {
  const axes = parseAxes(['slow=20,30', 'fast=5:15:5']);
  assert.equal(gridSize(axes), 6);
  assert.deepEqual(
    gridPoints(axes).map((p) => [p.index, Object.entries(p.params)]),
    [
      [0, [['slow', 20], ['fast', 5]]],
      [1, [['slow', 20], ['fast', 10]]],
      [2, [['slow', 20], ['fast', 15]]],
      [3, [['slow', 30], ['fast', 5]]],
      [4, [['slow', 30], ['fast', 10]]],
      [5, [['slow', 30], ['fast', 15]]],
    ],
  );
});

test('random search: the same seed draws the same distinct points of the grid; another seed others', () => {
  const axes = parseAxes(['fast=1:50:1', 'slow=10:200:10']);
  const a = samplePoints(axes, 25, 7);
  assert.deepEqual(samplePoints(axes, 25, 7), a);
  assert.equal(new Set(a.map((p) => p.index)).size, 25);
  for (const p of a) assert.deepEqual(p, pointAt(axes, p.index));
  assert.notDeepEqual(samplePoints(axes, 25, 8).map((p) => p.index), a.map((p) => p.index));
  // Asking for the whole grid (or more) is the grid in order.
  assert.deepEqual(samplePoints(axes, 10_000, 7), gridPoints(axes));
});

test('property: every grid point is distinct and every combination of the axes appears once', () => {
  fc.assert(
    fc.property(fc.array(fc.uniqueArray(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }), (lists) => {
      const axes = parseAxes(lists.map((l, i) => `k${i}=${l.join(',')}`));
      const points = gridPoints(axes);
      assert.equal(points.length, lists.reduce((n, l) => n * l.length, 1));
      assert.equal(new Set(points.map((p) => JSON.stringify(p.params))).size, points.length);
      for (const p of points) lists.forEach((l, i) => assert.ok(l.includes(p.params[`k${i}`] as number)));
    }),
  );
});
