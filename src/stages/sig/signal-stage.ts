// SIG: runs the strategy pack on each warm feature vector of the cycle and turns its
// decisions into Signals with provenance (strategyId, modelId = id@version, the vector's
// featureVersion) and a deterministic id (no randomness: same run, same ids).
//
// `decide` is shown the book (position, account, working orders) from the `book` source,
// asked once per cycle that has a warm vector, after the venue's fills on this bar.
//
// A pack that throws fails the stage with E_SIG_STRATEGY_FAILED; a decision that is not a
// valid direction/reason/confidence fails it with E_SIG_INVALID_OUTPUT. A retried attempt
// of the same cycle returns the same signals without calling the pack twice on a bar.

import { OrdinisError } from '../../errors.ts';
import type { Direction, Signal } from '../../domain/signal.ts';
import type { OrderRequest } from '../../domain/order.ts';
import type { FeatureVector } from '../../domain/features.ts';
import type { Stage, StageContext } from '../../kernel/stage-contract.ts';
import type { BookView } from '../../domain/portfolio.ts';
import { portfolioValue } from '../../domain/valuation.ts';
import { thenMaybe, type MaybePromise } from '../../core/maybe-async.ts';
import type { ResolvedStrategy } from './registry.ts';
import type { Decision, StrategyMemory, TradingView } from './strategy-pack.ts';

const DIRECTIONS: readonly Direction[] = ['LONG', 'SHORT', 'FLAT'];

export interface SignalStageOptions {
  /** The strategy (a pack bound to its parameters), e.g. `registry.resolve('sma-cross', {...})`. */
  strategy: ResolvedStrategy;
  /** Horizon label stamped on signals. Default "next_bar". */
  horizon?: string;
  /** How long a signal stays valid (ms). Default one day (86 400 000). */
  ttlMs?: number;
  /** The book `decide` is shown (e.g. `brokerBook(broker)`). Default: none (a flat position, NaN cash and equity). */
  book?: () => MaybePromise<BookView>;
}

interface SymbolMemory {
  memory: StrategyMemory;
  lastTs: number;
  lastSignals: Signal[];
}

/** The default SIG engine: calls the strategy pack's `decide` on each warm feature vector and turns its decisions into signals. */
export class SignalStage implements Stage<'SIG'> {
  readonly name = 'SIG' as const;
  readonly strategy: ResolvedStrategy;
  private readonly horizon: string;
  private readonly ttlMs: number;
  private readonly memories = new Map<string, SymbolMemory>();
  private readonly book: (() => MaybePromise<BookView>) | undefined;
  /** Last close per symbol: the marks of the equity `decide` is shown. */
  private readonly marks = new Map<string, number>();

  constructor(opts: SignalStageOptions) {
    this.strategy = opts.strategy;
    this.horizon = opts.horizon ?? 'next_bar';
    this.ttlMs = opts.ttlMs ?? 86_400_000;
    this.book = opts.book;
    if (!Number.isFinite(this.ttlMs) || this.ttlMs < 0) throw new OrdinisError('E_CFG_INVALID', `SIG ttlMs must be >= 0, got ${this.ttlMs}`);
  }

  run(ctx: StageContext): MaybePromise<Signal[]> {
    const fs = ctx.data.FEAT;
    if (fs === undefined) throw new OrdinisError('E_SIG_STRATEGY_FAILED', 'SIG needs the FEAT output of this cycle');
    const bars = ctx.data.ING?.bars;
    if (bars) for (const b of bars) this.marks.set(b.symbol, b.close);
    // The book only for a cycle with something to decide.
    if (this.book === undefined || !fs.vectors.some((v) => v.warm)) return this.decideAll(fs.vectors, ctx.correlationId, undefined);
    return thenMaybe(this.book(), (book) => this.decideAll(fs.vectors, ctx.correlationId, book));
  }

