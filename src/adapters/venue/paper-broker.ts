// The simulated venue. It sees every bar before the cycle's strategy does (it is a
// MarketListener, fed by ING) and works its resting orders on that bar, exactly like
// backtrader's broker running before the strategy: market orders at the open; limit, stop
// and stop-limit orders by backtrader's rules (fill-rules.ts); day orders expire at the
// first bar of a later day. Cash arithmetic follows backtrader's BackBroker._execute
// operation by operation (shortcash on) so a backtest matches it to the cent. A fill
// closes part of the position first, then opens the rest:
//   closing k shares (k signed like the position): cash += k * avg + k * (price - avg);
//     cash -= commission on k
//   opening o shares (signed: a short sale is negative): cash -= o * price; cash -= commission
//     on o; refused when cash would go < 0 (then only the closing part executes)
// where avg is the position's average price (backtrader's Position.update, average-cost.ts).
// A short sale raises cash by its proceeds; the venue's value marks the negative position at
// the close. An order that both closes and opens (a reversal in one order) reports two
// fills, so the ledger posts the two parts in the venue's order.
// Synchronous on purpose: a backtest runs 100k+ bars through it.
//
// Durability (paper runtime): given a PaperVenueStore, the venue hands it every state change
// (orders created or changed, cash, positions, last bars) before the call that made the
// change returns, so a crash of our process cannot leave the venue and its own record apart,
// and `state` rebuilds the venue from that record after a restart. If a change cannot be
// stored, the venue refuses every later call (E_EXEC_BROKER_UNAVAILABLE) until it is rebuilt
// from the store: it never acts on a state its record does not have. Without a store (a
// backtest) none of this runs and the arithmetic is untouched.

import type { Clock } from '../../core/clock.ts';
import type { Bar, MarketListener } from '../../domain/market.ts';
import type { ExecutionReport, Fill, OrderIntent } from '../../domain/order.ts';
import type { AccountView, BookView, PositionDetail } from '../../domain/portfolio.ts';
import { OrdinisError } from '../../errors.ts';
import type { BrokerAdapter } from '../../stages/exec/broker-adapter.ts';
import { commissionFor, normalizeCommissionModel, type CommissionModel } from '../../domain/commission.ts';
import { nextPosition, splitTrade } from '../../domain/average-cost.ts';
import { slippedPrice } from '../../stages/exec/slippage.ts';
import { dayOrderExpired, matchOnBar } from './fill-rules.ts';
import { initialTrailStop, trailAfterBar } from '../../domain/trailing-stop.ts';
import { intentDifference } from '../../stages/exec/order-ids.ts';
import { copyReport } from '../../stages/exec/order-store.ts';

export type FillTiming = 'next_open' | 'close';

export interface PaperBrokerOptions {
  /** Cash at start. Default 100000. */
  startingCash?: number;
  /**
   * When a market order fills. Default 'next_open': at the open of the next bar of its
   * symbol (backtrader's default). 'close': at submission, at the close of the last bar
   * seen for the symbol, i.e. the bar the order was decided on (backtrader's cheat-on-close).
   */
  fillTiming?: FillTiming;
  /** Default none. */
  commission?: CommissionModel;
  /** Fixed slippage in basis points; buys pay up, sells receive down. Default 0. */
  slippageBps?: number;
  /** Time stamp of submit/cancel answers. Default: the order's decision time. */
  clock?: Clock;
  /** Prefix of broker order ids. Default 'paper'. */
  orderIdPrefix?: string;
  /** Where every state change is written (paper runtime). Default: none (a backtest's venue lives in memory). */
  store?: PaperVenueStore;
  /** A venue's state to start from (read back from its store after a restart); `startingCash` is then ignored. */
  state?: PaperVenueState;
}

/** One order as the venue holds it. */
export interface PaperVenueOrder {
  /** Submission sequence number (1, 2, ...): working orders fill in this order. */
  seq: number;
  intent: OrderIntent;
  report: ExecutionReport;
  /** Still working (waiting for a bar to fill on). */
  resting: boolean;
}

export interface PaperVenuePosition {
  symbol: string;
  qty: number;
  /** Average price (0 when flat). */
  avgPrice: number;
}

/** Everything the venue knows: enough to rebuild it after a restart. */
export interface PaperVenueState {
  cash: number;
  /** Last order sequence number handed out. */
  seq: number;
  orders: PaperVenueOrder[];
  positions: PaperVenuePosition[];
  /** Last bar seen per symbol. */
  lastBars: Bar[];
}

