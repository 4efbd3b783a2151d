// The hot-path RFC 3339 formatter is toISOString, character for character, wherever a Date
// can point (and throws where toISOString throws).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lastRfc3339, rfc3339 } from '../../src/core/rfc3339.ts';
import { toRfc3339 } from '../../src/core/clock.ts';

const MAX = 8.64e15;
const iso = (ms: number): string => new Date(ms).toISOString();

test('property: equals toISOString over the whole Date range, fractions included', () => {
  const ms = fc.oneof(
    fc.integer({ min: -MAX, max: MAX }),
    fc.integer({ min: -62_167_219_200_000 - 10 * 86_400_000, max: 253_402_300_800_000 + 10 * 86_400_000 }),
    fc.integer({ min: 0, max: 4_102_444_800_000 }),
    fc.double({ min: -MAX, max: MAX, noNaN: true }),
  );
  fc.assert(fc.property(ms, (t) => assert.equal(rfc3339(t), iso(t))), { numRuns: 20_000 });
});

test('edges: day and year boundaries, leap days, the four-digit range ends, -0', () => {
  const edges = [0, -0, -1, 1, 86_399_999, 86_400_000, Date.UTC(2000, 1, 29, 23, 59, 59, 999), Date.UTC(1900, 2, 1), Date.UTC(2100, 1, 28, 12), -62_167_219_200_000, -62_167_219_200_001, 253_402_300_799_999, 253_402_300_800_000, MAX, -MAX, 0.9, -0.9, 1e12 + 0.5];
  for (const t of edges) assert.equal(rfc3339(t), iso(t), String(t));
  for (let y = 1960; y <= 2110; y++) for (const m of [0, 1, 2, 11]) for (const d of [1, 28, 29, 30, 31]) {
    const t = Date.UTC(y, m, d, 13, 7, 5, 42);
    assert.equal(rfc3339(t), iso(t));
  }
});

test('invalid times throw as toISOString does', () => {
  for (const t of [Number.NaN, Number.POSITIVE_INFINITY, MAX + 1]) assert.throws(() => rfc3339(t), RangeError);
});

test('the clock module formats through the same function', () => {
  assert.equal(toRfc3339, rfc3339);
});

test('lastRfc3339 answers as rfc3339 does, for repeated and changing times alike', () => {
  const format = lastRfc3339();
  for (const ms of [0, 0, 1_700_000_000_123, 1_700_000_000_123, -1, 253_402_300_800_000, Number.NaN, 5]) {
    if (Number.isNaN(ms)) assert.throws(() => format(ms), RangeError);
    else assert.equal(format(ms), rfc3339(ms));
  }
});