  private decideAll(vectors: readonly FeatureVector[], correlationId: string, book: BookView | undefined): Signal[] {
    const out: Signal[] = [];
    const equity = book === undefined ? Number.NaN : this.equityOf(book);
    for (const v of vectors) {
      if (!v.warm) continue;
      for (const s of this.onVector(v, correlationId, book === undefined ? NO_BOOK : this.viewOf(v.symbol, book, equity))) out.push(s);
    }
    return out;
  }

  /**
   * cash + Σ qty × last close, as PORT values the book (a position without a mark yet at its
   * average price; a venue that does not report average prices, a plain sum).
   */
  private equityOf(book: BookView): number {
    const marked: { qty: number; avgCost: number; mark: number }[] = [];
    for (const [symbol, p] of book.positions) {
      const avgCost = Number.isFinite(p.avgPrice) ? p.avgPrice : 0;
      marked.push({ qty: p.qty, avgCost, mark: this.marks.get(symbol) ?? avgCost });
    }
    return portfolioValue(book.cash, marked);
  }

  private viewOf(symbol: string, book: BookView, equity: number): TradingView {
    const p = book.positions.get(symbol);
    const mark = this.marks.get(symbol) ?? Number.NaN;
    const orders = book.openOrders.length === 0 ? NO_ORDERS : book.openOrders.filter((o) => o.symbol === symbol);
    return {
      position: p === undefined ? FLAT_POSITION : { qty: p.qty, avgPrice: p.avgPrice, entryTs: p.entryTs, unrealizedPnl: p.qty * (mark - p.avgPrice) },
      account: { cash: book.cash, equity },
      openOrders: orders,
    };
  }

  /**
   * Decides on one warm vector, shown `view` of the book: a signal per cancel (id
   * `<id>/cancel/<n>`), the direction's, then one per explicit order (id `<id>/<n>`); none when
   * the pack has nothing to say.
   */
  onVector(v: FeatureVector, correlationId: string, view: TradingView = NO_BOOK): Signal[] {
    let m = this.memories.get(v.symbol);
    if (m === undefined) {
      m = { memory: {}, lastTs: Number.NEGATIVE_INFINITY, lastSignals: NO_SIGNALS };
      this.memories.set(v.symbol, m);
    }
    if (v.ts === m.lastTs) return m.lastSignals; // retry of the same cycle: same answer
    const { pack, params, modelId, strategyId } = this.strategy;
    let d: Decision | null | undefined;
    try {
      d = pack.decide(v, m.memory, params, view);
    } catch (e) {
      throw new OrdinisError('E_SIG_STRATEGY_FAILED', `${modelId} failed on ${v.symbol} at ${new Date(v.ts).toISOString()}: ${(e as Error)?.message ?? String(e)}`, {
        cause: e,
        details: { strategy: strategyId, symbol: v.symbol, ts: v.ts },
      });
    }
    let signals = NO_SIGNALS;
    if (d !== null && d !== undefined) {
      checkDecision(d, modelId, v);
      const id = `${correlationId}:${v.symbol}:${strategyId}:${v.ts}`;
      const signal = (signalId: string, direction: Direction): Signal => ({
        signalId,
        symbol: v.symbol,
        ts: v.ts,
        direction,
        confidence: d.confidence ?? 1,
        horizon: this.horizon,
        ttlMs: this.ttlMs,
        modelId,
        strategyId,
        featureVersion: v.featureVersion,
        reason: d.reason,
      });
      signals = [];
      // Cancels first: an order a strategy replaces is gone before its replacement is checked.
      d.cancel?.forEach((clientOrderId, n) => {
        const s = signal(`${id}/cancel/${n}`, 'FLAT');
        s.cancel = clientOrderId;
        signals.push(s);
      });
      if (d.direction !== undefined) signals.push(signal(id, d.direction));
      const leaders = new Map<string, string>();
      d.orders?.forEach((o, n) => {
        const s = signal(`${id}/${n}`, o.side === 'buy' ? 'LONG' : 'SHORT');
        s.order = { ...o };
        if (o.ocoGroup !== undefined) {
          const leader = leaders.get(o.ocoGroup);
          if (leader === undefined) leaders.set(o.ocoGroup, s.signalId);
          else s.ocoLeader = leader;
        }
        signals.push(s);
      });
    }
    m.lastTs = v.ts;
    m.lastSignals = signals;
    return signals;
  }

