// Shared by the paper runtime tests: options for a small replay of the bundled ORCL sample,
// and an inspection of the books a paper database holds (ours and the venue's) with the
// invariants a crash must never break.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { loadConfig } from '../../../src/config/load.ts';
import type { ConfigInput, OrdinisConfig } from '../../../src/config/schema.ts';
import { openDatabase, type OrdinisDatabase } from '../../../src/persistence/database.ts';
import { SqlitePaperVenueStore } from '../../../src/persistence/sqlite-paper-venue-store.ts';
import type { ChainVerification } from '../../../src/governance/audit-chain.ts';
import type { Fill } from '../../../src/domain/order.ts';
import type { OrderRecord } from '../../../src/stages/exec/order-store.ts';
import type { PaperVenueOrder } from '../../../src/adapters/venue/paper-broker.ts';
import { replayLedger } from '../../../src/stages/port/ledger.ts';
import type { RunRow } from '../../../src/kernel/run-store.ts';
import { SAMPLE_DATA } from '../../../src/cli/pipeline-options.ts';
import { PaperRuntime, type PaperRuntimeOptions } from '../../../src/modes/paper/paper-runtime.ts';
import { NOT_RECEIVED_REASON } from '../../../src/modes/recovery/recovery.ts';
import { KILLED_BEFORE_SUBMIT } from '../../../src/stages/exec/exec-stage.ts';

export { SAMPLE_DATA };

export function tempDir(t: TestContext, prefix = 'ordinis-paper-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function testConfig(overrides: ConfigInput = {}): OrdinisConfig {
  return loadConfig({ env: {}, overrides: { OBS_LOG_LEVEL: 'silent', ...overrides } }).config;
}

/** sma-cross 5/15 on ORCL, 10 shares, 10 000 cash, replay as fast as possible. */
export function paperOptions(db: OrdinisDatabase, overrides: Partial<PaperRuntimeOptions> = {}): PaperRuntimeOptions {
  return {
    config: testConfig(),
    db,
    data: { kind: 'replay', files: [SAMPLE_DATA], symbols: ['ORCL'], to: '1995-09-30', speed: 0 },
    strategy: 'sma-cross',
    strategyParams: { fast: 5, slow: 15 },
    sizing: { kind: 'fixed', qty: 10 },
    cash: 10000,
    commission: { kind: 'none' },
    ...overrides,
  };
}

export async function openPaper(t: TestContext, path: string, overrides: Partial<PaperRuntimeOptions> = {}): Promise<{ db: OrdinisDatabase; rt: PaperRuntime }> {
  const db = openDatabase({ path });
  t.after(() => db.close());
  const rt = await PaperRuntime.open(paperOptions(db, overrides));
  t.after(() => rt.close());
  return { db, rt };
}

export interface Books {
  venueOrders: PaperVenueOrder[];
  venueFills: Fill[];
  venueCash: number;
  venuePositions: Record<string, number>;
  intents: OrderRecord[];
  /** fill id -> number of `position` ledger entries carrying it. */
  ledgerPostings: Map<string, number>;
  ledgerCash: number;
  ledgerPositions: Record<string, number>;
  audit: ChainVerification;
  runs: { running: number; aborted: RunRow[] };
}

export function readBooks(path: string): Books {
  const db = openDatabase({ path });
  try {
    const venue = SqlitePaperVenueStore.on(db);
    const state = venue.load();
    const entries = db.ledger.loadEntries();
    const book = replayLedger(entries);
    const ledgerPostings = new Map<string, number>();
    for (const e of entries) if (e.kind === 'position' && e.fillId) ledgerPostings.set(e.fillId, (ledgerPostings.get(e.fillId) ?? 0) + 1);
    const runs = db.handle.prepare('SELECT run_id FROM runs WHERE status = ?').pluck();
    return {
      venueOrders: venue.listOrders(),
      venueFills: venue.listFills(),
      venueCash: state?.cash ?? Number.NaN,
      venuePositions: Object.fromEntries((state?.positions ?? []).filter((p) => p.qty !== 0).map((p) => [p.symbol, p.qty])),
      intents: db.orders.listAll(),
      ledgerPostings,
      ledgerCash: book.cash,
      ledgerPositions: Object.fromEntries([...book.positions].filter(([, p]) => p.qty !== 0).map(([s, p]) => [s, p.qty])),
      audit: db.audit.verify(),
      runs: {
        running: (runs.all('running') as string[]).length,
        aborted: (runs.all('aborted') as string[]).map((id) => db.runs.getRun(id)!),
      },
    };
  } finally {
    db.close();
  }
}

