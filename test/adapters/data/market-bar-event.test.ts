import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barFromPayload } from '../../../src/adapters/data/market-bar-event.ts';
import { OrdinisError } from '../../../src/errors.ts';

const ok = { symbol: 'ORCL', open: 10, high: 11, low: 9.5, close: 10.5, volume: 1200 };

test('a bar event gives the bar, its time in ms or RFC 3339 (ts or ts_event)', () => {
  const bar = { ...ok, ts: Date.UTC(2024, 0, 2, 15, 30) };
  assert.deepEqual(barFromPayload({ ...ok, ts: bar.ts }), bar);
  assert.deepEqual(barFromPayload({ ...ok, ts: '2024-01-02T15:30:00Z' }), bar);
  assert.deepEqual(barFromPayload({ ...ok, ts_event: '2024-01-02T15:30:00.000Z' }), bar);
});

test('a malformed bar event is E_ING_NORMALIZE_FAILED naming what is wrong', () => {
  const refused = (payload: Record<string, unknown>, what: RegExp): void =>
    assert.throws(() => barFromPayload(payload), (e: unknown) => e instanceof OrdinisError && e.code === 'E_ING_NORMALIZE_FAILED' && what.test(e.message));
  refused({ ...ok, symbol: ' ', ts: 1 }, /symbol missing/);
  refused({ ...ok, ts: 'yesterday' }, /ts yesterday is not a time/);
  refused({ ...ok }, /ts undefined is not a time/);
  refused({ ...ok, ts: 1, close: '10.5' }, /close 10.5 is not a finite number/);
  refused({ ...ok, ts: 1, volume: Number.POSITIVE_INFINITY }, /volume Infinity is not a finite number/);
});