  summarize(out: Signal[]): Record<string, unknown> {
    // { signals, <count per direction, first seen first>, modelId }, built in place: this
    // runs every cycle, and most cycles have no signal.
    const summary: Record<string, unknown> = { signals: out.length };
    for (const s of out) summary[s.direction] = ((summary[s.direction] as number | undefined) ?? 0) + 1;
    summary.modelId = this.strategy.modelId;
    return summary;
  }
}

const NO_ORDERS: TradingView['openOrders'] = Object.freeze([]);
const NO_SIGNALS: Signal[] = [];
const FLAT_POSITION: TradingView['position'] = Object.freeze({ qty: 0, avgPrice: 0, entryTs: undefined, unrealizedPnl: 0 });
/** What `decide` is shown without a book source. */
const NO_BOOK: TradingView = Object.freeze({ position: FLAT_POSITION, account: Object.freeze({ cash: Number.NaN, equity: Number.NaN }), openOrders: NO_ORDERS });

// No closure for the error: this runs on every decision, and the error is only built when one is refused.
function checkDecision(d: Decision, modelId: string, v: FeatureVector): void {
  if (typeof d !== 'object') badDecision(d, modelId, v, `decision must be an object or null, got ${typeof d}`);
  if (d.direction === undefined && d.orders === undefined && d.cancel === undefined) badDecision(d, modelId, v, 'a decision needs a direction, orders or cancel');
  if (d.direction !== undefined && !DIRECTIONS.includes(d.direction)) badDecision(d, modelId, v, `direction '${String(d.direction)}' is not LONG, SHORT or FLAT`);
  if (d.orders !== undefined) {
    if (!Array.isArray(d.orders)) badDecision(d, modelId, v, 'orders must be an array');
    d.orders.forEach((o, n) => {
      const problem = orderRequestProblem(o);
      if (problem !== null) badDecision(d, modelId, v, `orders[${n}]: ${problem}`);
    });
  }
  if (d.cancel !== undefined && (!Array.isArray(d.cancel) || !d.cancel.every((c) => typeof c === 'string' && c !== ''))) {
    badDecision(d, modelId, v, 'cancel must be an array of client order ids');
  }
  if (typeof d.reason !== 'string' || d.reason.trim() === '') badDecision(d, modelId, v, 'reason must be a non-empty string');
  if (d.confidence !== undefined && (typeof d.confidence !== 'number' || !(d.confidence >= 0 && d.confidence <= 1))) {
    badDecision(d, modelId, v, `confidence ${String(d.confidence)} is not in 0..1`);
  }
}

const ORDER_TYPES: readonly unknown[] = ['market', 'limit', 'stop', 'stop_limit', 'stop_trail', 'stop_trail_limit'];

