// Alpaca's trading API v2 and market-data v2 as JSON, and the pure translations between it and
// our domain: an OrderIntent becomes the body of POST /v2/orders, an order object plus its fill
// activities becomes an ExecutionReport, a position list becomes our signed quantities, a
// stream or REST bar becomes a Bar. Nothing here does I/O, so every rule is testable alone.
//
// The wire protocol is Alpaca's documented one (https://docs.alpaca.markets/reference): numbers
// travel as decimal strings, times as RFC 3339, and an order's fills are not on the order but
// in the account's FILL activities (each with its own stable id, which is what makes a fill
// postable exactly once).

import { OrdinisError } from '../../../errors.ts';
import type { ExecutionReport, Fill, OrderIntent, OrderStatus, OrderType, TimeInForce } from '../../../domain/order.ts';
import type { Bar } from '../../../domain/market.ts';

/** The order object of GET/POST /v2/orders (the fields we read). */
export interface AlpacaOrder {
  id: string;
  client_order_id: string;
  created_at: string;
  updated_at?: string | null;
  submitted_at?: string | null;
  filled_at?: string | null;
  symbol: string;
  qty: string | null;
  filled_qty: string;
  filled_avg_price: string | null;
  type: string;
  side: 'buy' | 'sell';
  time_in_force: string;
  limit_price: string | null;
  stop_price: string | null;
  trail_price?: string | null;
  trail_percent?: string | null;
  status: string;
}

/** The body of POST /v2/orders. */
export interface AlpacaOrderRequest {
  symbol: string;
  qty: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';
  time_in_force: 'day' | 'gtc' | 'ioc';
  client_order_id: string;
  limit_price?: string;
  stop_price?: string;
  trail_price?: string;
  trail_percent?: string;
}

/** One FILL activity of GET /v2/account/activities/FILL. */
export interface AlpacaFillActivity {
  id: string;
  activity_type: 'FILL';
  transaction_time: string;
  type: 'fill' | 'partial_fill';
  price: string;
  qty: string;
  side: 'buy' | 'sell';
  symbol: string;
  leaves_qty: string;
  order_id: string;
  cum_qty: string;
}

/** One entry of GET /v2/positions. */
export interface AlpacaPosition {
  symbol: string;
  qty: string;
  side: 'long' | 'short';
  avg_entry_price: string;
}

/** GET /v2/account (the fields we read). */
export interface AlpacaAccount {
  cash: string;
  equity?: string;
  status?: string;
  trading_blocked?: boolean;
}

/** A bar as the stream sends it (`T: "b"`) and as REST's /v2/stocks/bars lists it (without T and S). */
export interface AlpacaBar {
  T?: 'b';
  S?: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  t: string;
}

const ORDER_TYPES: Record<Exclude<OrderType, 'stop_trail_limit'>, AlpacaOrderRequest['type']> = {
  market: 'market',
  limit: 'limit',
  stop: 'stop',
  stop_limit: 'stop_limit',
  stop_trail: 'trailing_stop',
};

const TIME_IN_FORCE: Record<TimeInForce, AlpacaOrderRequest['time_in_force']> = { day: 'day', gtc: 'gtc', ioc: 'ioc' };

/** The body of POST /v2/orders for an intent: prices as decimal strings, our client order id as Alpaca's. */
export function orderRequestOf(intent: OrderIntent): AlpacaOrderRequest {
  // Alpaca's trailing_stop has no limit: a stop-trail-limit sent as one would fill at any
  // price once triggered. Refused (the adapter turns this into a rejected report), never sent.
  if (intent.orderType === 'stop_trail_limit') {
    throw new OrdinisError('E_EXEC_BROKER_REJECTED', 'order type stop_trail_limit is not supported by Alpaca (its trailing_stop has no limit price): not sent', { details: { orderType: intent.orderType } });
  }
  const body: AlpacaOrderRequest = {
    symbol: intent.symbol,
    qty: decimal(intent.qty),
    side: intent.side,
    type: ORDER_TYPES[intent.orderType],
    time_in_force: TIME_IN_FORCE[intent.timeInForce],
    client_order_id: intent.clientOrderId,
  };
  if (intent.limitPrice !== undefined) body.limit_price = decimal(intent.limitPrice);
  // Alpaca's trailing stop has no starting stop price: it trails from the market when accepted.
  if (intent.stopPrice !== undefined && intent.orderType !== 'stop_trail') body.stop_price = decimal(intent.stopPrice);
  if (intent.trailAmount !== undefined) body.trail_price = decimal(intent.trailAmount);
  if (intent.trailPercent !== undefined) body.trail_percent = decimal(intent.trailPercent * 100);
  return body;
}

/**
 * Whether an order already at the broker under an intent's client order id is that intent
 * (same symbol, side, size and terms). A client order id reused for another order is an
 * idempotency conflict, never "the same order".
 */
