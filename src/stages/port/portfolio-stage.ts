// PORT/LEDG: posts every fill EXEC captured (one commitFill per fill: entries + position in
// one transaction, duplicates ignored), marks positions at this cycle's closes, values the
// book (backtrader's operation order) and checks the ledger's invariants every cycle. A
// breach calls the kill-switch trigger and fails the stage with E_LEDG_INVARIANT_BREACH.
// On its first run it rebuilds the book from the store (crash-only start-up) or, on an
// empty ledger, posts the opening cash.

import type { ExecutionReport, Fill } from '../../domain/order.ts';
import type { AccountView, PortfolioSnapshot, Position } from '../../domain/portfolio.ts';
import { OrdinisError } from '../../errors.ts';
import type { Stage, StageContext } from '../../kernel/stage-contract.ts';
import { isPromiseLike, type MaybePromise } from '../../core/maybe-async.ts';
import { checkInvariants } from './invariants.ts';
import { FLAT, type BookPosition } from '../../domain/average-cost.ts';
import { openingCashEntry, portfolioValue, postFill, replayLedger, toPosition } from './ledger.ts';
import type { LedgerEntry, LedgerStore } from './ledger-store.ts';

export interface PortfolioStageOptions {
  ledgerStore: LedgerStore;
  /** Opening cash, posted on an empty ledger. Default 100000. */
  startingCash?: number;
  /** Called with the error on an invariant breach (wire it to the kill switch's activate). */
  onInvariantBreach?: (error: OrdinisError) => void;
  /** The broker's account, reconciled against the ledger every cycle EXEC ran. */
  account?: () => MaybePromise<AccountView>;
  /** Append an mtm entry per open position every cycle. Default false (backtests run 100k+ bars). */
  persistMarks?: boolean;
  /** Negative cash is a breach unless the account has margin. Default false. */
  allowNegativeCash?: boolean;
  /** Relative tolerance of money invariants. Default 1e-9. */
  tolerance?: number;
  /** Every N cycles, replay the whole stored ledger and compare it with the live book (0 = never). Default 0. */
  replayCheckEvery?: number;
}

/** The default PORT engine: posts fills to the average-cost ledger, values the book at the cycle's closes, and reconciles it with the broker's account. */
export class PortfolioStage implements Stage<'PORT'> {
  readonly name = 'PORT' as const;
  private initialized = false;
  private cash = 0;
  private cashFromEntries = 0;
  private fees = 0;
  private readonly positions = new Map<string, BookPosition>();
  private readonly positionsFromEntries = new Map<string, number>();
  private readonly marks = new Map<string, number>();
  private cycles = 0;
  private readonly startingCash: number;
  private readonly tolerance: number;

  constructor(private readonly opts: PortfolioStageOptions) {
    this.startingCash = opts.startingCash ?? 100000;
    this.tolerance = opts.tolerance ?? 1e-9;
    if (!Number.isFinite(this.startingCash) || this.startingCash < 0) throw new OrdinisError('E_CFG_INVALID', `portfolio: startingCash must be >= 0, got ${this.startingCash}`);
  }

