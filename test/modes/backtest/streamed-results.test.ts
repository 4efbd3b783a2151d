// A backtest's results go to SQLite as the run goes, and what is stored is what is printed:
// the equity curve is written a batch at a time (memory stays flat however long the run), the
// stored fills, summary, KPIs and trades are the CLI's --json output, and the stored curve
// agrees with the printed final value and drawdown. Real SQLite files, the real CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { TestContext } from 'node:test';
import { runBacktest, type BacktestConfig, type CycleRecords } from '../../../src/modes/backtest/backtest-driver.ts';
import { chartCurve } from '../../../src/modes/backtest/report/chart-curve.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { openDatabase } from '../../../src/persistence/database.ts';
import { SyntheticBarSource } from '../../../src/adapters/data/synthetic-bar-source.ts';
import { writeRepeatedCsv } from '../../../bench/lib/repeat-csv.ts';
import { BIN, ROOT, cleanEnv } from '../../cli/cli-harness.ts';

const config = loadConfig({ env: {} }).config;
const ORCL = join(ROOT, 'samples', 'orcl-1995-2014.txt');

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-streamed-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const synthetic = (bars: number): BacktestConfig => ({
  dataFiles: [],
  source: new SyntheticBarSource({ symbols: 1, bars, seed: 7 }),
  strategy: 'sma-cross',
  strategyParams: { fast: 15, slow: 30 },
  sizing: { kind: 'fixed', qty: 10 },
  cash: 1_000_000,
  commission: { kind: 'none' },
});

/** Runs `ordinis` as a child process; resolves with its exit code and output. */
function ordinis(args: readonly string[], nodeArgs: readonly string[] = []): Promise<{ code: number | string; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...nodeArgs, BIN, ...args], { cwd: ROOT, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024, timeout: 300_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number' && !err.signal) reject(err);
      else resolve({ code: err ? (typeof err.code === 'number' ? err.code : String(err.signal)) : 0, stdout, stderr });
    });
  });
}

test('the equity curve is on file while the run goes, a batch at a time, not held for the end', async (t) => {
  const db = openDatabase({ path: join(tempDir(t), 'bt.db') });
  t.after(() => db.close());
  const storedAt = new Map<number, number>();
  const count = db.handle.prepare('SELECT count(*) FROM backtest_equity').pluck();
  const { result } = await runBacktest(synthetic(6_000), {
    config,
    db,
    cycleRecords: 'exceptions',
    onProgress: (done) => {
      if (done % 1000 === 0) storedAt.set(done, count.get() as number);
    },
  });
  assert.equal(result.status, 'ok');
  // Points go out with each batch commit (1000 cycles), so the rows keep up with the bars.
  for (const [done, stored] of storedAt) assert.ok(stored >= done - 1000, `${stored} points on file after ${done} bars`);
  assert.equal(db.equityCurves.count(result.runId), result.bars, 'one point per bar at the end');
});

test('the stored curve is the run: every bar once, in time order, ending at the final value with the reported max drawdown', async (t) => {
  const dir = tempDir(t);
  const stored: Record<Exclude<CycleRecords, 'none'>, { ts: number; value: number; drawdownPct: number }[]> = { all: [], exceptions: [] };
  for (const cycleRecords of ['all', 'exceptions'] as const) {
    const db = openDatabase({ path: join(dir, `${cycleRecords}.db`) });
    try {
      const { result, artifacts } = await runBacktest(synthetic(3_000), { config, db, cycleRecords });
      const curve = db.equityCurves.read(result.runId);
      stored[cycleRecords] = curve;
      assert.equal(curve.length, result.bars);
      for (let i = 1; i < curve.length; i++) assert.ok(curve[i]!.ts > curve[i - 1]!.ts, `point ${i} after point ${i - 1}`);
      assert.equal(curve.at(-1)!.value, result.finalValue, 'the last point is the final value, bit for bit');
      assert.equal(Math.max(...curve.map((p) => p.drawdownPct)), result.maxDrawdownPct, 'the deepest stored drawdown is the reported one');
      // The chart curve (what the report draws and the equity_curve artifact holds) is picked from these rows.
      const chart = chartCurve(curve.length, (visit) => curve.forEach((p) => visit(p.ts, p.value, p.drawdownPct)));
      assert.deepEqual(artifacts.equity, chart);
      assert.deepEqual(db.runs.listArtifacts(result.runId, 'equity_curve')[0]!.content, chart);
      assert.ok(chart.length < curve.length);
    } finally {
      db.close();
    }
  }
  assert.deepEqual(stored.exceptions, stored.all, "recording only exceptions stores the same curve as recording every cycle");
});

