// Pure translations between the engine's orders and ccxt's unified ones: an intent into
// createOrder's arguments (or the reason the venue cannot take it), and a ccxt order with its
// trades into an ExecutionReport whose fills carry the venue's trade ids, so a fill seen
// again after a restart is the same fill and PORT posts it once.

import type { Order, Trade } from 'ccxt';
import { refusedOrderReport, type ExecutionReport, type Fill, type OrderIntent, type OrderStatus } from '../../../domain/order.ts';

export interface CcxtOrderRequest {
  symbol: string;
  type: 'market' | 'limit';
  side: 'buy' | 'sell';
  amount: number;
  price: number | undefined;
  params: { clientOrderId: string; timeInForce?: 'GTC' | 'IOC' };
}

/** createOrder's arguments for an intent, or why this adapter does not send it. */
export function orderRequestOf(intent: OrderIntent): { ok: true; request: CcxtOrderRequest } | { ok: false; reason: string } {
  // Spot venues through ccxt's unified API: market and limit orders. Stops and trailing
  // stops differ per exchange (trigger params, OCO lists), so they are refused, not guessed.
  if (intent.orderType !== 'market' && intent.orderType !== 'limit') {
    return { ok: false, reason: `order type ${intent.orderType} is not supported by the ccxt adapter (market and limit only)` };
  }
  // A crypto venue trades around the clock: there is no session for a day order to expire with.
  if (intent.timeInForce === 'day') return { ok: false, reason: 'time in force day is not supported by the ccxt adapter (gtc or ioc)' };
  if (intent.orderType === 'limit' && !(intent.limitPrice !== undefined && intent.limitPrice > 0)) {
    return { ok: false, reason: 'a limit order needs a limit price > 0' };
  }
  const params: CcxtOrderRequest['params'] = { clientOrderId: intent.clientOrderId };
  if (intent.orderType === 'limit') params.timeInForce = intent.timeInForce === 'ioc' ? 'IOC' : 'GTC';
  return {
    ok: true,
    request: {
      symbol: intent.symbol,
      type: intent.orderType,
      side: intent.side,
      amount: intent.qty,
      price: intent.orderType === 'limit' ? intent.limitPrice : undefined,
      params,
    },
  };
}

/** ccxt's order status (open, closed, canceled, expired, rejected) with the filled amount, in the engine's terms. */
export function statusOf(status: string | undefined, filled: number): OrderStatus {
  switch (status) {
    case 'closed':
      return 'filled';
    case 'canceled':
    case 'expired':
      return 'canceled';
    case 'rejected':
      return 'rejected';
    default:
      return filled > 0 ? 'partial_fill' : 'submitted';
  }
}

/** A trade's fee in the quote currency (a fee charged in the base currency is valued at the trade's price). */
export function feeInQuote(t: Trade, quote: string): number {
  const fee = t.fee;
  if (!fee || fee.cost === undefined || fee.cost === null) return 0;
  return fee.currency === undefined || fee.currency === quote ? fee.cost : fee.cost * (t.price ?? 0);
}

export interface ReportContext {
  /** The venue's name in fill ids, e.g. "binance": trade ids are unique per venue only. */
  venue: string;
  clientOrderId: string;
  /** The order's unified symbol (when the venue's answer leaves it out). */
  symbol: string;
  quote: string;
  /** When the venue says nothing about the order's time. */
  now: number;
}

/** An ExecutionReport from a ccxt order and its trades (oldest first). */
export function reportOf(order: Order, trades: readonly Trade[], ctx: ReportContext): ExecutionReport {
  const filled = order.filled ?? 0;
  const symbol = order.symbol ?? ctx.symbol;
  const fills: Fill[] = trades
    .filter((t) => (t.amount ?? 0) > 0)
    .sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0))
    .map((t) => ({
      fillId: `${ctx.venue}:${t.id}`,
      clientOrderId: ctx.clientOrderId,
      symbol,
      side: order.side as 'buy' | 'sell',
      qty: t.amount!,
      price: t.price!,
      commission: feeInQuote(t, ctx.quote),
      ts: t.timestamp ?? ctx.now,
    }));
  const fees = fills.reduce((s, f) => s + f.commission, 0);
  const status = statusOf(order.status, filled);
  return {
    orderId: String(order.id),
    clientOrderId: ctx.clientOrderId,
    symbol,
    side: order.side as 'buy' | 'sell',
    status,
    qty: order.amount ?? 0,
    filledQty: filled,
    fills,
    ...(order.average !== undefined && order.average !== null && filled > 0 ? { avgPrice: order.average } : {}),
    fees,
    slippage: 0,
    ...(order.status === 'expired' ? { rejectReason: 'expired at the venue' } : {}),
    ts: order.lastUpdateTimestamp ?? order.timestamp ?? ctx.now,
  };
}

/** The report of an order the venue refused before taking it (it holds no order by that id). */
export function refusedReport(intent: OrderIntent, reason: string, now: number): ExecutionReport {
  return refusedOrderReport(intent, reason, '', now);
}

/**
 * Null when a venue order is the intent's order (same symbol, side, amount, type, limit); else
 * what differs. `sent` is the amount and limit as they went out, rounded to the market's
 * precision (ccxt rounds before sending), so a rounded order is still the same order.
 */
export function orderDifference(intent: OrderIntent, order: Order, sent: { amount: number; price?: number } = { amount: intent.qty, ...(intent.limitPrice !== undefined ? { price: intent.limitPrice } : {}) }): string | null {
  if (order.symbol !== intent.symbol) return `symbol differs (${order.symbol} vs ${intent.symbol})`;
  if (order.side !== intent.side) return `side differs (${order.side} vs ${intent.side})`;
  if (order.amount !== sent.amount) return `amount differs (${order.amount} vs ${sent.amount})`;
  if (order.type !== undefined && order.type !== intent.orderType) return `type differs (${order.type} vs ${intent.orderType})`;
  if (intent.orderType === 'limit' && order.price !== sent.price) return `limit price differs (${order.price} vs ${sent.price})`;
  return null;
}