export function sameOrder(order: AlpacaOrder, intent: OrderIntent): boolean {
  const want = orderRequestOf(intent);
  return (
    order.symbol === want.symbol &&
    order.side === want.side &&
    num(order.qty) === intent.qty &&
    order.type === want.type &&
    sameDecimal(order.limit_price, want.limit_price) &&
    sameDecimal(order.stop_price, want.stop_price)
  );
}

/**
 * Alpaca's order status as ours. Working states (new, accepted, pending_*, ...) are
 * `submitted` (or `partial_fill` once something filled); an order that ended with some fills
 * (canceled or expired after a partial fill) keeps its terminal status: the fills ride on the
 * report either way.
 */
export function statusOf(order: Pick<AlpacaOrder, 'status' | 'filled_qty'>): OrderStatus {
  switch (order.status) {
    case 'filled':
      return 'filled';
    case 'partially_filled':
      return 'partial_fill';
    case 'canceled':
    case 'expired':
    case 'done_for_day':
    case 'replaced':
      return 'canceled';
    case 'rejected':
    case 'suspended':
      return 'rejected';
    default:
      return num(order.filled_qty) > 0 ? 'partial_fill' : 'submitted';
  }
}

/** The broker's answer as an ExecutionReport: the order's status and its fills (from the FILL activities), oldest first. */
export function reportOf(order: AlpacaOrder, activities: readonly AlpacaFillActivity[]): ExecutionReport {
  const fills: Fill[] = activities
    .filter((a) => a.order_id === order.id)
    .map((a) => ({
      fillId: a.id,
      clientOrderId: order.client_order_id,
      symbol: a.symbol,
      side: a.side,
      qty: num(a.qty),
      price: num(a.price),
      // US equities trade commission-free at Alpaca (regulatory fees are charged separately, daily).
      commission: 0,
      ts: timeOf(a.transaction_time),
    }))
    .sort((a, b) => a.ts - b.ts || (a.fillId < b.fillId ? -1 : 1));
  // The order's filled_qty can run ahead of its listed fill activities. A report is only as
  // filled as its fills: an order whose fills are not all listed yet stays working (so EXEC asks
  // again next cycle) instead of closing with a fill missing from the books for good.
  const listed = fills.reduce((q, f) => q + f.qty, 0);
  const behind = listed < num(order.filled_qty);
  const status: OrderStatus = behind ? (listed > 0 ? 'partial_fill' : 'submitted') : statusOf(order);
  const avg = order.filled_avg_price === null ? undefined : num(order.filled_avg_price);
  return {
    orderId: order.id,
    clientOrderId: order.client_order_id,
    symbol: order.symbol,
    side: order.side,
    status,
    qty: num(order.qty),
    filledQty: listed,
    fills,
    ...(avg !== undefined && avg > 0 ? { avgPrice: avg } : {}),
    fees: 0,
    slippage: 0,
    ...(status === 'rejected' ? { rejectReason: `alpaca: ${order.status}` } : {}),
    ts: timeOf(order.updated_at ?? order.submitted_at ?? order.created_at),
  };
}

/** Positions as signed share counts (Alpaca's qty is already negative for a short; zero ones dropped). */
export function positionsOf(list: readonly AlpacaPosition[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of list) {
    const q = Math.abs(num(p.qty)) * (p.side === 'short' ? -1 : 1);
    if (q !== 0) out.set(p.symbol, q);
  }
  return out;
}

/** The interval of the bars we ask Alpaca for (1Min: the only one its stream sends). */
export const ALPACA_BAR_MS = 60_000;

/**
 * A bar as ours, stamped with its CLOSE. Alpaca stamps a bar with the start of its interval
 * (`t` 15:51 covers 15:51-15:52 and is sent once it closed); a live bar is used at its close,
 * and staleness (ING_MAX_STALENESS_MS) is measured from it, so a bar that just closed is fresh.
 */
export function barOf(symbol: string, b: AlpacaBar): Bar {
  return { symbol, ts: timeOf(b.t) + ALPACA_BAR_MS, open: b.o, high: b.h, low: b.l, close: b.c, volume: b.v };
}

/** An RFC 3339 time as ms; a malformed one is a broker protocol error, never NaN in the books. */
export function timeOf(s: string): number {
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw new OrdinisError('E_EXEC_BROKER_UNAVAILABLE', `alpaca sent a malformed time ${JSON.stringify(s)}`, { retryable: false });
  return t;
}

/** A decimal string (or null: zero) as a number; a malformed one is a protocol error. */
export function num(s: string | null | undefined): number {
  if (s === null || s === undefined || s === '') return 0;
  const n = Number(s);
  if (!Number.isFinite(n)) throw new OrdinisError('E_EXEC_BROKER_UNAVAILABLE', `alpaca sent a malformed number ${JSON.stringify(s)}`, { retryable: false });
  return n;
}

/** A number as the shortest decimal string that reads back as it (no exponent for the sizes we send). */
export function decimal(n: number): string {
  return String(n);
}

function sameDecimal(a: string | null | undefined, b: string | undefined): boolean {
  if ((a === null || a === undefined) && b === undefined) return true;
  return a !== null && a !== undefined && b !== undefined && Number(a) === Number(b);
}