test('what a backtest stores is what `ordinis backtest --json` prints: fills, summary, KPIs, trades, curve', async (t) => {
  const dir = tempDir(t);
  const dbPath = join(dir, 'cli.db');
  const r = await ordinis(['backtest', '--data', ORCL, '--symbols', 'ORCL', '--fast', '10', '--slow', '30', '--commission-pct', '0.1', '--db', dbPath, '--report', join(dir, 'r.html'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const printed = JSON.parse(r.stdout) as Record<string, unknown> & { runId: string; fills: unknown[]; bars: number; trades: number; finalValue: number; maxDrawdownPct: number; kpis: unknown; quality: unknown };
  assert.ok(printed.fills.length > 100, 'the case trades');
  const db = openDatabase({ path: dbPath, readonly: true });
  try {
    const artifact = (kind: string): unknown => {
      const rows = db.runs.listArtifacts(printed.runId, kind);
      assert.equal(rows.length, 1, `one ${kind} artifact`);
      return rows[0]!.content;
    };
    assert.deepEqual(artifact('fills'), printed.fills, 'stored fills = printed fills');
    const { fills: _fills, ...summary } = printed;
    assert.deepEqual(artifact('backtest_summary'), summary, 'stored summary = printed result without the fills');
    assert.deepEqual(artifact('kpis'), { kpis: printed.kpis, quality: printed.quality });
    assert.equal((artifact('trades') as unknown[]).length, printed.trades);
    const curve = db.equityCurves.read(printed.runId);
    assert.equal(curve.length, printed.bars);
    assert.equal(curve.at(-1)!.value, printed.finalValue);
    assert.equal(Math.max(...curve.map((p) => p.drawdownPct)), printed.maxDrawdownPct);
    assert.equal(db.runs.getRun(printed.runId)!.status, 'ok');
  } finally {
    db.close();
  }
});

test('a long backtest runs in a heap far smaller than its results used to need (CLI, 240 000 bars, 40 MB old space)', async (t) => {
  // Before the results were streamed, the curve was kept in memory (24 bytes a bar), then made
  // into a point object per bar and one JSON text at the end: ~60 MB of live heap for this run.
  const dir = tempDir(t);
  const csv = join(dir, 'orcl-long.csv');
  const rows = writeRepeatedCsv(ORCL, csv, 240_000);
  const dbPath = join(dir, 'long.db');
  const r = await ordinis(['backtest', '--data', csv, '--symbols', 'ORCL', '--cycle-records', 'exceptions', '--db', dbPath, '--json'], ['--max-old-space-size=40']);
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr.slice(-2000)}`);
  const printed = JSON.parse(r.stdout) as { runId: string; bars: number; status: string };
  assert.equal(printed.status, 'ok');
  assert.equal(printed.bars, rows);
  const db = openDatabase({ path: dbPath, readonly: true });
  try {
    assert.equal(db.equityCurves.count(printed.runId), rows);
  } finally {
    db.close();
  }
});

test('a failed write of the curve fails the run with the database error; ANA does not swallow it as a degraded cycle', async (t) => {
  const db = openDatabase({ path: join(tempDir(t), 'bt.db') });
  t.after(() => db.close());
  // A write that fails part-way through the run, as a full disk would.
  db.handle.exec(`CREATE TRIGGER equity_fails BEFORE INSERT ON backtest_equity WHEN NEW.seq >= 2500 BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END;`);
  const { result } = await runBacktest(synthetic(5_000), { config, db, cycleRecords: 'exceptions' });
  assert.equal(result.status, 'failed');
  assert.match(result.error!.code, /^E_DB_/);
  assert.match(result.error!.message, /simulated write failure/);
  assert.equal(result.cycles.degraded, 0, 'no cycle was degraded by it');
  assert.ok(result.bars < 5_000, `the run stopped (${result.bars} bars)`);
  assert.equal(db.runs.getRun(result.runId)!.status, 'failed');
  // What was committed before the failing batch stays: whole batches, no gap.
  const stored = db.equityCurves.count(result.runId);
  assert.ok(stored > 0 && stored <= 2500 && stored % 1000 === 0, `${stored} points kept`);
});
