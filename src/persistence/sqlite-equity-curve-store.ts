// A backtest's equity curve on SQLite (`backtest_equity`, migration 7): one row per point,
// appended in chunks as the run goes, so the curve never has to be held in memory. Reads
// visit the rows in order without building an object per point (a curve has a row per bar).

import type Database from 'better-sqlite3';
import type { EquityPoint } from '../stages/ana/equity-curve.ts';
import type { SqliteConnection } from './connection.ts';

/** Rows per multi-row INSERT: one statement call instead of 128 (5 parameters a row). */
const ROWS_PER_INSERT = 128;

export class SqliteEquityCurveStore {
  private readonly insertOne: Database.Statement;
  private readonly insertMany: Database.Statement;
  private readonly selectCount: Database.Statement;
  private readonly selectPoints: Database.Statement;
  /** The parameters of one multi-row insert, reused. */
  private readonly params: unknown[] = new Array<unknown>(ROWS_PER_INSERT * 5);

  constructor(private readonly conn: SqliteConnection) {
    const db = conn.db;
    const sql = 'INSERT INTO backtest_equity (run_id, seq, ts, value, drawdown_pct) VALUES ';
    this.insertOne = db.prepare(`${sql}(?, ?, ?, ?, ?)`);
    this.insertMany = db.prepare(`${sql}${Array.from({ length: ROWS_PER_INSERT }, () => '(?, ?, ?, ?, ?)').join(', ')}`);
    this.selectCount = db.prepare('SELECT count(*) FROM backtest_equity WHERE run_id = ?').pluck();
    this.selectPoints = db.prepare('SELECT ts, value, drawdown_pct FROM backtest_equity WHERE run_id = ? ORDER BY seq').raw();
  }

  /** Appends `ts.length` points (the three columns are of equal length) numbered from `firstSeq`. */
  append(runId: string, firstSeq: number, ts: readonly number[], value: readonly number[], drawdownPct: readonly number[]): void {
    if (ts.length === 0) return;
    this.conn.write(`append ${ts.length} equity points for run ${runId}`, () => {
      const p = this.params;
      let i = 0;
      for (; i + ROWS_PER_INSERT <= ts.length; i += ROWS_PER_INSERT) {
        for (let k = 0; k < ROWS_PER_INSERT; k++) {
          const j = i + k;
          const o = k * 5;
          p[o] = runId;
          p[o + 1] = firstSeq + j;
          p[o + 2] = ts[j];
          p[o + 3] = value[j];
          p[o + 4] = drawdownPct[j];
        }
        this.insertMany.run(p);
      }
      for (; i < ts.length; i++) this.insertOne.run(runId, firstSeq + i, ts[i], value[i], drawdownPct[i]);
    });
  }

  count(runId: string): number {
    return this.conn.read(`count equity points of run ${runId}`, () => this.selectCount.get(runId) as number);
  }

  /** Visits the run's points in order, one row at a time. */
  forEach(runId: string, visit: (ts: number, value: number, drawdownPct: number) => void): void {
    this.conn.read(`read equity points of run ${runId}`, () => {
      for (const row of this.selectPoints.iterate(runId) as IterableIterator<[number, number, number]>) visit(row[0], row[1], row[2]);
    });
  }

  /** Every point of the run as objects (tests, small runs; a long run's curve is better visited with forEach). */
  read(runId: string): EquityPoint[] {
    const out: EquityPoint[] = [];
    this.forEach(runId, (ts, value, drawdownPct) => out.push({ ts, value, drawdownPct }));
    return out;
  }
}
