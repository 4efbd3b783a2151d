// The equity curve, one point per cycle, kept as three columns of plain numbers. A backtest
// keeps a point for every bar (500k+): an object per point would live for the whole run,
// and the garbage collector would copy it out of the young generation and re-mark the lot
// on every full collection. Points become objects once, when the curve is read.

/** The book's value at one cycle, with its drawdown. */
export interface EquityPoint {
  ts: number;
  value: number;
  /** Drawdown from the running peak, in percent. */
  drawdownPct: number;
}

/** Takes one point per cycle, oldest first. */
export interface EquityPointSink {
  push(ts: number, value: number, drawdownPct: number): void;
}

export class EquityCurve implements EquityPointSink {
  private readonly ts: number[] = [];
  private readonly value: number[] = [];
  private readonly drawdownPct: number[] = [];
  /** The points read so far (a read makes only the points added since the last one). */
  private readonly points: EquityPoint[] = [];

  push(ts: number, value: number, drawdownPct: number): void {
    this.ts.push(ts);
    this.value.push(value);
    this.drawdownPct.push(drawdownPct);
  }

  get length(): number {
    return this.ts.length;
  }

  /** Visits every point so far, oldest first, without making an object per point. */
  forEach(visit: (ts: number, value: number, drawdownPct: number) => void): void {
    for (let i = 0; i < this.ts.length; i++) visit(this.ts[i]!, this.value[i]!, this.drawdownPct[i]!);
  }

  /** Every point so far, oldest first. The same array each call, extended by later reads. */
  read(): readonly EquityPoint[] {
    for (let i = this.points.length; i < this.ts.length; i++) this.points.push({ ts: this.ts[i]!, value: this.value[i]!, drawdownPct: this.drawdownPct[i]! });
    return this.points;
  }
}