/** What one call changed: cash and sequence always, and the orders, positions and bars it touched. */
export interface PaperVenueChange {
  cash: number;
  seq: number;
  /** Orders created or changed, in submission order. */
  orders: PaperVenueOrder[];
  positions: PaperVenuePosition[];
  lastBars: Bar[];
}

/** The venue's own record. `commit` is synchronous and atomic: all of a change or none of it. */
export interface PaperVenueStore {
  commit(change: PaperVenueChange): void;
}

interface PaperPosition {
  qty: number;
  /** Average price (backtrader Position.price). 0 when flat. */
  avgPrice: number;
  /** Time of the fill that opened the position (left zero or went through it); undefined when flat. */
  openedTs?: number;
}

interface PaperOrder {
  seq: number;
  intent: OrderIntent;
  report: ExecutionReport;
}

/** What changed since the last commit (only kept when there is a store). */
class ChangeJournal {
  readonly orders = new Set<PaperOrder>();
  readonly positions = new Set<string>();
  readonly bars = new Set<string>();
  get empty(): boolean {
    return this.orders.size === 0 && this.bars.size === 0 && this.positions.size === 0;
  }
  clear(): void {
    this.orders.clear();
    this.positions.clear();
    this.bars.clear();
  }
}

/**
 * The simulated venue (the default broker of backtests and paper trading): fills resting market
 * orders at the next bar's open (or its close, `fillTiming: 'close'`) with backtrader's cash
 * arithmetic, commission and slippage. A `BrokerAdapter` and a `MarketListener` fed by ING.
 */
export class PaperBroker implements BrokerAdapter, MarketListener {
  readonly fillTiming: FillTiming;
  readonly commission: CommissionModel;
  readonly slippageBps: number;
  private cash: number;
  private readonly clock: Clock | undefined;
  private readonly prefix: string;
  private seq = 0;
  private readonly orders = new Map<string, PaperOrder>();
  private readonly byKey = new Map<string, string>();
  /** Working orders in submission order. */
  private resting: PaperOrder[] = [];
  private readonly positions = new Map<string, PaperPosition>();
  private readonly lastBars = new Map<string, Bar>();
  /** What fetchPositions() last returned; dropped when a position changes (never mutated once handed out). */
  private positionsView: ReadonlyMap<string, number> | undefined;
  /** fetchBook()'s positions, dropped with positionsView. */
  private detailsView: ReadonlyMap<string, PositionDetail> | undefined;
  /** Bars received since the last settlement: unsettled[0 .. unsettledCount). */
  private unsettled: Bar[] = [];
  /** How many of `unsettled` are pending (the buffer is reused from one settlement to the next). */
  private unsettledCount = 0;
  private readonly store: PaperVenueStore | undefined;
  private readonly journal: ChangeJournal | undefined;
  /** Set when a change could not be stored: the venue refuses every later call. */
  private failure: OrdinisError | undefined;

  constructor(opts: PaperBrokerOptions = {}) {
    const startingCash = opts.startingCash ?? 100000;
    if (!Number.isFinite(startingCash) || startingCash < 0) {
      throw new OrdinisError('E_CFG_INVALID', `paper broker: startingCash must be a finite number >= 0, got ${startingCash}`);
    }
    const bps = opts.slippageBps ?? 0;
    if (!Number.isFinite(bps) || bps < 0) throw new OrdinisError('E_CFG_INVALID', `paper broker: slippageBps must be >= 0, got ${bps}`);
    const timing = opts.fillTiming ?? 'next_open';
    if (timing !== 'next_open' && timing !== 'close') {
      throw new OrdinisError('E_CFG_INVALID', `paper broker: fillTiming must be next_open or close, got ${String(timing)}`);
    }
    this.cash = startingCash;
    this.fillTiming = timing;
    this.commission = normalizeCommissionModel(opts.commission);
    this.slippageBps = bps;
    this.clock = opts.clock;
    this.prefix = opts.orderIdPrefix ?? 'paper';
    this.store = opts.store;
    this.journal = opts.store ? new ChangeJournal() : undefined;
    if (opts.state) this.restore(opts.state);
  }

  // ---- durable state ------------------------------------------------------------------

  /** The venue's whole state (copies), as a store would read it back. */
  exportState(): PaperVenueState {
    this.settle();
    this.flush();
    return {
      cash: this.cash,
      seq: this.seq,
      orders: [...this.orders.values()].sort((a, b) => a.seq - b.seq).map((o) => this.orderState(o)),
      positions: [...this.positions].map(([symbol, p]) => ({ symbol, qty: p.qty, avgPrice: p.avgPrice })),
      lastBars: [...this.lastBars.values()].map((b) => ({ ...b })),
    };
  }

