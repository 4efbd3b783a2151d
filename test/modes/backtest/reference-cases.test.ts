// The reference cases (../shared/reference/backtest_cases.json, from backtrader 1.9.78) run
// through the CLI's code path: the same flag parsing and the same driver `ordinis backtest`
// uses. Every fill, the counts, final cash and value and max drawdown must match.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { toBacktestConfig } from '../../../src/cli/pipeline-options.ts';
import { runBacktest } from '../../../src/modes/backtest/backtest-driver.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { openDatabase } from '../../../src/persistence/database.ts';

const SHARED = join(import.meta.dirname, '..', '..', '..', '..', 'shared');
interface RefCase {
  id: string;
  data_files: string[];
  symbols: string[];
  commission: { type: string; rate?: number };
  expected: {
    orders: number; orders_rejected: number; trades: number; fills: number;
    final_cash: number; final_value: number; max_drawdown_pct: number; total_return_pct: number;
    all_fills_columns: string[]; all_fills: unknown[][];
  };
}
const cases: RefCase[] = JSON.parse(readFileSync(join(SHARED, 'reference', 'backtest_cases.json'), 'utf8'));
const config = loadConfig({ env: {} }).config;

function flagsFor(c: RefCase) {
  const closeSma = c.id.startsWith('e_');
  return {
    data: c.data_files.map((f) => join(SHARED, f)),
    symbols: c.symbols.join(','),
    strategy: closeSma ? 'close-sma' : 'sma-cross',
    ...(closeSma ? { period: '15' } : { fast: '15', slow: '30' }),
    qty: closeSma ? '1' : '10',
    cash: '10000',
    ...(c.commission.rate ? { commissionPct: String(c.commission.rate * 100) } : {}),
  };
}

describe('reference backtests (backtrader 1.9.78), exact', () => {
  for (const c of cases) {
    test(c.id, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ordinis-ref-'));
      const db = openDatabase({ path: join(dir, 'ref.db') });
      try {
        // Every cycle recorded (no longer the default): the check below reads their rows.
        const { result: r } = await runBacktest(toBacktestConfig(flagsFor(c) as never, 100_000), { config, db, cycleRecords: 'all' });
        const e = c.expected;
        assert.equal(r.status, 'ok');
        assert.equal(r.orders, e.orders, 'orders');
        assert.equal(r.ordersRejected, e.orders_rejected, 'orders rejected');
        assert.equal(r.trades, e.trades, 'closed trades');
        assert.equal(r.fills.length, e.fills, 'fills');
        const cols = e.all_fills_columns;
        e.all_fills.forEach((row, i) => {
          const x = Object.fromEntries(cols.map((k, j) => [k, row[j]])) as { date: string; side: string; size: number; price: number; commission: number; symbol: string };
          const f = r.fills[i]!;
          assert.equal(f.ts.slice(0, 10), x.date, `fill ${i} date`);
          assert.equal(f.symbol, x.symbol, `fill ${i} symbol`);
          assert.equal(f.side, x.side, `fill ${i} side`);
          assert.equal(f.qty, x.size, `fill ${i} size`);
          assert.ok(Math.abs(f.price - x.price) <= 1e-9, `fill ${i} price ${f.price} vs ${x.price}`);
          assert.ok(Math.abs(f.commission - x.commission) <= 1e-4, `fill ${i} commission`);
        });
        assert.ok(Math.abs(r.finalCash - e.final_cash) <= 1e-4, `final cash ${r.finalCash} vs ${e.final_cash}`);
        assert.ok(Math.abs(r.finalValue - e.final_value) <= 1e-4, `final value ${r.finalValue} vs ${e.final_value}`);
        assert.ok(Math.abs(r.maxDrawdownPct - e.max_drawdown_pct) <= 1e-6, `max DD ${r.maxDrawdownPct} vs ${e.max_drawdown_pct}`);
        assert.ok(Math.abs(r.totalReturnPct - e.total_return_pct) <= 1e-6, `total return ${r.totalReturnPct}`);
        // The run is on file: the backtest row, one row per cycle, and the result artifacts.
        const run = db.runs.getRun(r.runId)!;
        assert.equal(run.status, 'ok');
        assert.equal(run.kind, 'backtest');
        const kinds = db.runs.listArtifacts(r.runId).map((a) => a.kind).sort();
        assert.deepEqual(kinds, ['backtest_summary', 'equity_curve', 'fills', 'kpis', 'trades']);
        const cycles = db.runs.listRuns({ parentRunId: r.runId, limit: 1000 });
        assert.ok(cycles.length > 0 && cycles.every((x) => x.status === 'ok' && x.kind === 'cycle'));
      } finally {
        db.close();
      }
    });
  }
});
