// The SMA keeps its window's exact sum incrementally (ExactSum) instead of an fsum pass over
// the window every bar. Exactness is not traded away: these properties check it against the
// former implementation, fsum(window) / n, bit for bit (Object.is, so even the sign of a
// zero), on every bar, including windows with values so large that the SMA must fall back
// to fsum (where fsum may throw its intermediate-overflow RangeError: the same bar must).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ExactSum, fsum } from '../../../src/stages/feat/fsum.ts';
import { Sma } from '../../../src/stages/feat/sma.ts';

/** The former Sma, verbatim in what it computes: a ring buffer summed with fsum every bar. */
class ReferenceSma {
  private readonly window: Float64Array;
  private count = 0;
  private pos = 0;
  constructor(private readonly period: number) {
    this.window = new Float64Array(period);
  }
  update(x: number): number | undefined {
    this.window[this.pos] = x;
    this.pos = this.pos + 1 === this.period ? 0 : this.pos + 1;
    if (this.count < this.period) this.count++;
    if (this.count < this.period) return undefined;
    return fsum(this.window) / this.period;
  }
}

type Outcome = { value: number | undefined } | { error: string };

function outcome(f: () => number | undefined): Outcome {
  try {
    return { value: f() };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

function sameOutcome(a: Outcome, b: Outcome): boolean {
  if ('error' in a || 'error' in b) return 'error' in a && 'error' in b && a.error === b.error;
  return Object.is(a.value, b.value);
}

const pow2 = (k: number): number => 2 ** k;
const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 });
const scaled = fc.tuple(fc.integer({ min: -(2 ** 30), max: 2 ** 30 }), fc.integer({ min: -1074, max: 960 })).map(([m, e]) => m * pow2(e));
const prices = fc.integer({ min: 1, max: 100_000_000 }).map((c) => c / 1_000_000);
const huge = fc.constantFrom(1e306, -1e306, 1e307, -1e307, 1.7e308, -1.7e308, Number.MAX_VALUE, -Number.MAX_VALUE);
const tiny = fc.constantFrom(0, -0, Number.MIN_VALUE, -Number.MIN_VALUE, 2 ** -1022, 1e-300);
const ordinary = fc.oneof(finite, scaled, prices, tiny, fc.constantFrom(1, -1, 0.1, 1e16, -1e16, 2 ** 53));
// Mostly ordinary values, now and then a huge one (the fsum fallback and its overflow).
const mixed = fc.oneof({ arbitrary: ordinary, weight: 20 }, { arbitrary: huge, weight: 1 });

describe('Sma: incremental exact window sum', () => {
  test('property: every bar equals fsum(window) / n bit for bit (errors too)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(mixed, { maxLength: 200, size: 'max' }), (period, xs) => {
        const sma = new Sma(period);
        const ref = new ReferenceSma(period);
        xs.forEach((x, i) => {
          const got = outcome(() => sma.update(x));
          const want = outcome(() => ref.update(x));
          assert.ok(sameOutcome(got, want), `period ${period}, bar ${i}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}; xs=${JSON.stringify(xs)}`);
        });
      }),
      { numRuns: 1000 },
    );
  });

  test('property: prices, long runs (the backtest case)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.array(prices, { minLength: 100, maxLength: 1500, size: 'max' }), (period, xs) => {
        const sma = new Sma(period);
        const ref = new ReferenceSma(period);
        for (const x of xs) assert.ok(Object.is(sma.update(x), ref.update(x)));
      }),
      { numRuns: 200 },
    );
  });

  test('the ORCL tie stays a tie: SMA(15) and SMA(30) both exactly 13.254 on 2005-09-14', () => {
    // Constructed like the real case: equal means from different windows of decimal prices.
    const fast = new Sma(3);
    const slow = new Sma(6);
    const xs = [13.254, 13.254, 13.254, 13.1, 13.408, 13.254];
    let f: number | undefined;
    let s: number | undefined;
    for (const x of xs) {
      f = fast.update(x);
      s = slow.update(x);
    }
    assert.equal(f, fsum([13.1, 13.408, 13.254]) / 3);
    assert.equal(s, fsum(xs) / 6);
  });

  test('reset starts over', () => {
    const sma = new Sma(3);
    for (const x of [1e307, 2, 3, 4]) sma.update(x);
    sma.reset();
    assert.equal(sma.update(0.1), undefined);
    sma.update(0.2);
    assert.equal(sma.update(0.3), fsum([0.1, 0.2, 0.3]) / 3);
  });
});

describe('ExactSum', () => {
  test('property: after any adds and take-backs, value() is fsum of what is in', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(ordinary, fc.boolean()), { maxLength: 120, size: 'max' }), (ops) => {
        const sum = new ExactSum();
        const inside: number[] = [];
        for (const [x, takeBack] of ops) {
          if (takeBack && inside.length > 0) {
            const y = inside.shift()!;
            assert.ok(sum.add(-y));
          } else {
            inside.push(x);
            assert.ok(sum.add(x));
          }
          assert.ok(Object.is(sum.value(), fsum(inside)), `inside=${JSON.stringify(inside)}`);
        }
      }),
      { numRuns: 1500 },
    );
  });

  test('property: replace(out, x) slides a window to fsum of what is in, exact difference or not', () => {
    // Neighbouring prices (their difference exact) and arbitrary values (often not) mixed.
    const value = fc.oneof(prices, ordinary);
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 8 }), fc.array(value, { maxLength: 120, size: 'max' }), (start, xs) => {
        const sum = new ExactSum();
        const inside = [...start];
        for (const x of inside) assert.ok(sum.add(x));
        for (const x of xs) {
          assert.ok(sum.replace(inside.shift()!, x));
          inside.push(x);
          assert.ok(Object.is(sum.value(), fsum(inside)), `inside=${JSON.stringify(inside)}`);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