  private restore(state: PaperVenueState): void {
    if (!Number.isFinite(state.cash) || !Number.isInteger(state.seq) || state.seq < 0) {
      throw new OrdinisError('E_CFG_INVALID', `paper broker: stored state is not usable (cash ${state.cash}, seq ${state.seq})`);
    }
    this.cash = state.cash;
    this.seq = state.seq;
    const sorted = [...state.orders].sort((a, b) => a.seq - b.seq);
    for (const o of sorted) {
      const order: PaperOrder = { seq: o.seq, intent: { ...o.intent }, report: copyReport(o.report) };
      this.orders.set(o.intent.clientOrderId, order);
      this.byKey.set(o.intent.idempotencyKey, o.intent.clientOrderId);
      if (o.resting) this.resting.push(order);
    }
    // The record keeps no entry times: they follow from the stored fills, replayed in order.
    const opened = entryTimes(sorted);
    for (const p of state.positions) this.positions.set(p.symbol, { qty: p.qty, avgPrice: p.avgPrice, openedTs: p.qty !== 0 ? opened.get(p.symbol) : undefined });
    this.positionsView = undefined;
    this.detailsView = undefined;
    for (const b of state.lastBars) this.lastBars.set(b.symbol, { ...b });
  }

  private orderState(o: PaperOrder): PaperVenueOrder {
    return { seq: o.seq, intent: { ...o.intent }, report: copyReport(o.report), resting: this.resting.includes(o) };
  }

  /**
   * The transaction that carried this venue's last changes rolled back after the venue had
   * applied them (a caller's transaction around `submit`): its memory is ahead of its store,
   * so it refuses every later call, as after a failed commit, until rebuilt from the store.
   */
  invalidate(cause: unknown): void {
    this.failure ??= new OrdinisError(
      'E_EXEC_BROKER_UNAVAILABLE',
      `paper venue: a state change was rolled back with its transaction (${cause instanceof Error ? cause.message : String(cause)}); the venue refuses further calls until it is rebuilt from its store`,
      { cause },
    );
  }

  private assertUsable(): void {
    if (this.failure) throw this.failure;
  }

  /** Hands what changed to the store; a store failure makes the venue refuse from now on. */
  private flush(): void {
    const j = this.journal;
    if (j === undefined || j.empty) return;
    const change: PaperVenueChange = {
      cash: this.cash,
      seq: this.seq,
      orders: [...j.orders].sort((a, b) => a.seq - b.seq).map((o) => this.orderState(o)),
      positions: [...j.positions].map((symbol) => {
        const p = this.positions.get(symbol) ?? { qty: 0, avgPrice: 0 };
        return { symbol, qty: p.qty, avgPrice: p.avgPrice };
      }),
      lastBars: [...j.bars].map((s) => ({ ...this.lastBars.get(s)! })),
    };
    j.clear();
    try {
      this.store!.commit(change);
    } catch (e) {
      this.failure = new OrdinisError(
        'E_EXEC_BROKER_UNAVAILABLE',
        `paper venue: a state change could not be stored (${e instanceof Error ? e.message : String(e)}); the venue refuses further calls until it is rebuilt from its store`,
        { cause: e },
      );
      throw this.failure;
    }
  }

  // ---- MarketListener ------------------------------------------------------------------

  /**
   * A new bar. Fills are settled lazily, at the next look at the broker (any fetch, submit
   * or cancel): every bar that arrived by then is applied time step by time step, and
   * within a step working orders fill in submission order across symbols (backtrader's
   * pending queue), whatever order ING delivered the step's bars in.
   */
  onBar(bar: Bar): void {
    this.assertUsable();
    this.takeBar(bar);
    this.flush();
  }

  /** Several bars at once (e.g. all the bars of one time step). */
  onBars(bars: readonly Bar[]): void {
    this.assertUsable();
    for (const b of bars) this.takeBar(b);
    this.flush();
  }

  private takeBar(bar: Bar): void {
    this.lastBars.set(bar.symbol, bar);
    this.journal?.bars.add(bar.symbol);
    if (this.resting.length > 0) this.unsettled[this.unsettledCount++] = bar;
  }

