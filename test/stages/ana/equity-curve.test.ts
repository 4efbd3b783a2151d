import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EquityCurve } from '../../../src/stages/ana/equity-curve.ts';

test('the curve reads back every point in order, as the same array extended by later reads', () => {
  const c = new EquityCurve();
  assert.deepEqual(c.read(), []);
  c.push(1, 100, 0);
  c.push(2, 90.5, 9.5);
  const first = c.read();
  assert.deepEqual(first, [
    { ts: 1, value: 100, drawdownPct: 0 },
    { ts: 2, value: 90.5, drawdownPct: 9.5 },
  ]);
  c.push(3, 101, 0);
  const second = c.read();
  assert.equal(second, first);
  assert.deepEqual(second.map((p) => p.ts), [1, 2, 3]);
  assert.equal(second[0], first[0], 'points already read are not made again');
});
