// paperCycleUs100kOrders: one paper cycle (the whole pipeline through PaperRuntime, SQLite
// file, durable venue) when the book's `orders` table already holds 100 000 final orders, as
// after a long paper run. Every cycle asks for the working orders (EXEC and AUDIT), so this
// is where a query that walks the whole table instead of the partial index `orders_open`
// shows (issue 11, item 11).
//
// The ORCL sample is replayed as fast as possible (sma-cross 15/30, 10 shares); each
// cycle's time is taken from the engine observer's cycleStarted to its cycleFinished.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load.ts';
import { SAMPLE_DATA } from '../src/cli/pipeline-options.ts';
import { openDatabase } from '../src/persistence/database.ts';
import { PaperRuntime } from '../src/modes/paper/paper-runtime.ts';
import { percentiles } from './lib/stats.ts';

export interface PaperCycleResult {
  p50: number;
  p95: number;
  orders: number;
}

export interface PaperCycleDetail extends PaperCycleResult {
  p99: number;
  cycles: number;
}

export const BOOK_ORDERS = 100_000;

export async function benchPaperCycle(quick: boolean): Promise<PaperCycleDetail> {
  const cycles = quick ? 100 : 2000;
  const config = loadConfig({ env: {}, overrides: { OBS_LOG_LEVEL: 'silent' } }).config;
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-bench-paper-'));
  const db = openDatabase({ path: join(dir, 'paper.db') });
  try {
    seedOrders(db.handle, BOOK_ORDERS);
    const samples: number[] = [];
    let started = 0;
    const rt = await PaperRuntime.open({
      config,
      db,
      data: { kind: 'replay', files: [SAMPLE_DATA], symbols: ['ORCL'], speed: 0 },
      strategy: 'sma-cross',
      strategyParams: { fast: 15, slow: 30 },
      sizing: { kind: 'fixed', qty: 10 },
      cash: 100_000,
      commission: { kind: 'none' },
      maxCycles: cycles,
      observer: {
        cycleStarted: () => (started = performance.now()),
        cycleFinished: () => samples.push((performance.now() - started) * 1000),
      },
    });
    const summary = await rt.run();
    if (summary.status !== 'finished') throw new Error(`paper bench run ${summary.status}: ${summary.errors.join('; ')}`);
    const p = percentiles(samples);
    return { p50: p.p50, p95: p.p95, p99: p.p99, orders: db.handle.prepare('SELECT count(*) AS n FROM orders').pluck().get() as number, cycles: samples.length };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `n` final orders of an earlier session (filled; one in a thousand canceled). */
function seedOrders(db: import('better-sqlite3').Database, n: number): void {
  const insert = db.prepare(
    `INSERT INTO orders (client_order_id, idempotency_key, correlation_id, symbol, side, qty, intent_json, status, created_at, updated_at)
     VALUES (?, ?, ?, 'ORCL', ?, 10, ?, ?, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z')`,
  );
  db.transaction(() => {
    for (let i = 1; i <= n; i++) {
      const id = `seed-${i}`;
      const side = i % 2 === 0 ? 'sell' : 'buy';
      const intent = { clientOrderId: id, idempotencyKey: `k-${id}`, correlationId: 'seed-run', signalId: `s-${id}`, symbol: 'ORCL', side, qty: 10, orderType: 'market', timeInForce: 'day', ts: 0 };
      insert.run(id, `k-${id}`, 'seed-run', side, JSON.stringify(intent), i % 1000 === 0 ? 'canceled' : 'filled');
    }
  })();
}
