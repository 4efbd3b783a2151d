// The backtest's equity curve on its way to SQLite: ANA hands over one point per cycle, kept
// here as three number columns until the driver writes them between cycles, in the batch
// that commits those cycles. ANA never writes: a failed write is the run's failure (the
// driver stops and reports it), not something ANA's containment would turn into a degraded
// cycle and carry on past.

import type { SqliteEquityCurveStore } from '../../persistence/sqlite-equity-curve-store.ts';
import type { EquityPointSink } from '../../stages/ana/equity-curve.ts';

export class EquityCurveWriter implements EquityPointSink {
  private readonly ts: number[] = [];
  private readonly value: number[] = [];
  private readonly drawdownPct: number[] = [];
  /** Points handed to the store (their seq numbers are 0 .. written - 1). */
  private written = 0;

  constructor(
    private readonly store: SqliteEquityCurveStore,
    private readonly runId: string,
    /** Buffered points that make `flushIfFull` write. */
    private readonly chunk = 1024,
  ) {}

  push(ts: number, value: number, drawdownPct: number): void {
    this.ts.push(ts);
    this.value.push(value);
    this.drawdownPct.push(drawdownPct);
  }

  /** Writes the buffered points once there are a chunk of them (between cycles). */
  flushIfFull(): void {
    if (this.ts.length >= this.chunk) this.flush();
  }

  /** Writes every buffered point: before each commit of the run's batch. */
  flush(): void {
    if (this.ts.length === 0) return;
    this.store.append(this.runId, this.written, this.ts, this.value, this.drawdownPct);
    this.written += this.ts.length;
    this.discard();
  }

  /** Points on file (a batch that was rolled back took its points with it). */
  get length(): number {
    return this.store.count(this.runId);
  }

  /** Visits the points on file, oldest first, a row at a time. */
  forEach(visit: (ts: number, value: number, drawdownPct: number) => void): void {
    this.store.forEach(this.runId, visit);
  }

  /** Drops the buffered points (their batch is being rolled back, and the run ends there). */
  discard(): void {
    this.ts.length = 0;
    this.value.length = 0;
    this.drawdownPct.length = 0;
  }
}
