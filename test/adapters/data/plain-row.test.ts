import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PlainRowParser } from '../../../src/adapters/data/plain-row.ts';
import { splitFields, strictRow } from '../../../src/adapters/data/strict-row.ts';
import { headerColumns, settleLayout } from '../../../src/adapters/data/csv-layout.ts';

const TOL = 1e-12;
const cols = headerColumns(['Date', 'Open', 'High', 'Low', 'Close', 'Adj Close', 'Volume']);
const layout = settleLayout(cols, '2006-01-02,1,1,1,1,1,1'.split(','));
const plain = PlainRowParser.of(layout, 'X', TOL)!;

/** The strict parser's answer for a line (a bar, or the problem's reason). */
function strict(line: string): unknown {
  return strictRow(splitFields(line), layout, 'X', TOL);
}

const day = fc.record({ y: fc.integer({ min: 1900, max: 2099 }), mo: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }) });
const pad = (n: number, w: number): string => String(n).padStart(w, '0');
// Decimals as files write them: up to 16 digits (one past the fast path's limit), any point.
const decimal = fc
  .integer({ min: 1, max: 16 })
  .chain((digits) => fc.tuple(fc.bigInt({ min: 1n, max: 10n ** BigInt(digits) - 1n }), fc.integer({ min: 0, max: Math.min(digits, 8) })))
  .map(([m, f]) => {
    const s = m.toString().padStart(f + 1, '0');
    return f === 0 ? s : `${s.slice(0, -f)}.${s.slice(-f)}`;
  });
const oddNumber = fc.constantFrom('+1.5', '-2', '1e3', ' 4', '4 ', '', '0', '0.0', '.5', '5.', 'NaN', 'Infinity', '0x10', '1_0');

test('property: a plain row gives bit for bit the strict parser\'s bar, and any row it does not take is left to the strict parser', () => {
  const field = fc.oneof({ arbitrary: decimal, weight: 9 }, { arbitrary: oddNumber, weight: 1 });
  let compared = 0;
  fc.assert(
    fc.property(day, fc.array(field, { minLength: 4, maxLength: 4 }), field, field, (dt, prices, adj, volume) => {
      // Ordered as a bar mostly is (low, open, close, high), so most rows are valid and the
      // fast path's numbers and dates are compared with the strict ones, not just refused.
      const [low, open, close, high] = [...prices].sort((a, b) => Number(a) - Number(b));
      const line = `${pad(dt.y, 4)}-${pad(dt.mo, 2)}-${pad(dt.d, 2)},${open},${high},${low},${close},${adj},${volume}`;
      const fast = plain.parse(line, 0, line.length);
      if (fast === undefined) return;
      compared++;
      assert.deepEqual(fast, strict(line), line);
    }),
    { numRuns: 5000 },
  );
  // Most generated rows are plain and valid: the comparison above is not vacuous.
  assert.ok(compared > 1000, `only ${compared} rows took the fast path`);
});

test('property: a valid row of plain decimals takes the fast path', () => {
  const price = fc.integer({ min: 1, max: 10_000_000 }).map((c) => c / 100);
  fc.assert(
    fc.property(day, fc.array(price, { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 1e9 }), (dt, ps, volume) => {
      fc.pre(dt.d <= new Date(Date.UTC(dt.y, dt.mo, 0)).getUTCDate());
      const [a, b, c, d] = ps as [number, number, number, number];
      const high = Math.max(a, b, c, d);
      const low = Math.min(a, b, c, d);
      const line = `${pad(dt.y, 4)}-${pad(dt.mo, 2)}-${pad(dt.d, 2)},${b},${high},${low},${c},${a},${volume}`;
      const fast = plain.parse(line, 0, line.length);
      assert.ok(fast !== undefined, line);
      assert.deepEqual(fast, strict(line));
    }),
    { numRuns: 2000 },
  );
});

test('rows the fast path is unsure of go to the strict parser, valid or not', () => {
  const unsure = [
    '2006/01/03,1,2,1,2,2,100', // another date shape
    '20060103,1,2,1,2,2,100',
    '2006-02-29,1,2,1,2,2,100', // no such day
    '2004-02-30,1,2,1,2,2,100',
    '2006-01-03 10:00,1,2,1,2,2,100', // a time
    '2006-01-03,1,2,1,2,2', // a field short
    '2006-01-03,1,2,1,2,2,100,7', // a field more
    '2006-01-03,1,2,3,2,2,100', // low > high
    '2006-01-03,1,2,1,2,2,1234567890123456', // 16 digits
    '2006-01-03,1e0,2,1,2,2,100', // exponent
    '2006-01-03, 1,2,1,2,2,100', // padded
    '2006-01-03,0,2,1,2,2,100', // zero price
  ];
  for (const line of unsure) assert.equal(plain.parse(line, 0, line.length), undefined, line);
  const leapDay = '2004-02-29,1,2,0.5,1.5,9,100';
  assert.deepEqual(plain.parse(leapDay, 0, leapDay.length), { symbol: 'X', ts: Date.UTC(2004, 1, 29), open: 1, high: 2, low: 0.5, close: 1.5, volume: 100 });
});

test('a file with a time column has no fast path', () => {
  const withTime = settleLayout(headerColumns(['Date', 'Time', 'Open', 'High', 'Low', 'Close']), '2006-01-02,10:00,1,1,1,1'.split(','));
  assert.equal(PlainRowParser.of(withTime, 'X', TOL), undefined);
});
