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
    let x = xs[k] as number;
    const xsave = x;
    let i = 0;
    for (let j = 0; j < n; j++) {
      let y = partials[j] as number;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    n = i;
    if (x !== 0) {
      if (!Number.isFinite(x)) {
        // A non-finite value from finite inputs is an intermediate overflow; otherwise an
        // inf or NaN input, which decides the result on its own.
        if (Number.isFinite(xsave)) throw new RangeError('intermediate overflow in fsum');
        special += xsave;
        sawSpecial = true;
        n = 0;
      } else {
        if (n >= partials.length) grow();
        partials[n++] = x;
      }
    }
  }
  if (sawSpecial) return special;

  let hi = 0;
  if (n > 0) {
    hi = partials[--n] as number;
    let lo = 0;
    // Sum from the top, stopping when the sum becomes inexact.
    while (n > 0) {
      const x = hi;
      const y = partials[--n] as number;
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    // Half-even rounding across several partials: if the rest (partials below) has the same
    // sign as lo, the true sum is beyond the halfway point and must round away.
    if (n > 0 && ((lo < 0 && (partials[n - 1] as number) < 0) || (lo > 0 && (partials[n - 1] as number) > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
  }
  return hi;
}
