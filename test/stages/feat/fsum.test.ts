import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fsum } from '../../../src/stages/feat/fsum.ts';

// ---- an exact reference: BigInt rational summation, then round-half-even to a double ----

const view = new DataView(new ArrayBuffer(8));

/** x = mant * 2^exp exactly (mant a BigInt, exp >= -1074). */
function decompose(x: number): { mant: bigint; exp: number } {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const e = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & 0xfffffffffffffn;
  if (e === 0) return { mant: sign * frac, exp: -1074 };
  return { mant: sign * (frac | (1n << 52n)), exp: e - 1075 };
}

/** 2^k as a double, exactly (k >= -1074, k <= 1023). */
function pow2(k: number): number {
  if (k >= -1022) {
    view.setBigUint64(0, BigInt(k + 1023) << 52n);
    return view.getFloat64(0);
  }
  view.setBigUint64(0, 1n << BigInt(k + 1074));
  return view.getFloat64(0);
}

/** The correctly rounded (half-even) double nearest to n * 2^-1074. */
function roundScaled(n: bigint): number {
  if (n === 0n) return 0;
  const neg = n < 0n;
  let a = neg ? -n : n;
  const bitLen = a.toString(2).length;
  const shift = Math.max(0, bitLen - 53);
  if (shift > 0) {
    const q = a >> BigInt(shift);
    const rem = a - (q << BigInt(shift));
    const half = 1n << BigInt(shift - 1);
    a = rem > half || (rem === half && (q & 1n) === 1n) ? q + 1n : q;
  }
  // value = a * 2^(shift - 1074) with a <= 2^53 and shift - 1074 in [-1074, ~980]: the
  // product of two doubles is exact (a subnormal result only arises with shift 0).
  const r = Number(a) * pow2(shift - 1074);
  return neg ? -r : r;
}

function exactSum(xs: readonly number[]): number {
  let total = 0n;
  for (const x of xs) {
    const { mant, exp } = decompose(x);
    total += mant << BigInt(exp + 1074);
  }
  return roundScaled(total);
}

const hex = (s: string): number => {
  // 0x1.<13 hex digits>p<exp>
  const m = /^(-?)0x1\.([0-9a-f]+)p([+-]?\d+)$/.exec(s)!;
  const mant = BigInt(`0x1${m[2]!.padEnd(13, '0')}`);
  const v = Number(mant) * pow2(Number(m[3]) - 52);
  return m[1] ? -v : v;
};

describe('fsum: exactly rounded like math.fsum', () => {
  // CPython's own test_math.testFsum cases.
  const cases: [string, number[], number][] = [
    ['empty', [], 0],
    ['zero', [0], 0],
    ['cancellation across magnitudes', [1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50], 1e-100],
    ['2^53 - 0.5 - 2^-54', [2 ** 53, -0.5, -(2 ** -54)], 2 ** 53 - 1],
    ['2^53 + 1 + 2^-100 rounds up', [2 ** 53, 1.0, 2 ** -100], 2 ** 53 + 2],
    ['2^53 + 10 + 1 + 2^-100', [2 ** 53 + 10, 1.0, 2 ** -100], 2 ** 53 + 12],
    ['2^53 - 4 + 0.5 + 2^-54', [2 ** 53 - 4, 0.5, 2 ** -54], 2 ** 53 - 3],
    ['half-even across partials (1e16, 1, 1e-16)', [1e16, 1.0, 1e-16], 10000000000000002.0],
    ['exact cancellation', [1e16 - 2, 1 - 2 ** -53, -(1e16 - 2), -(1 - 2 ** -53)], 0],
    ['harmonic 1..1000', Array.from({ length: 1000 }, (_, i) => 1 / (i + 1)), hex('0x1.df11f45f4e61ap+2')],
    ['alternating harmonic', Array.from({ length: 1000 }, (_, i) => (-1) ** (i + 1) / (i + 1)), hex('-0x1.62a2af1bd3624p-1')],
    [
      'many partials (resizing)',
      [...Array.from({ length: 1023 }, (_, k) => 2 ** (-1074 + 2 * k) - 2 ** (-1074 + 2 * k + 50) + 2 ** (-1074 + 2 * k + 52)), -(2 ** 1022)],
      hex('0x1.5555555555555p+970'),
    ],
    ['0.1 x 10', Array(10).fill(0.1), 1.0],
  ];
  for (const [name, xs, want] of cases) {
    test(name, () => {
      assert.equal(fsum(xs), want);
      assert.equal(exactSum(xs), want, 'the BigInt reference agrees');
    });
  }

  test('plain left-to-right summation is not exact (0.1 x 10 gives 0.9999999999999999)', () => {
    let s = 0;
    for (let i = 0; i < 10; i++) s += 0.1;
    assert.notEqual(s, 1.0);
  });

  test('specials: inf and NaN propagate; intermediate overflow throws', () => {
    assert.equal(fsum([1, Infinity, 2]), Infinity);
    assert.ok(Number.isNaN(fsum([Infinity, -Infinity])));
    assert.ok(Number.isNaN(fsum([1, NaN])));
    assert.throws(() => fsum([1.7e308, 1.7e308]), RangeError);
    assert.throws(() => fsum([1.7e308, 1.7e308, -1.7e308]), RangeError); // as CPython: the partial overflows first
  });

  test('range arguments sum a slice', () => {
    assert.equal(fsum([100, 1, 2, 3, 100], 1, 4), 6);
    assert.equal(fsum(new Float64Array([0.1, 0.2, 0.3])), 0.6);
  });

  const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 });
  const scaled = fc.tuple(fc.integer({ min: -(2 ** 30), max: 2 ** 30 }), fc.integer({ min: -1074, max: 960 })).map(([m, e]) => m * pow2(e));
  const prices = fc.integer({ min: 1, max: 100_000_000 }).map((c) => c / 1_000_000);
  const mixed = fc.oneof(finite, scaled, prices, fc.constantFrom(0, -0, 1, -1, 1e16, -1e16, 0.1, 2 ** 53, Number.MIN_VALUE, -Number.MIN_VALUE));

  test('property: equals the exact BigInt sum rounded half-even', () => {
    fc.assert(
      fc.property(fc.array(mixed, { maxLength: 60 }), (xs) => {
        assert.equal(fsum(xs), exactSum(xs) + 0, `xs=${JSON.stringify(xs)}`);
      }),
      { numRuns: 3000 },
    );
  });

  test('property: order does not matter (exactly rounded => commutative)', () => {
    fc.assert(
      fc.property(
        fc.array(mixed, { minLength: 1, maxLength: 40 }).chain((xs) => fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length }))),
        ([xs, perm]) => {
          assert.equal(fsum(perm), fsum(xs));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