/** What is wrong with an explicit order request, or null. */
function orderRequestProblem(o: OrderRequest): string | null {
  if (o === null || typeof o !== 'object') return 'must be an object';
  if (o.side !== 'buy' && o.side !== 'sell') return `side '${String(o.side)}' is not buy or sell`;
  const type = o.type ?? 'market';
  if (!ORDER_TYPES.includes(type)) return `type '${String(type)}' is not market, limit, stop, stop_limit, stop_trail or stop_trail_limit`;
  const price = (p: unknown): boolean => typeof p === 'number' && Number.isFinite(p) && p > 0;
  if ((type === 'limit' || type === 'stop_limit' || type === 'stop_trail_limit') && !price(o.limitPrice)) return `a ${type} order needs limitPrice > 0 (got ${String(o.limitPrice)})`;
  // A stop-trail-limit's limit is a distance from where its stop trails from: that price is given.
  if ((type === 'stop' || type === 'stop_limit' || type === 'stop_trail_limit') && !price(o.stopPrice)) return `a ${type} order needs stopPrice > 0 (got ${String(o.stopPrice)})`;
  if (type === 'stop_trail' || type === 'stop_trail_limit') {
    if ((o.trailAmount === undefined) === (o.trailPercent === undefined)) return `a ${type} order needs one of trailAmount, trailPercent`;
    if (o.trailAmount !== undefined && !price(o.trailAmount)) return `trailAmount must be > 0 (got ${String(o.trailAmount)})`;
    if (o.trailPercent !== undefined && !(typeof o.trailPercent === 'number' && o.trailPercent > 0 && o.trailPercent < 1)) return `trailPercent must be in (0, 1) (got ${String(o.trailPercent)})`;
    if (o.stopPrice !== undefined && !price(o.stopPrice)) return `stopPrice must be > 0 (got ${String(o.stopPrice)})`;
  }
  const sizings = [o.qty, o.equityFraction, o.riskFraction].filter((x) => x !== undefined).length;
  if (sizings > 1) return 'give one of qty, equityFraction, riskFraction';
  if (o.riskFraction !== undefined) {
    if (!(typeof o.riskFraction === 'number' && o.riskFraction > 0 && o.riskFraction <= 1)) return `riskFraction must be in (0, 1] (got ${String(o.riskFraction)})`;
    if (!price(o.stopDistance)) return `sizing by risk needs stopDistance > 0 (got ${String(o.stopDistance)})`;
  } else if (o.stopDistance !== undefined) return 'stopDistance is for sizing by risk (with riskFraction)';
  if (o.qty !== undefined && !(Number.isInteger(o.qty) && o.qty > 0)) return `qty must be a whole number > 0 (got ${String(o.qty)})`;
  if (o.equityFraction !== undefined && !(typeof o.equityFraction === 'number' && o.equityFraction > 0 && o.equityFraction <= 1)) {
    return `equityFraction must be in (0, 1] (got ${String(o.equityFraction)})`;
  }
  if (o.timeInForce !== undefined && o.timeInForce !== 'gtc' && o.timeInForce !== 'day') return `timeInForce '${String(o.timeInForce)}' is not gtc or day`;
  if (o.ocoGroup !== undefined && (typeof o.ocoGroup !== 'string' || o.ocoGroup === '')) return 'ocoGroup must be a non-empty string';
  if (o.ocoWith !== undefined && (typeof o.ocoWith !== 'string' || o.ocoWith === '')) return 'ocoWith must be a client order id';
  if (o.ocoWith !== undefined && o.ocoGroup !== undefined) return 'give ocoGroup or ocoWith, not both';
  if (o.bracket !== undefined) {
    const b = o.bracket;
    if (b === null || typeof b !== 'object' || (b.stopLoss === undefined && b.takeProfit === undefined)) return 'bracket needs stopLoss and/or takeProfit';
    if (b.stopLoss !== undefined && !price(b.stopLoss)) return `bracket stopLoss must be > 0 (got ${String(b.stopLoss)})`;
    if (b.takeProfit !== undefined && !price(b.takeProfit)) return `bracket takeProfit must be > 0 (got ${String(b.takeProfit)})`;
  }
  return null;
}

function badDecision(d: Decision, modelId: string, v: FeatureVector, msg: string): never {
  throw new OrdinisError('E_SIG_INVALID_OUTPUT', `${modelId} on ${v.symbol} at ${new Date(v.ts).toISOString()}: ${msg}`, {
    details: { symbol: v.symbol, ts: v.ts, decision: safeJson(d) },
  });
}

function safeJson(x: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(x)) as unknown;
  } catch {
    return String(x);
  }
}