  private settle(): void {
    const n = this.unsettledCount;
    if (n === 0) return;
    const bars = this.unsettled;
    this.unsettledCount = 0;
    if (this.settleOneStep(bars, n)) return;
    // Group by time step, oldest first; a later bar of the same symbol and step wins.
    const steps = new Map<number, Map<string, Bar>>();
    for (let i = 0; i < n; i++) {
      const b = bars[i]!;
      let m = steps.get(b.ts);
      if (!m) steps.set(b.ts, (m = new Map()));
      m.set(b.symbol, b);
    }
    for (const ts of [...steps.keys()].sort((a, b) => a - b)) {
      const now = steps.get(ts)!;
      const still: PaperOrder[] = [];
      for (const o of this.resting) {
        if (o.report.status !== 'submitted') continue; // ended by its bracket on this step
        const bar = now.get(o.intent.symbol);
        // An order can only execute on a bar after the one it was decided on.
        if (bar === undefined || bar.ts <= o.intent.ts || this.work(o, bar)) still.push(o);
      }
      this.resting = stillWorking(still);
    }
  }

  /**
   * The usual case, one pass without grouping: every unsettled bar has the same time (a
   * backtest's time step). Returns false, untouched, otherwise.
   */
  private settleOneStep(bars: readonly Bar[], n: number): boolean {
    const ts = bars[0]!.ts;
    if (n > 1) {
      for (let i = 1; i < n; i++) if (bars[i]!.ts !== ts) return false;
    }
    // Few working orders: look each one's symbol up from the end (a later bar of a symbol
    // wins, as in settle()); many: index the bars once.
    let bySymbol: Map<string, Bar> | undefined;
    if (this.resting.length > 8) {
      bySymbol = new Map();
      for (let i = 0; i < n; i++) bySymbol.set(bars[i]!.symbol, bars[i]!);
    }
    const still: PaperOrder[] = [];
    for (const o of this.resting) {
      if (o.report.status !== 'submitted') continue; // ended by its bracket on this step
      const bar = bySymbol ? bySymbol.get(o.intent.symbol) : lastBarOf(bars, n, o.intent.symbol);
      if (bar === undefined || bar.ts <= o.intent.ts || this.work(o, bar)) still.push(o);
    }
    this.resting = stillWorking(still);
    return true;
  }

  /**
   * One working order on a bar after the one it was decided on (backtrader's pending loop):
   * a day order of an earlier day expires, otherwise the fill rules decide. Whether it is
   * still working.
   */
  private work(o: PaperOrder, bar: Bar): boolean {
    const i = o.intent;
    if (i.timeInForce === 'day' && i.orderType !== 'market' && dayOrderExpired(i.ts, bar.ts)) {
      this.finish(o, 'canceled', `expired: a day order decided on ${new Date(i.ts).toISOString().slice(0, 10)} did not fill that day`, bar.ts);
      this.endLinked(o, 'expired', bar.ts);
      return false;
    }
    // A bracket child works from the bar after its parent filled (backtrader activates it then).
    if (i.parentId !== undefined) {
      const parent = this.orders.get(i.parentId);
      if (parent === undefined || parent.report.status !== 'filled' || bar.ts <= parent.report.ts) return true;
    }
    const triggered = o.report.triggered === true;
    const trails = i.orderType === 'stop_trail' || i.orderType === 'stop_trail_limit';
    const stopPrice = trails ? o.report.trailStop : i.stopPrice;
    const limitPrice = i.orderType === 'stop_trail_limit' ? o.report.trailLimit : i.limitPrice;
    const m = matchOnBar({ side: i.side, orderType: i.orderType, limitPrice, stopPrice, triggered }, bar, this.slippageBps);
    if (m.triggered && !triggered) {
      o.report.triggered = true;
      this.journal?.orders.add(o);
    }
    if (m.price === undefined) {
      // backtrader trails a stop-trail-limit until a bar begins with it triggered (the bar
      // that triggers it still trails it, stop and limit together).
      if (i.orderType === 'stop_trail' || (i.orderType === 'stop_trail_limit' && !triggered)) {
        const moved = trailAfterBar(i.side, o.report.trailStop!, bar.close, i.trailAmount, i.trailPercent);
        if (moved !== o.report.trailStop) {
          if (i.orderType === 'stop_trail_limit') o.report.trailLimit = moved - trailLimitOffset(i);
          o.report.trailStop = moved;
          this.journal?.orders.add(o);
        }
      }
      return true;
    }
    this.execute(o, m.price, m.base, bar.ts);
    return false;
  }