  // Plain calls that go async only where the broker does, not a generator stepped by
  // runMaybeAsync: PORT runs every cycle, and each step of that allocates.
  run(ctx: StageContext): MaybePromise<PortfolioSnapshot> {
    if (!this.initialized) this.initialize(ctx);

    const batch = ctx.data.EXEC;
    // Recovered reports first (start-up only), then this cycle's.
    let posted = 0;
    if (batch) posted = this.postReports(batch.recovered, ctx.correlationId) + this.postReports(batch.resolved, ctx.correlationId);

    const bars = ctx.data.ING?.bars;
    if (bars) for (const b of bars) this.marks.set(b.symbol, b.close);

    // Open positions, marked; flat ones only carry realized PnL (summed below, in book order).
    // Built in the snapshot's Position shape: the same objects are the snapshot's positions.
    const marked: Position[] = [];
    let realized = 0;
    // By key, not by [symbol, p] entry: destructured Map entries cost an array per symbol per cycle here (measured).
    for (const symbol of this.positions.keys()) {
      const p = this.positions.get(symbol)!;
      realized += p.realizedPnl;
      if (p.qty !== 0) marked.push({ symbol, qty: p.qty, avgCost: p.avgCost, mark: this.marks.get(symbol) ?? p.avgCost, realizedPnl: p.realizedPnl });
    }

    // Reconcile with the broker only when EXEC ran: otherwise fills may sit uncaptured.
    if (!this.opts.account || !batch) return this.close(ctx, marked, realized, posted, undefined);
    const account = this.opts.account();
    // A closure only for an async broker: a synchronous one answers every cycle of a backtest.
    return isPromiseLike(account) ? account.then((broker) => this.close(ctx, marked, realized, posted, broker)) : this.close(ctx, marked, realized, posted, account);
  }

  summarize(out: PortfolioSnapshot): Record<string, unknown> {
    return { cash: out.cash, equity: out.equity, positions: out.positions.length, postedFills: out.postedFills };
  }

  /** Current book (copies), for reports and tests. */
  book(): { cash: number; fees: number; positions: Map<string, BookPosition>; marks: Map<string, number> } {
    return { cash: this.cash, fees: this.fees, positions: new Map([...this.positions].map(([s, p]) => [s, { ...p }])), marks: new Map(this.marks) };
  }

  /** Values the marked book, checks the invariants (against `broker` when given) and makes the snapshot. */
  private close(ctx: StageContext, marked: Position[], realized: number, posted: number, broker: AccountView | undefined): PortfolioSnapshot {
    const store = this.opts.ledgerStore;
    const equity = portfolioValue(this.cash, marked);
    const violations = checkInvariants({
      cash: this.cash,
      cashFromEntries: this.cashFromEntries,
      positions: this.positions,
      positionsFromEntries: this.positionsFromEntries,
      marks: this.marks,
      equity,
      broker,
      allowNegativeCash: this.opts.allowNegativeCash ?? false,
      tolerance: this.tolerance,
    });
    this.cycles += 1;
    const every = this.opts.replayCheckEvery ?? 0;
    if (every > 0 && this.cycles % every === 0) violations.push(...this.replayDifferences(store.loadEntries()));
    if (violations.length > 0) this.breach(violations);

    if (this.opts.persistMarks) {
      const mtm: LedgerEntry[] = marked.map((p) => ({
        ts: ctx.cycleTime,
        correlationId: ctx.correlationId,
        kind: 'mtm',
        symbol: p.symbol,
        amount: p.qty * (p.mark - p.avgCost),
        price: p.mark,
        fillId: null,
        memo: 'mark to market (unrealized)',
      }));
      if (mtm.length > 0) store.appendEntries(mtm);
    }

    const positions = marked;
    let gross = 0;
    let unrealized = 0;
    for (const p of marked) {
      gross += Math.abs(p.qty * p.mark);
      unrealized += p.qty * (p.mark - p.avgCost);
    }
    return {
      ts: ctx.cycleTime,
      cash: this.cash,
      equity,
      positions,
      exposure: equity !== 0 ? gross / equity : 0,
      realizedPnl: realized,
      unrealizedPnl: unrealized,
      fees: this.fees,
      postedFills: posted,
    };
  }

