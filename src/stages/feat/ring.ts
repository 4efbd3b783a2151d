// The last n values of a series, for indicators that look a fixed number of bars back
// (lags, windows for highest/lowest, weighted sums). O(n) memory, O(1) per bar.

export class Ring {
  readonly size: number;
  private readonly buf: Float64Array;
  private pos = 0;
  private n = 0;

  constructor(size: number) {
    this.size = size;
    this.buf = new Float64Array(size);
  }

  /** How many values it holds (at most `size`). */
  get count(): number {
    return this.n;
  }

  get full(): boolean {
    return this.n === this.size;
  }

  push(x: number): void {
    this.buf[this.pos] = x;
    this.pos = this.pos + 1 === this.size ? 0 : this.pos + 1;
    if (this.n < this.size) this.n++;
  }

  /** The value `ago` pushes back: 0 is the newest; `ago` < count. */
  ago(ago: number): number {
    let i = this.pos - 1 - ago;
    if (i < 0) i += this.size;
    return this.buf[i]!;
  }

  /** Largest value held (backtrader's Highest: Python's max over the window). */
  max(): number {
    let m = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < this.n; k++) if (this.buf[k]! > m) m = this.buf[k]!;
    return m;
  }

  min(): number {
    let m = Number.POSITIVE_INFINITY;
    for (let k = 0; k < this.n; k++) if (this.buf[k]! < m) m = this.buf[k]!;
    return m;
  }

  reset(): void {
    this.pos = 0;
    this.n = 0;
  }
}