  /**
   * Forgets finished orders (filled, rejected, canceled) so a long run's venue does not keep
   * every order it ever saw: those given, or every finished one when none are given. For a
   * venue that lives in memory only (a backtest, whose driver releases from its order store
   * what it has captured): a forgotten order is unknown to fetchOrder and its idempotency key
   * is free again. A working order is never forgotten. A venue with a store refuses (its
   * record must keep every order).
   */
  forgetFinished(clientOrderIds?: Iterable<string>): number {
    this.assertUsable();
    if (this.store !== undefined) {
      throw new OrdinisError('E_INTERNAL', 'paper broker: forgetFinished is for an in-memory venue only (this one keeps a durable record)');
    }
    this.settle();
    let n = 0;
    if (clientOrderIds === undefined) {
      for (const [id, o] of this.orders) if (this.forget(id, o)) n++;
    } else {
      for (const id of clientOrderIds) {
        const o = this.orders.get(id);
        if (o !== undefined && this.forget(id, o)) n++;
      }
    }
    return n;
  }

  /** Forgets one order if it is finished; whether it did. */
  private forget(id: string, o: PaperOrder): boolean {
    if (o.report.status !== 'filled' && o.report.status !== 'rejected' && o.report.status !== 'canceled') return false;
    if (this.resting.includes(o)) return false;
    if (this.resting.some((w) => w.intent.parentId === id)) return false; // a parent whose children still work
    this.orders.delete(id);
    if (this.byKey.get(o.intent.idempotencyKey) === id) this.byKey.delete(o.intent.idempotencyKey);
    return true;
  }

  /** Orders the venue still holds (working and finished), e.g. to check that forgetting keeps memory flat. */
  get ordersHeld(): number {
    return this.orders.size;
  }

  // ---- BrokerAdapter -------------------------------------------------------------------

  submit(intent: OrderIntent): ExecutionReport {
    this.assertUsable();
    this.settle();
    const known = this.byKey.get(intent.idempotencyKey) ?? (this.orders.has(intent.clientOrderId) ? intent.clientOrderId : undefined);
    if (known !== undefined) {
      this.flush();
      const existing = this.orders.get(known)!;
      const diff = intentDifference(existing.intent, intent);
      if (diff !== null) {
        throw new OrdinisError('E_EXEC_IDEMPOTENCY_CONFLICT', `order ${intent.clientOrderId} / key ${intent.idempotencyKey}: ${diff}`, {
          details: { clientOrderId: intent.clientOrderId, idempotencyKey: intent.idempotencyKey, difference: diff },
        });
      }
      return copyReport(existing.report);
    }

    this.seq += 1;
    const ts = this.clock ? this.clock.now() : intent.ts;
    const order: PaperOrder = {
      seq: this.seq,
      intent: { ...intent },
      report: {
        orderId: `${this.prefix}-${this.seq}`,
        clientOrderId: intent.clientOrderId,
        symbol: intent.symbol,
        side: intent.side,
        status: 'submitted',
        qty: intent.qty,
        filledQty: 0,
        fills: [],
        fees: 0,
        slippage: 0,
        ts,
      },
    };
    this.orders.set(intent.clientOrderId, order);
    this.byKey.set(intent.idempotencyKey, intent.clientOrderId);
    this.journal?.orders.add(order);

    const invalid = validateIntent(intent) ?? this.parentProblem(intent);
    const trails = intent.orderType === 'stop_trail' || intent.orderType === 'stop_trail_limit';
    const base = trails ? (intent.stopPrice ?? this.lastBars.get(intent.symbol)?.close) : undefined;
    if (invalid !== null) {
      this.reject(order, invalid, ts);
    } else if (trails && base === undefined) {
      this.reject(order, `no bar seen for ${intent.symbol}: no close for the trailing stop to start from (give stopPrice)`, ts);
    } else if (this.fillTiming === 'close' && intent.orderType === 'market') {
      // Cheat-on-close is for market orders (backtrader's coc); the other types rest.
      const bar = this.lastBars.get(intent.symbol);
      if (bar === undefined) this.reject(order, `no bar seen for ${intent.symbol}: no close to fill at`, ts);
      else this.execute(order, slippedPrice(intent.side, bar.close, this.slippageBps, bar), bar.close, bar.ts);
    } else {
      if (base !== undefined) {
        order.report.trailStop = initialTrailStop(intent.side, base, intent.trailAmount, intent.trailPercent);
        // backtrader: the limit keeps the distance it had from where the stop trails from.
        if (intent.orderType === 'stop_trail_limit') order.report.trailLimit = order.report.trailStop - trailLimitOffset(intent);
      }
      this.resting.push(order);
    }
    this.flush();
    return copyReport(order.report);
  }

