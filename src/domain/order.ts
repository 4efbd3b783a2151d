// Orders, broker answers and fills (EXEC).

import type { ErrorCode } from '../errors.ts';
import type { RiskReasonCode } from './risk.ts';

/** Buy or sell. */
export type OrderSide = 'buy' | 'sell';
/**
 * How an order executes (backtrader's BackBroker rules, see the paper broker): `market` at the
 * next open; `limit` at the open if the open is through `limitPrice`, else at `limitPrice` if the
 * bar reaches it; `stop` at the open on a gap through `stopPrice`, else at `stopPrice` inside the
 * bar; `stop_limit` becomes a `limit` at `limitPrice` once `stopPrice` is touched; `stop_trail`
 * is a stop that follows the close by `trailAmount` (or `trailPercent` of it), only ever
 * tightening: it starts at (`stopPrice`, else the decision close) ∓ the trail;
 * `stop_trail_limit` is a `stop_limit` whose stop trails so, its limit moving with the stop at
 * the distance `limitPrice` had from where the stop trails from (backtrader's StopTrailLimit:
 * it starts at `limitPrice` ∓ the trail), until the stop is touched. Not at every venue: the
 * paper venue works it; Alpaca and ccxt refuse it.
 */
export type OrderType = 'market' | 'limit' | 'stop' | 'stop_limit' | 'stop_trail' | 'stop_trail_limit';
/**
 * How long an order works: `gtc` until filled or canceled; `day` for the calendar day (UTC) of
 * the bar it was decided on, so on daily bars it expires at the next bar unfilled (backtrader's
 * `Order.DAY`; a market order never expires); `ioc` only at a live broker that has it (the paper
 * venue rejects it: backtrader has no immediate-or-cancel to match).
 */
export type TimeInForce = 'day' | 'gtc' | 'ioc';

/**
 * An order a strategy asks for explicitly (instead of, or besides, a direction). Sized in
 * shares (`qty`), as a fraction of equity (`equityFraction`: floor(fraction × equity / the
 * order's price), whole shares), by risk (`riskFraction` of equity lost if the price moves
 * `stopDistance` against it: floor(riskFraction × equity / stopDistance), e.g. a stop 2 × ATR
 * away), or by RISK's sizing when none is given.
 */
export interface OrderRequest {
  side: OrderSide;
  /** Default 'market'. */
  type?: OrderType;
  /** Whole shares > 0. */
  qty?: number;
  /** In (0, 1]: a fraction of equity at the order's price (its limit, its stop, or for a market order the close). */
  equityFraction?: number;
  /** In (0, 1]: the fraction of equity to risk over `stopDistance` (sizing by risk). */
  riskFraction?: number;
  /** > 0, money per share: how far the protective stop is (with `riskFraction`). */
  stopDistance?: number;
  /** Required by `limit`, `stop_limit` and `stop_trail_limit` (where its limit starts before the trail). */
  limitPrice?: number;
  /** Required by `stop`, `stop_limit` and `stop_trail_limit`; for `stop_trail` the price it trails from at the start (default the close). */
  stopPrice?: number;
  /** `stop_trail`, `stop_trail_limit`: the distance, in money (one of trailAmount, trailPercent). */
  trailAmount?: number;
  /** `stop_trail`, `stop_trail_limit`: the distance as a fraction of the close, in (0, 1). */
  trailPercent?: number;
  /** Default 'gtc'. */
  timeInForce?: 'gtc' | 'day';
  /**
   * A bracket around this (entry) order: a stop-loss (a stop order) and/or a take-profit (a
   * limit order) on the other side for the same size, working once the entry fills; one
   * cancels the other (backtrader's buy_bracket / sell_bracket).
   */
  bracket?: { stopLoss?: number; takeProfit?: number };
  /**
   * One-cancels-others: the orders of one decision with the same label form a group; when
   * any of them fills, or ends unfilled, the others are canceled (backtrader's `oco=`).
   */
  ocoGroup?: string;
  /** One-cancels-others with a working order of an earlier bar: its client order id (see `book.openOrders`). */
  ocoWith?: string;
}

/** The terms of an order besides side and size: type, prices, how long it works. */
export interface OrderTerms {
  orderType: OrderType;
  limitPrice?: number;
  stopPrice?: number;
  trailAmount?: number;
  trailPercent?: number;
  timeInForce?: TimeInForce;
  /** One-cancels-others with this working order (client order id). */
  ocoWith?: string;
}

