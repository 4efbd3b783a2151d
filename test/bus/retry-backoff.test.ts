import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryDelayMs } from '../../src/bus/retry-backoff.ts';

test('retry delays double from the base and stop at the cap', () => {
  assert.deepEqual([1, 2, 3, 4].map((n) => retryDelayMs(n, 50, 30_000)), [50, 100, 200, 400]);
  assert.equal(retryDelayMs(20, 50, 30_000), 30_000);
  assert.equal(retryDelayMs(0, 50, 30_000), 50);
  assert.equal(retryDelayMs(3, 0, 30_000), 0);
});