  cancel(clientOrderId: string): ExecutionReport {
    this.assertUsable();
    this.settle();
    const o = this.orders.get(clientOrderId);
    if (!o) {
      this.flush();
      throw new OrdinisError('E_EXEC_ORDER_UNKNOWN', `paper broker: no order ${clientOrderId}`, { details: { clientOrderId } });
    }
    const i = this.resting.indexOf(o);
    if (i >= 0) {
      this.resting.splice(i, 1);
      o.report.status = 'canceled';
      o.report.ts = this.clock ? this.clock.now() : o.report.ts;
      this.journal?.orders.add(o);
      this.endLinked(o, 'canceled', o.report.ts);
      this.resting = stillWorking(this.resting);
    }
    this.flush();
    return copyReport(o.report);
  }

  // ---- brackets (backtrader's _bracketize) --------------------------------------------------

  /** Why a bracket child cannot be taken: its parent must be a working order that is no child itself. */
  private parentProblem(intent: OrderIntent): string | null {
    if (intent.ocoWith !== undefined && !this.orders.has(intent.ocoWith)) return `oco order ${intent.ocoWith} is unknown`;
    if (intent.parentId === undefined) return null;
    const parent = this.orders.get(intent.parentId);
    if (parent === undefined || !this.resting.includes(parent)) return `bracket parent ${intent.parentId} is not a working order`;
    if (parent.intent.parentId !== undefined) return `bracket parent ${intent.parentId} is itself a bracket child`;
    return null;
  }

  /**
   * `o` filled or ended unfilled: its bracket and its OCO group follow (backtrader's
   * _bracketize and _ococheck, called on the same events).
   */
  private endLinked(o: PaperOrder, event: string, ts: number): void {
    this.endBracket(o, `bracket ${this.bracketOf(o)}: ${o.intent.clientOrderId} ${event}`, ts);
    const group = this.ocoGroupOf(o);
    for (const w of this.resting) {
      if (w !== o && w.report.status === 'submitted' && this.ocoGroupOf(w) === group) this.finish(w, 'canceled', `oco ${group}: ${o.intent.clientOrderId} ${event}`, ts);
    }
  }

  /** An order's OCO group: the group of the order it was linked to (`ocoWith`), else its own id (a group of one). */
  private ocoGroupOf(o: PaperOrder): string {
    let id = o.intent.clientOrderId;
    for (let link = o.intent.ocoWith; link !== undefined; ) {
      id = link;
      link = this.orders.get(link)?.intent.ocoWith;
    }
    return id;
  }

  /** The client order id of a member's bracket (its parent's, or its own). */
  private bracketOf(o: PaperOrder): string {
    return o.intent.parentId ?? o.intent.clientOrderId;
  }

  /**
   * `o` left its bracket: filled (a child: its siblings are canceled, one cancels the other),
   * or ended unfilled (canceled, expired, rejected: every other member still working is
   * canceled). A parent that fills keeps its children. Members are only marked: the settle
   * loop and cancel drop them from the working list.
   */
  private endBracket(o: PaperOrder, reason: string, ts: number): void {
    const root = this.bracketOf(o);
    const filledParent = o.report.status === 'filled' && o.intent.parentId === undefined;
    if (filledParent) return;
    for (const w of this.resting) {
      if (w === o || w.report.status !== 'submitted') continue;
      if (w.intent.clientOrderId === root || w.intent.parentId === root) this.finish(w, 'canceled', reason, ts);
    }
  }

  fetchOrder(clientOrderId: string): ExecutionReport | undefined {
    this.assertUsable();
    this.settle();
    this.flush();
    const o = this.orders.get(clientOrderId);
    return o ? copyReport(o.report) : undefined;
  }

  fetchOpenOrders(): ExecutionReport[] {
    this.assertUsable();
    this.settle();
    this.flush();
    return this.resting.map((o) => copyReport(o.report));
  }

  fetchPositions(): ReadonlyMap<string, number> {
    this.assertUsable();
    this.settle();
    this.flush();
    if (this.positionsView !== undefined) return this.positionsView;
    const m = new Map<string, number>();
    for (const [s, p] of this.positions) if (p.qty !== 0) m.set(s, p.qty);
    this.positionsView = m;
    return m;
  }

