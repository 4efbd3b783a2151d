import { test } from 'node:test';
import assert from 'node:assert/strict';
import { takeUntil } from '../../../src/stages/ing/bar-source.ts';
import { SyntheticBarSource } from '../../../src/adapters/data/synthetic-bar-source.ts';

test('takeUntil never hands out a batch later than its bound', () => {
  const src = new SyntheticBarSource({ symbols: 2, bars: 10, startTs: 0, stepMs: 10 });
  assert.deepEqual(takeUntil(src, 25).map((b) => b.ts), [0, 10, 20]);
  assert.deepEqual(takeUntil(src, 25), []);
  assert.deepEqual(takeUntil(src, 30).map((b) => b.ts), [30]);
  assert.equal(src.peekTs(), 40);
});
