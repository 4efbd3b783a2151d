// Exactly rounded floating-point summation, a port of CPython's `math.fsum` (Shewchuk's
// "Adaptive Precision Floating-Point Arithmetic", the partials algorithm, plus CPython's
// final half-even correction across partials). backtrader sums every SMA window with
// `math.fsum`, so reproducing its indicators bit for bit needs the same, exactly rounded,
// result: the correctly rounded value of the true mathematical sum of the inputs.
//
// Allocation-light: the partials live in one module-level scratch buffer that only grows
// (fsum is synchronous and never re-entered, so sharing it is safe).

let partials = new Float64Array(32);

function grow(): void {
  const next = new Float64Array(partials.length * 2);
  next.set(partials);
  partials = next;
}

/**
 * The exactly rounded sum of `xs[start..end)` (round half to even), like Python's
 * `math.fsum`. Infinities and NaNs propagate (+inf and -inf together give NaN, where
 * Python would raise); a finite sum whose partials overflow throws a RangeError, as
 * Python's "intermediate overflow in fsum" does.
 */
export function fsum(xs: ArrayLike<number>, start = 0, end: number = xs.length): number {
  let n = 0;
  let special = 0;
  let sawSpecial = false;
  for (let k = start; k < end; k++) {
    const x = xs[k] as number;
    if (n >= partials.length) grow();
    const m = addToPartials(partials, n, x);
    if (m >= 0) {
      n = m;
      continue;
    }
    // A non-finite value from finite inputs is an intermediate overflow; otherwise an inf or
    // NaN input, which decides the result on its own.
    if (Number.isFinite(x)) throw new RangeError('intermediate overflow in fsum');
    special += x;
    sawSpecial = true;
    n = 0;
  }
  if (sawSpecial) return special;
  return roundPartials(partials, n);
}

/**
 * One step of the partials algorithm: adds `x` to the non-overlapping expansion `p[0..n)`
 * (increasing magnitude, no zeros) and returns its new length, or -1 when the running sum is
 * not finite (the partials are then meaningless). `p` must have room for n + 1 values.
 */
function addToPartials(p: Float64Array, n: number, x: number): number {
  let i = 0;
  for (let j = 0; j < n; j++) {
    let y = p[j] as number;
    if (Math.abs(x) < Math.abs(y)) {
      const t = x;
      x = y;
      y = t;
    }
    const hi = x + y;
    const lo = y - (hi - x);
    if (lo !== 0) p[i++] = lo;
    x = hi;
  }
  if (x === 0) return i;
  if (!Number.isFinite(x)) return -1;
  p[i++] = x;
  return i;
}

/** The exactly rounded value of the expansion `p[0..n)` (CPython's final step, half-even across partials). */
function roundPartials(p: Float64Array, n: number): number {
  let hi = 0;
  if (n > 0) {
    hi = p[--n] as number;
    let lo = 0;
    // Sum from the top, stopping when the sum becomes inexact.
    while (n > 0) {
      const x = hi;
      const y = p[--n] as number;
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    // Half-even rounding across several partials: if the rest (partials below) has the same
    // sign as lo, the true sum is beyond the halfway point and must round away.
    if (n > 0 && ((lo < 0 && (p[n - 1] as number) < 0) || (lo > 0 && (p[n - 1] as number) > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
  }
  return hi;
}

/**
 * An exact running sum: values come and go (`add(-x)` takes x back out) and `value()` is the
 * exactly rounded sum of what is in, bit for bit `fsum` of those values. It keeps the same
 * partials `fsum` does, so a sliding window costs two partials steps per bar instead of a
 * pass over the whole window. The caller keeps every value and partial sum well inside the
 * finite range (see Sma); `add` returns false if one left it anyway, and the sum must then be
 * rebuilt.
 */
export class ExactSum {
  private p = new Float64Array(8);
  private n = 0;

  add(x: number): boolean {
    if (this.n >= this.p.length) {
      const next = new Float64Array(this.p.length * 2);
      next.set(this.p);
      this.p = next;
    }
    const m = addToPartials(this.p, this.n, x);
    if (m < 0) {
      this.n = 0;
      return false;
    }
    this.n = m;
    return true;
  }

  /**
   * Takes `out` back out and puts `x` in: the same exact sum as `add(-out) && add(x)`. When
   * x - out is exact (Sterbenz: always when they are within a factor of two, as neighbouring
   * prices in a window nearly always are) that difference is added in ONE partials step: half
   * the chain of dependent additions a sliding window pays per bar, and since value() is the
   * correctly rounded exact sum, which partials hold it does not matter.
   */
  replace(out: number, x: number): boolean {
    const d = x - out;
    // TwoSum's error term of x + (-out): zero exactly when d is exact (NaN on overflow).
    const bv = d - x;
    if (x - (d - bv) + (-out - bv) === 0) return this.add(d);
    return this.add(-out) && this.add(x);
  }

  value(): number {
    return roundPartials(this.p, this.n);
  }

  reset(): void {
    this.n = 0;
  }
}