  /** Cash, each position with its average price and entry time, and the working orders (copies): what a strategy is shown. */
  fetchBook(): BookView {
    const { cash } = this.fetchAccount(); // settles first
    if (this.detailsView === undefined) {
      const m = new Map<string, PositionDetail>();
      for (const [s, p] of this.positions) if (p.qty !== 0) m.set(s, { qty: p.qty, avgPrice: p.avgPrice, entryTs: p.openedTs });
      this.detailsView = m;
    }
    return { cash, positions: this.detailsView, openOrders: this.resting.map((o) => ({ ...o.intent })) };
  }

  fetchAccount(): AccountView {
    const positions = this.fetchPositions(); // settles first: cash must include this bar's fills
    return { cash: this.cash, positions };
  }

  /** Average price of a position (0 when flat), as the venue books it. */
  averagePrice(symbol: string): number {
    this.assertUsable();
    this.settle();
    this.flush();
    return this.positions.get(symbol)?.avgPrice ?? 0;
  }

  // ---- fills ---------------------------------------------------------------------------

  /**
   * Executes an order at `price` (slippage included; `basePrice` before it), closing part of
   * the position first and opening the rest (backtrader's _execute). An opening part cash
   * cannot pay for is refused: the order is rejected, with the closing part's fill if any.
   */
  private execute(o: PaperOrder, price: number, basePrice: number, ts: number): void {
    const { side, qty, symbol } = o.intent;
    const pos = this.positions.get(symbol) ?? { qty: 0, avgPrice: 0 };
    const signed = side === 'buy' ? qty : -qty;
    const { closed, opened } = splitTrade(pos.qty, signed);
    const parts: { qty: number; commission: number }[] = [];
    let cash = this.cash;
    let position = { qty: pos.qty, avgCost: pos.avgPrice, realizedPnl: 0 };
    if (closed !== 0) {
      const k = -closed;
      const commission = this.commissionOf(Math.abs(closed), price, 0);
      cash += k * pos.avgPrice + k * (price - pos.avgPrice);
      cash -= commission;
      parts.push({ qty: Math.abs(closed), commission });
      position = nextPosition(position, closed, price).position;
    }
    let refused: string | undefined;
    if (opened !== 0) {
      const commission = this.commissionOf(Math.abs(opened), price, parts.length);
      let after = cash;
      after -= opened * price;
      after -= commission;
      if (after < 0) {
        refused = `insufficient cash at fill: cost ${Math.abs(opened) * price} + commission ${commission} > cash ${cash}`;
      } else {
        cash = after;
        parts.push({ qty: Math.abs(opened), commission });
        position = nextPosition(position, opened, price).position;
      }
    }
    if (parts.length === 0) {
      this.reject(o, refused!, ts);
      this.endLinked(o, 'rejected', ts);
      return;
    }
    this.cash = cash;
    if (position.qty === 0) pos.openedTs = undefined;
    else if (pos.qty === 0 || Math.sign(position.qty) !== Math.sign(pos.qty)) pos.openedTs = ts;
    pos.qty = position.qty;
    pos.avgPrice = position.avgCost;
    this.positions.set(symbol, pos);
    this.positionsView = undefined;
    this.detailsView = undefined;
    this.journal?.positions.add(symbol);
    this.journal?.orders.add(o);

    const r = o.report;
    r.fills = parts.map((p, n) => ({ fillId: `${r.orderId}-${n + 1}`, clientOrderId: o.intent.clientOrderId, symbol, side, qty: p.qty, price, commission: p.commission, ts }) satisfies Fill);
    r.filledQty = parts.reduce((a, p) => a + p.qty, 0);
    r.avgPrice = price;
    r.fees = parts.reduce((a, p) => a + p.commission, 0);
    r.slippage = Math.abs(price - basePrice) * r.filledQty;
    r.ts = ts;
    if (refused === undefined) r.status = 'filled';
    else {
      r.status = 'rejected';
      r.rejectReason = `${refused}; the closing ${r.filledQty} executed`;
    }
    this.endLinked(o, r.status, ts);
  }

  /** Commission of one part of a fill; a flat per-order fee is charged on the first part only. */
  private commissionOf(qty: number, price: number, partIndex: number): number {
    return this.commission.kind === 'fixed' && partIndex > 0 ? 0 : commissionFor(this.commission, qty, price);
  }

  /** An order leaves the book without a fill (expired; `reject` for refusals). */
  private finish(o: PaperOrder, status: 'canceled', reason: string, ts: number): void {
    o.report.status = status;
    o.report.rejectReason = reason;
    o.report.ts = ts;
    this.journal?.orders.add(o);
  }

