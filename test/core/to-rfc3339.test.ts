// Times are numbers (epoch ms) until persisted or printed; toRfc3339 is the one formatter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toRfc3339 } from '../../src/core/clock.ts';

test('UTC with milliseconds, the form every persisted and printed time has', () => {
  assert.equal(toRfc3339(0), '1970-01-01T00:00:00.000Z');
  assert.equal(toRfc3339(Date.UTC(2024, 1, 29, 23, 59, 59, 999)), '2024-02-29T23:59:59.999Z');
  assert.equal(toRfc3339(-1), '1969-12-31T23:59:59.999Z');
  assert.equal(toRfc3339(1e12 + 0.9), '2001-09-09T01:46:40.000Z', 'a fraction of a millisecond is dropped');
});

test('a time that is not one is refused (RangeError), never printed as "Invalid Date"', () => {
  for (const t of [Number.NaN, Number.POSITIVE_INFINITY, 8.64e15 + 1]) assert.throws(() => toRfc3339(t), RangeError);
});