/** What we intend to send. Persisted (unique idempotency key) before it is submitted. */
export interface OrderIntent {
  clientOrderId: string;
  idempotencyKey: string;
  correlationId: string;
  signalId: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  orderType: OrderType;
  /** The limit of a `limit` or `stop_limit` order. */
  limitPrice?: number;
  /** The trigger of a `stop` or `stop_limit` order; where a `stop_trail` order trails from at the start (default: the close of the bar it was decided on). */
  stopPrice?: number;
  /** A `stop_trail` order's distance in money. */
  trailAmount?: number;
  /** A `stop_trail` order's distance as a fraction of the close. */
  trailPercent?: number;
  /**
   * A bracket child (stop-loss or take-profit): the client order id of its parent. It works
   * only from the bar after the parent filled; when one child fills the others are canceled;
   * when any member ends unfilled (canceled, expired, rejected) the rest are canceled.
   */
  parentId?: string;
  /**
   * One-cancels-others: the client order id of an order this one is grouped with (backtrader's
   * `oco=`); when any member of the group fills, or ends unfilled, the others are canceled.
   */
  ocoWith?: string;
  timeInForce: TimeInForce;
  /** Decision time (ms). */
  ts: number;
}

export type OrderStatus = 'submitted' | 'partial_fill' | 'filled' | 'rejected' | 'canceled';

/** One execution of (part of) an order at the venue: quantity, price, commission, time. */
export interface Fill {
  fillId: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  price: number;
  commission: number;
  /** Fill time (ms). */
  ts: number;
}

/** The venue's answer about one order: status, filled quantity, fills, fees. */
export interface ExecutionReport {
  orderId: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  status: OrderStatus;
  qty: number;
  filledQty: number;
  fills: Fill[];
  avgPrice?: number;
  fees: number;
  slippage: number;
  rejectReason?: string;
  /** A `stop_limit` order whose stop was touched: it now works as a limit order. */
  triggered?: boolean;
  /** A working `stop_trail` or `stop_trail_limit` order's stop as it stands now. */
  trailStop?: number;
  /** A working `stop_trail_limit` order's limit as it stands now (its stop's distance from it never changes). */
  trailLimit?: number;
  ts: number;
}

/**
 * The report of an order a venue refused before taking it: nothing filled, no fees. `orderId`
 * is what the venue calls it (none: ''), `ts` when it was refused.
 */
export function refusedOrderReport(intent: OrderIntent, reason: string, orderId: string, ts: number): ExecutionReport {
  return {
    orderId,
    clientOrderId: intent.clientOrderId,
    symbol: intent.symbol,
    side: intent.side,
    status: 'rejected',
    qty: intent.qty,
    filledQty: 0,
    fills: [],
    fees: 0,
    slippage: 0,
    rejectReason: reason,
    ts,
  };
}

/** A decision EXEC did not carry out, and why (kill switch, governance, a cancel of no open order). */
export interface ExecRefusal {
  signalId: string;
  symbol: string;
  /** E_KILL_ACTIVE, E_GOV_DENIED, or E_EXEC_ORDER_UNKNOWN (a strategy's cancel of no open order). */
  code: ErrorCode;
  reason: string;
}

/** An order RISK's submission cash check rejected: an order in the backtrader sense, never sent. */
export interface RiskRejectedOrder {
  signalId: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  referencePrice: number;
  reason: RiskReasonCode;
  ts: number;
}

/**
 * EXEC's output: orders submitted this cycle and reports captured for earlier ones, plus
 * what PORT (recovered fills) and ANA (orders in backtrader's sense) need from EXEC, so
 * neither has to know EXEC's internals.
 */
export interface ExecutionBatch {
  submitted: { intent: OrderIntent; report: ExecutionReport }[];
  /** Reports for orders resolved since the last cycle (fills to post, rejections). */
  resolved: ExecutionReport[];
  /** Orders the broker has not resolved yet. */
  working: string[];
  /** Orders RISK's submission cash check rejected (ANA counts them as rejected orders). */
  riskRejected: RiskRejectedOrder[];
  /** Allowed decisions EXEC did not send (kill switch, governance). */
  refused: ExecRefusal[];
  /** Start-up only: reports with fills of orders already on file (for PORT's crash recovery). */
  recovered: ExecutionReport[];
}