/** What a crash must never break, whatever the moment it hit. */
export function assertBooksSound(b: Books): void {
  // No order submitted twice: one venue order per client order id, each one an intent of ours.
  const venueIds = b.venueOrders.map((o) => o.intent.clientOrderId);
  assert.equal(new Set(venueIds).size, venueIds.length, 'a client order id appears twice at the venue');
  const intentIds = b.intents.map((r) => r.intent.clientOrderId);
  assert.equal(new Set(intentIds).size, intentIds.length);
  // Intents closed unsent: at recovery (never received) or by EXEC's kill check at submission.
  // (A bracket child closed at recovery says why after the reason.)
  const notReceived = b.intents.filter((r) => r.lastReport?.rejectReason?.startsWith(NOT_RECEIVED_REASON) === true || r.lastReport?.rejectReason === KILLED_BEFORE_SUBMIT).map((r) => r.intent.clientOrderId);
  const sent = intentIds.filter((id) => !notReceived.includes(id));
  assert.deepEqual([...venueIds].sort(), [...sent].sort(), 'venue orders = our intents minus those closed as not received');
  for (const id of notReceived) assert.ok(!venueIds.includes(id), `an intent closed as not received reached the venue: ${id}`);
  // Same decision never sent twice under two ids (a bracket's stop-loss and take-profit are two orders: their terms differ).
  const decisions = b.venueOrders.map((o) => `${o.intent.symbol}|${o.intent.side}|${o.intent.qty}|${o.intent.ts}|${o.intent.orderType}|${o.intent.limitPrice}|${o.intent.stopPrice}`);
  assert.equal(new Set(decisions).size, decisions.length, 'the same decision reached the venue twice');
  assert.equal(b.intents.filter((r) => r.status === 'pending').length, 0, 'an intent is still pending');
  // Every order the venue holds has its submission audit record.
  for (const r of b.intents) if (!notReceived.includes(r.intent.clientOrderId)) assert.notEqual(r.auditRef, null, `order ${r.intent.clientOrderId} has no exec.submit audit record`);

  // No fill lost, none posted twice.
  const venueFillIds = b.venueFills.map((f) => f.fillId).sort();
  assert.deepEqual([...b.ledgerPostings.keys()].sort(), venueFillIds, 'ledger fills = venue fills');
  for (const [id, n] of b.ledgerPostings) assert.equal(n, 1, `fill ${id} posted ${n} times`);

  // The ledger replays to the venue's account.
  assert.ok(Math.abs(b.ledgerCash - b.venueCash) <= 1e-9 * Math.max(1, Math.abs(b.venueCash)), `ledger cash ${b.ledgerCash} != venue cash ${b.venueCash}`);
  assert.deepEqual(b.ledgerPositions, b.venuePositions);

  assert.equal(b.audit.ok, true, `audit chain: ${b.audit.reason}`);
  assert.equal(b.runs.running, 0, 'a run is still marked running');
}

/** The venue's executions as a trader compares two runs: what, when, at what price. */
export function fillTape(b: Books): string[] {
  return b.venueFills.map((f) => `${new Date(f.ts).toISOString().slice(0, 10)} ${f.symbol} ${f.side} ${f.qty} @ ${f.price} fee ${f.commission}`);
}
