// What a paper run reports at its end (printed by `ordinis paper`, JSON with --json): how
// it ended, what it ran, what recovery found, and where the venue's and the ledger's books
// stand. Built from the stores, so it says what is on file, not what the loop believes.

import { toRfc3339 } from '../../core/clock.ts';
import type { CycleStatus } from '../../kernel/cycle-result.ts';
import type { OrdinisDatabase } from '../../persistence/database.ts';
import type { AccountView } from '../../domain/portfolio.ts';
import type { SqlitePaperVenueStore } from '../../persistence/sqlite-paper-venue-store.ts';
import { replayLedger } from '../../stages/port/ledger.ts';
import { describeRecovery, type RecoveryReport } from '../recovery/recovery.ts';
import type { BookAction } from './paper-book.ts';

export type PaperEndReason = 'data_exhausted' | 'max_cycles' | 'stopped' | 'source_stalled' | 'recovery_failed' | 'persistence_failed';

export interface PaperRunSummary {
  sessionId: string;
  status: 'finished' | 'stopped' | 'failed' | 'refused';
  endReason: PaperEndReason;
  source: 'replay' | 'live';
  db: string;
  /** The resume point found at start (null: a fresh start). */
  resumedAfter: string | null;
  /** The resume point at the end: the last bar time whose cycle finished. */
  lastBarTime: string | null;
  warmupBars: number;
  cycles: Record<CycleStatus, number> & { total: number; skipped: number };
  ordersThisSession: number;
  recovery: { ok: boolean; summary: string; reasons: string[]; abortedRuns: string[]; pendingOrders: number; postedFills: number };
  venue: { cash: number; positions: Record<string, number>; orders: number; fills: number };
  ledger: { cash: number; positions: Record<string, number>; fills: number };
  equity: number | null;
  killSwitch: { state: string; reason: string | null };
  /** The book this run traded and what the start did with it (created, adopted, ...). */
  book: PaperBookReport;
  /** Live: the broker's name and how many reconciliations ran (the venue figures above are the broker's account). */
  broker?: { name: string; reconciliations: number };
  errors: string[];
}

export interface PaperBookReport {
  identity: string;
  action: BookAction;
  /** How the stored identity differed from this start's (adopt, new). */
  differences: string[];
  /** With --adopt: the positions (symbol → qty) and working orders the new strategy took over. */
  positionsTakenOver: Record<string, number>;
  workingOrdersTakenOver: number;
}

/** What the loop knows at the end; the rest is read from the stores. */
export interface PaperRunFacts {
  sessionId: string;
  endReason: PaperEndReason;
  source: 'replay' | 'live';
  startingCash: number;
  resumedAt: number | undefined;
  lastBarTs: number | undefined;
  warmupBars: number;
  counts: Record<CycleStatus, number>;
  skipped: number;
  recovery: RecoveryReport;
  equity: number | null;
  killSwitch: { state: string; reason: string | null };
  book: PaperBookReport;
  /** Live: the broker traded through, its account at the end (undefined: it could not be read), reconciliations run. */
  broker?: { name: string; account: AccountView | undefined; reconciliations: number };
  errors: string[];
}

const STATUS_BY_END: Record<PaperEndReason, PaperRunSummary['status']> = {
  recovery_failed: 'refused',
  source_stalled: 'failed',
  persistence_failed: 'failed',
  stopped: 'stopped',
  data_exhausted: 'finished',
  max_cycles: 'finished',
};

export function summarizePaperRun(f: PaperRunFacts, db: OrdinisDatabase, venueStore: SqlitePaperVenueStore): PaperRunSummary {
  const venue = venueStore.load();
  const venueFills = venueStore.listFills();
  const entries = db.ledger.loadEntries();
  const book = replayLedger(entries);
  const total = f.counts.ok + f.counts.degraded + f.counts.failed + f.counts.blocked;
  return {
    sessionId: f.sessionId,
    status: STATUS_BY_END[f.endReason],
    endReason: f.endReason,
    source: f.source,
    db: db.path,
    resumedAfter: iso(f.resumedAt),
    lastBarTime: iso(f.lastBarTs),
    warmupBars: f.warmupBars,
    cycles: { ...f.counts, total, skipped: f.skipped },
    ordersThisSession: db.orders.listAll().filter((o) => o.intent.correlationId.startsWith(`${f.sessionId}-`)).length,
    recovery: {
      ok: f.recovery.ok,
      summary: describeRecovery(f.recovery),
      reasons: f.recovery.reasons,
      abortedRuns: f.recovery.abortedRuns,
      pendingOrders: f.recovery.pendingOrders.length,
      postedFills: f.recovery.ledger?.postedFills.length ?? 0,
    },
    venue: f.broker ? brokerVenue(f.broker.account, db) : {
      cash: venue?.cash ?? f.startingCash,
      positions: Object.fromEntries((venue?.positions ?? []).filter((p) => p.qty !== 0).map((p) => [p.symbol, p.qty])),
      orders: venue?.orders.length ?? 0,
      fills: venueFills.length,
    },
    ledger: {
      cash: entries.length === 0 ? f.startingCash : book.cash,
      positions: Object.fromEntries([...book.positions].filter(([, p]) => p.qty !== 0).map(([s, p]) => [s, p.qty])),
      fills: book.fills.size,
    },
    equity: f.equity,
    killSwitch: f.killSwitch,
    book: f.book,
    ...(f.broker ? { broker: { name: f.broker.name, reconciliations: f.broker.reconciliations } } : {}),
    errors: f.errors,
  };
}

/**
 * A live run's venue figures: the broker's account as it answered at the end (NaN cash when it
 * could not be read: no figure is made up), our orders sent to it and the fills it reported.
 */
function brokerVenue(account: AccountView | undefined, db: OrdinisDatabase): PaperRunSummary['venue'] {
  const orders = db.orders.listAll();
  return {
    cash: account?.cash ?? Number.NaN,
    positions: Object.fromEntries([...(account?.positions ?? [])].filter(([, q]) => q !== 0)),
    orders: orders.length,
    fills: orders.reduce((n, o) => n + (o.lastReport?.fills.length ?? 0), 0),
  };
}

export function iso(ts: number | undefined): string | null {
  return ts === undefined ? null : toRfc3339(ts);
}