  private reject(o: PaperOrder, reason: string, ts: number): void {
    o.report.status = 'rejected';
    o.report.rejectReason = reason;
    o.report.ts = ts;
    this.journal?.orders.add(o);
  }
}

/** When each symbol's current position was opened, from the orders' fills replayed in time order (submission order within a time). */
function entryTimes(orders: readonly PaperVenueOrder[]): Map<string, number> {
  const fills = orders.flatMap((o, n) => o.report.fills.map((f) => ({ f, n })));
  fills.sort((a, b) => a.f.ts - b.f.ts || a.n - b.n);
  const qty = new Map<string, number>();
  const opened = new Map<string, number>();
  for (const { f } of fills) {
    const before = qty.get(f.symbol) ?? 0;
    const after = before + (f.side === 'buy' ? f.qty : -f.qty);
    qty.set(f.symbol, after);
    if (after === 0) opened.delete(f.symbol);
    else if (before === 0 || Math.sign(after) !== Math.sign(before)) opened.set(f.symbol, f.ts);
  }
  return opened;
}

/** The orders of a working list still working (bracket members a cascade ended drop out). */
function stillWorking(orders: PaperOrder[]): PaperOrder[] {
  return orders.every((o) => o.report.status === 'submitted') ? orders : orders.filter((o) => o.report.status === 'submitted');
}

function lastBarOf(bars: readonly Bar[], n: number, symbol: string): Bar | undefined {
  for (let i = n - 1; i >= 0; i--) if (bars[i]!.symbol === symbol) return bars[i];
  return undefined;
}

function validateIntent(i: OrderIntent): string | null {
  if (typeof i.symbol !== 'string' || i.symbol === '') return 'symbol missing';
  if (i.side !== 'buy' && i.side !== 'sell') return `invalid side ${String(i.side)}`;
  if (!Number.isFinite(i.qty) || i.qty <= 0) return `invalid qty ${i.qty}`;
  // Refused rather than worked as gtc (as it was): backtrader's BackBroker, whose fills this
  // venue reproduces, has no immediate-or-cancel (an order's valid is none, a date or time,
  // or DAY), so there is no reference for what the next bar should fill of one.
  if (i.timeInForce !== 'gtc' && i.timeInForce !== 'day') return `time in force ${String(i.timeInForce)} is not simulated by the paper venue (gtc or day; ioc is for a live broker)`;
  switch (i.orderType) {
    case 'market':
      return null;
    case 'limit':
      return positivePrice(i.limitPrice, 'limitPrice', i.orderType);
    case 'stop':
      return positivePrice(i.stopPrice, 'stopPrice', i.orderType);
    case 'stop_limit':
      return positivePrice(i.stopPrice, 'stopPrice', i.orderType) ?? positivePrice(i.limitPrice, 'limitPrice', i.orderType);
    case 'stop_trail':
    case 'stop_trail_limit': {
      if ((i.trailAmount === undefined) === (i.trailPercent === undefined)) return `a ${i.orderType} order needs one of trailAmount, trailPercent`;
      const trail = i.trailAmount !== undefined ? positivePrice(i.trailAmount, 'trailAmount', i.orderType) : typeof i.trailPercent === 'number' && i.trailPercent > 0 && i.trailPercent < 1 ? null : `a ${i.orderType} order needs trailPercent in (0, 1) (got ${String(i.trailPercent)})`;
      if (i.orderType === 'stop_trail_limit') {
        // Its limit is set as a distance from where the stop trails from, so that price is
        // given (backtrader's StopTrailLimit needs its price with its limit too).
        return trail ?? positivePrice(i.stopPrice, 'stopPrice', i.orderType) ?? positivePrice(i.limitPrice, 'limitPrice', i.orderType);
      }
      return trail ?? (i.stopPrice === undefined ? null : positivePrice(i.stopPrice, 'stopPrice', i.orderType));
    }
    default:
      return `order type ${String(i.orderType)} is not market, limit, stop, stop_limit, stop_trail or stop_trail_limit`;
  }
}

/** A stop-trail-limit's limit below its stop (negative above), as backtrader's _limitoffset: stopPrice − limitPrice. */
function trailLimitOffset(i: OrderIntent): number {
  return i.stopPrice! - i.limitPrice!;
}

function positivePrice(p: number | undefined, name: string, type: string): string | null {
  return typeof p === 'number' && Number.isFinite(p) && p > 0 ? null : `a ${type} order needs ${name} > 0 (got ${String(p)})`;
}
