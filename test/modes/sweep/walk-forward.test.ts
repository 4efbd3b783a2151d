// Walk-forward windows (walk-forward-windows.ts) and the stitched out-of-sample curve
// (walk-forward.ts stitchCurves): pure, on hand-made dates and curves.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addSpan, parseSpan, walkForwardWindows } from '../../../src/modes/sweep/walk-forward-windows.ts';
import { stitchCurves } from '../../../src/modes/sweep/walk-forward.ts';
import { OrdinisError } from '../../../src/errors.ts';

const y = (n: number) => ({ n, unit: 'y' as const });
const m = (n: number) => ({ n, unit: 'm' as const });

test('spans: years, months, days; a month end stays in its month', () => {
  assert.deepEqual(parseSpan('--in-sample', '2y'), { n: 2, unit: 'y' });
  assert.deepEqual(parseSpan('--step', ' 90d '), { n: 90, unit: 'd' });
  for (const bad of ['2', '0m', '1w', '-1y', '1.5y']) {
    assert.throws(() => parseSpan('--in-sample', bad), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID' && e.message.startsWith(`E_CFG_INVALID: --in-sample ${JSON.stringify(bad)}`));
  }
  assert.equal(addSpan('2020-01-31', m(1)), '2020-02-29');
  assert.equal(addSpan('2021-01-31', m(1)), '2021-02-28');
  assert.equal(addSpan('2020-02-29', y(1)), '2021-02-28');
  assert.equal(addSpan('2020-12-30', { n: 3, unit: 'd' }), '2021-01-02');
  assert.equal(addSpan('2020-03-15', m(6), 3), '2021-09-15');
});

test('rolling windows tile the out-of-sample dates; the last is cut at the data end', () => {
  const ws = walkForwardWindows('2010-01-04', '2013-08-30', { inSample: y(2), outOfSample: m(6), step: m(6), anchored: false });
  assert.deepEqual(
    ws.map((w) => [w.inSample.from, w.inSample.to, w.outOfSample.from, w.outOfSample.to]),
    [
      ['2010-01-04', '2012-01-03', '2012-01-04', '2012-07-03'],
      ['2010-07-04', '2012-07-03', '2012-07-04', '2013-01-03'],
      ['2011-01-04', '2013-01-03', '2013-01-04', '2013-07-03'],
      ['2011-07-04', '2013-07-03', '2013-07-04', '2013-08-30'],
    ],
  );
  // Out-of-sample windows follow each other without a gap or an overlap.
  for (let i = 1; i < ws.length; i++) assert.equal(ws[i]!.outOfSample.from, addSpan(ws[i - 1]!.outOfSample.to, { n: 1, unit: 'd' }));
});

test('anchored windows start at the first date and grow by the step', () => {
  const ws = walkForwardWindows('2010-01-01', '2012-12-31', { inSample: y(1), outOfSample: y(1), step: y(1), anchored: true });
  assert.deepEqual(ws.map((w) => [w.inSample.from, w.inSample.to, w.outOfSample.from, w.outOfSample.to]), [
    ['2010-01-01', '2010-12-31', '2011-01-01', '2011-12-31'],
    ['2010-01-01', '2011-12-31', '2012-01-01', '2012-12-31'],
  ]);
});

test('data too short for one window is refused with the dates', () => {
  assert.throws(
    () => walkForwardWindows('2010-01-01', '2011-06-30', { inSample: y(2), outOfSample: m(6), step: m(6), anchored: false }),
    (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID' && /2010-01-01 to 2011-06-30/.test(e.message),
  );
});

test('stitched curve: each window compounds on the last; KPIs over the stitched values', () => {
  const day = 86_400_000;
  const a = [{ ts: day, value: 110, drawdownPct: 0 }, { ts: 2 * day, value: 120, drawdownPct: 0 }];
  const b = [{ ts: 3 * day, value: 90, drawdownPct: 0 }, { ts: 4 * day, value: 150, drawdownPct: 0 }];
  const s = stitchCurves(100, [{ equity: a, cash: 100 }, { equity: b, cash: 100 }], 252);
  assert.deepEqual(s.points.map((p) => p.value), [110, 120, 108, 180]);
  assert.equal(s.finalValue, 180);
  assert.equal(s.kpis.totalReturnPct, 80);
  assert.equal(s.kpis.maxDrawdownPct, 10);
  assert.deepEqual(s.points.map((p) => p.drawdownPct), [0, 0, 10, 0]);
  // No window ran: the cash, flat.
  assert.equal(stitchCurves(100, [], 252).finalValue, 100);
});
