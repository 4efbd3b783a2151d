// Reconciliation, the effectful part: every N cycles (LIVE_RECONCILE_EVERY) after a cycle has
// posted its fills, read our book (the ledger replayed, plus the broker fills on file it has not
// posted, plus our open orders) and the broker's (account, open orders), and diff them
// (reconcile.ts). Start-up reconciliation is recovery's (modes/recovery/: pending intents
// resolved by client order id, missing fills posted, the ledger checked against the account).
//
// Our open orders are asked for again (fetchOrder) after the account is read: a fill that
// landed at the broker since EXEC last asked is then on our side too, not a difference. A
// difference is still read twice before it counts: a fill can land between the reads, and
// that is a race, not a broken book. A
// difference that is still there on the second read activates the kill switch with the
// differences as its reason (nothing more is submitted until an operator looks), and is
// returned for the log and the run summary.

import type { ExecutionReport } from '../../domain/order.ts';
import type { BrokerAdapter } from '../../stages/exec/broker-adapter.ts';
import type { OrderStore } from '../../stages/exec/order-store.ts';
import type { LedgerStore } from '../../stages/port/ledger-store.ts';
import type { KillSwitch } from '../../kill-switch/kill-switch.ts';
import { FLAT, type BookPosition } from '../../domain/average-cost.ts';
import { postFill, replayLedger } from '../../stages/port/ledger.ts';
import { missingFills } from '../recovery/recovery.ts';
import { describeDifferences, reconcile, type BrokerBookView, type EngineBook, type ReconcileOutcome, type ReconcileTolerance } from './reconcile.ts';

export interface ReconcilerOptions {
  broker: BrokerAdapter;
  ledger: LedgerStore;
  orders: OrderStore;
  kill: KillSwitch;
  /** Cash of a ledger with no entries yet (the book's starting cash). */
  startingCash: number;
  /** Reconcile after every this many cycles (LIVE_RECONCILE_EVERY). */
  every: number;
  tolerance: ReconcileTolerance;
}

/** What one reconciliation found, and whether it tripped the kill switch. */
export interface ReconcileReport extends ReconcileOutcome {
  tripped: boolean;
}

export const RECONCILE_ACTOR = 'orch.reconcile';

export class Reconciler {
  private cycles = 0;
  /** A reconciliation is due (its turn came, or the last one could not read the broker). */
  private due = false;
  /** Reconciliations run, and the last one's report. */
  runs = 0;
  last: ReconcileReport | undefined;

  constructor(private readonly opts: ReconcilerOptions) {}

  /** Called after each cycle; reconciles on every N-th, and after each cycle while the last attempt could not read the broker. */
  async afterCycle(correlationId: string): Promise<ReconcileReport | undefined> {
    this.cycles++;
    if (this.cycles % this.opts.every === 0) this.due = true;
    if (!this.due) return undefined;
    const report = await this.check(correlationId);
    this.due = false;
    return report;
  }

  /** Reconciles now; a difference seen on two reads in a row trips the kill switch. */
  async check(correlationId: string | null): Promise<ReconcileReport> {
    this.runs++;
    let outcome = await this.readAndDiff();
    if (!outcome.clean) outcome = await this.readAndDiff();
    let tripped = false;
    if (!outcome.clean && this.opts.kill.get().state !== 'ACTIVE') {
      this.opts.kill.activate(`reconciliation: the books differ from the broker's: ${describeDifferences(outcome.differences)}`, RECONCILE_ACTOR, correlationId);
      tripped = true;
    }
    this.last = { ...outcome, tripped };
    return this.last;
  }

  private async readAndDiff(): Promise<ReconcileOutcome> {
    const { broker, orders } = this.opts;
    const account = await broker.fetchAccount();
    const open = broker.fetchOpenOrders ? await broker.fetchOpenOrders() : [];
    const current = new Map<string, ExecutionReport>();
    for (const rec of orders.listOpen()) {
      const report = await broker.fetchOrder(rec.intent.clientOrderId);
      if (report) current.set(rec.intent.clientOrderId, report);
    }
    const theirs: BrokerBookView = { cash: account.cash, positions: account.positions, openOrders: open.map((r) => r.clientOrderId) };
    return reconcile(this.engineBook(current), theirs, this.opts.tolerance);
  }

  /**
   * The ledger replayed, with the broker fills it has not posted yet: those on file and those
   * in `current` (our open orders as the broker reports them now). PORT posts them next cycle.
   */
  private engineBook(current: ReadonlyMap<string, ExecutionReport>): EngineBook {
    const entries = this.opts.ledger.loadEntries();
    const book = replayLedger(entries);
    let cash = entries.length === 0 ? this.opts.startingCash : book.cash;
    const positions = new Map<string, BookPosition>(book.positions);
    const records = this.opts.orders.listAll().map((rec) => {
      const now = current.get(rec.intent.clientOrderId);
      return now ? { ...rec, lastReport: now } : rec;
    });
    for (const f of missingFills(records, (id) => book.fills.has(id))) {
      const post = postFill(cash, positions.get(f.symbol) ?? FLAT, f, 'reconcile');
      cash = post.cash;
      positions.set(f.symbol, post.position);
    }
    return {
      cash,
      positions: new Map([...positions].filter(([, p]) => p.qty !== 0).map(([s, p]) => [s, p.qty])),
      openOrders: new Set(this.opts.orders.listOpen().map((r) => r.intent.clientOrderId)),
    };
  }
}
