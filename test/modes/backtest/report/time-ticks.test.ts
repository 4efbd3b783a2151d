import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { timeTicks } from '../../../../src/modes/backtest/report/time-ticks.ts';

const D = 86_400_000;
const labels = (x0: number, x1: number): string[] => timeTicks(x0, x1).map((t) => t.label);

describe('timeTicks', () => {
  test('even years for a twenty-year daily backtest', () => {
    assert.deepEqual(labels(Date.UTC(1995, 0, 3), Date.UTC(2014, 11, 31)), ['1996', '1998', '2000', '2002', '2004', '2006', '2008', '2010', '2012', '2014']);
  });

  test('month starts, placed exactly on the 1st, for a one-year run', () => {
    const ticks = timeTicks(Date.UTC(2006, 0, 2), Date.UTC(2006, 11, 29));
    assert.deepEqual(ticks.map((t) => t.label), ['2006-03', '2006-05', '2006-07', '2006-09', '2006-11']);
    assert.deepEqual(ticks.map((t) => t.ts), [2, 4, 6, 8, 10].map((m) => Date.UTC(2006, m, 1)));
  });

  test('UTC midnights for a few days, whole hours for one session', () => {
    assert.deepEqual(labels(Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 5)), ['2020-01-01', '2020-01-02', '2020-01-03', '2020-01-04', '2020-01-05']);
    assert.deepEqual(labels(Date.UTC(2006, 0, 2, 9, 1), Date.UTC(2006, 0, 2, 17, 30)), [
      '2006-01-02 10:00',
      '2006-01-02 12:00',
      '2006-01-02 14:00',
      '2006-01-02 16:00',
    ]);
  });

  test('weeks start on Monday', () => {
    assert.deepEqual(labels(Date.UTC(2020, 0, 1), Date.UTC(2020, 1, 15)), ['2020-01-06', '2020-01-13', '2020-01-20', '2020-01-27', '2020-02-03', '2020-02-10']);
  });

  test('degenerate spans: one tick for a single instant, the two ends when no boundary fits', () => {
    assert.deepEqual(labels(Date.UTC(2020, 0, 1, 9, 30), Date.UTC(2020, 0, 1, 9, 30)), ['2020-01-01 09:30']);
    const x0 = Date.UTC(2020, 0, 1, 9, 30, 0, 100);
    assert.deepEqual(timeTicks(x0, x0 + 800).map((t) => t.ts), [x0, x0 + 800]);
  });

  test('property: 2 to 12 ticks, strictly increasing, inside the span', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2e12, max: 4e12 }), fc.integer({ min: 1, max: 100 * 365 * D }), (x0, span) => {
        const ticks = timeTicks(x0, x0 + span);
        assert.ok(ticks.length >= 2 && ticks.length <= 12, `${ticks.length} ticks`);
        for (const t of ticks) assert.ok(t.ts >= x0 && t.ts <= x0 + span);
        for (let i = 1; i < ticks.length; i++) assert.ok(ticks[i]!.ts > ticks[i - 1]!.ts);
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});