  /** Posts every fill of `reports` not posted yet (one commitFill each); returns how many were. */
  private postReports(reports: readonly ExecutionReport[], correlationId: string): number {
    const store = this.opts.ledgerStore;
    let posted = 0;
    for (const r of reports) {
      for (const fill of r.fills) {
        if (store.hasFill(fill.fillId)) continue;
        const unpostable = unpostableFill(fill);
        if (unpostable !== null) this.breach([unpostable]);
        const prev = this.positions.get(fill.symbol) ?? FLAT;
        const p = postFill(this.cash, prev, fill, correlationId);
        // The stored position is marked at the fill: the latest price known when it is written.
        if (!store.commitFill(fill, p.entries, toPosition(fill.symbol, p.position, fill.price))) continue;
        this.apply(p.entries);
        this.cash = p.cash;
        this.positions.set(fill.symbol, p.position);
        if (!this.marks.has(fill.symbol)) this.marks.set(fill.symbol, fill.price);
        posted += 1;
      }
    }
    return posted;
  }

  private initialize(ctx: StageContext): void {
    const store = this.opts.ledgerStore;
    const entries = store.loadEntries();
    if (entries.length === 0) {
      const open = openingCashEntry(this.startingCash, ctx.cycleTime, ctx.correlationId);
      store.appendEntries([open]);
      this.apply([open]);
      this.cash = open.amount;
    } else {
      const book = replayLedger(entries);
      this.apply(entries);
      this.cash = book.cash;
      for (const [s, p] of book.positions) this.positions.set(s, p);
      const violations: string[] = [];
      const stored = new Map(store.loadPositions().map((p) => [p.symbol, p]));
      for (const s of new Set([...stored.keys(), ...book.positions.keys()])) {
        const a = stored.get(s)?.qty ?? 0;
        const b = book.positions.get(s)?.qty ?? 0;
        if (Math.abs(a - b) > 1e-9) violations.push(`${s}: stored position ${a} != replayed ledger ${b}`);
        const mark = stored.get(s)?.mark;
        if (mark !== undefined && Number.isFinite(mark)) this.marks.set(s, mark);
      }
      if (violations.length > 0) this.breach(violations);
    }
    this.initialized = true;
  }

  /** Accumulates entries into the independent sums the invariants compare against. */
  private apply(entries: readonly LedgerEntry[]): void {
    for (const e of entries) {
      if (e.kind === 'cash') this.cashFromEntries += e.amount;
      else if (e.kind === 'fee') this.fees += e.amount;
      else if (e.kind === 'position' && e.symbol !== null) this.positionsFromEntries.set(e.symbol, (this.positionsFromEntries.get(e.symbol) ?? 0) + e.amount);
    }
  }

  private replayDifferences(entries: LedgerEntry[]): string[] {
    const book = replayLedger(entries);
    const v: string[] = [];
    if (Math.abs(book.cash - this.cash) > this.tolerance * Math.max(1, Math.abs(this.cash))) v.push(`replayed cash ${book.cash} != live cash ${this.cash}`);
    for (const s of new Set([...book.positions.keys(), ...this.positions.keys()])) {
      const a = book.positions.get(s) ?? FLAT;
      const b = this.positions.get(s) ?? FLAT;
      if (a.qty !== b.qty || Math.abs(a.avgCost - b.avgCost) > 1e-9 * Math.max(1, Math.abs(b.avgCost))) v.push(`${s}: replayed ${a.qty}@${a.avgCost} != live ${b.qty}@${b.avgCost}`);
    }
    return v;
  }

  private breachError(violations: string[]): OrdinisError {
    return new OrdinisError('E_LEDG_INVARIANT_BREACH', violations.join('; '), { details: { violations } });
  }

  private breach(violations: string[]): never {
    const err = this.breachError(violations);
    try {
      this.opts.onInvariantBreach?.(err);
    } catch {
      // The trigger failing must not hide the breach itself.
    }
    throw err;
  }
}

function unpostableFill(f: Fill): string | null {
  const ok = f.qty > 0 && Number.isFinite(f.qty) && f.price > 0 && Number.isFinite(f.price) && Number.isFinite(f.commission);
  return ok ? null : `fill ${f.fillId} is not postable (qty ${f.qty}, price ${f.price}, commission ${f.commission})`;
}
