// The fake Alpaca's matching book: an account (cash, positions with average entry price),
// orders by id and by client order id, and the FILL activities, kept as Alpaca's JSON so the
// server hands them out as they are. Orders match against the next bar of their symbol: a
// market order at the bar's open, a limit at its limit (or the open, when the open is through
// it), a stop at its stop (or the open on a gap), each fill at most `maxFillQty` shares, so a
// large order fills over several bars (partial fills). Deterministic: ids are counters and
// times come from the injected clock.

import type { Bar } from '../../../src/domain/market.ts';
import type { AlpacaAccount, AlpacaFillActivity, AlpacaOrder, AlpacaOrderRequest, AlpacaPosition } from '../../../src/adapters/venue/alpaca/alpaca-wire.ts';

export interface FakeBookOptions {
  cash: number;
  /** Largest quantity one fill takes (partial fills). Default: unlimited. */
  maxFillQty?: number;
  now: () => number;
}

/** Why the fake refuses an order, as Alpaca's HTTP status and message. */
export class BookRefusal extends Error {
  constructor(
    readonly status: number,
    readonly alpacaCode: number,
    message: string,
  ) {
    super(message);
  }
}

const WORKING = new Set(['new', 'accepted', 'partially_filled', 'pending_new']);

export class FakeAlpacaBook {
  cash: number;
  readonly positions = new Map<string, { qty: number; avg: number }>();
  readonly orders: AlpacaOrder[] = [];
  readonly activities: AlpacaFillActivity[] = [];
  private readonly lastClose = new Map<string, number>();
  private seq = 0;

  constructor(private readonly opts: FakeBookOptions) {
    this.cash = opts.cash;
  }

  place(req: AlpacaOrderRequest): AlpacaOrder {
    const clientId = req.client_order_id ?? `auto-${this.seq + 1}`;
    if (this.orders.some((o) => o.client_order_id === clientId)) throw new BookRefusal(422, 40010001, 'client_order_id must be unique');
    const qty = Number(req.qty);
    if (!Number.isFinite(qty) || qty <= 0) throw new BookRefusal(422, 40010001, `invalid qty ${req.qty}`);
    if (!['market', 'limit', 'stop', 'stop_limit'].includes(req.type)) throw new BookRefusal(422, 40010001, `order type ${req.type} is not supported by this fake`);
    const ref = req.limit_price !== undefined ? Number(req.limit_price) : (this.lastClose.get(req.symbol) ?? 0);
    if (req.side === 'buy' && qty * ref > this.cash) throw new BookRefusal(403, 40310000, 'insufficient buying power');
    const at = iso(this.opts.now());
    const order: AlpacaOrder = {
      id: `ord-${String(++this.seq).padStart(6, '0')}`,
      client_order_id: clientId,
      created_at: at,
      updated_at: at,
      submitted_at: at,
      filled_at: null,
      symbol: req.symbol,
      qty: req.qty,
      filled_qty: '0',
      filled_avg_price: null,
      type: req.type,
      side: req.side,
      time_in_force: req.time_in_force,
      limit_price: req.limit_price ?? null,
      stop_price: req.stop_price ?? null,
      status: 'new',
    };
    this.orders.push(order);
    return order;
  }

  byClientId(clientId: string): AlpacaOrder | undefined {
    return this.orders.find((o) => o.client_order_id === clientId);
  }

  byId(id: string): AlpacaOrder | undefined {
    return this.orders.find((o) => o.id === id);
  }

  open(): AlpacaOrder[] {
    return this.orders.filter((o) => WORKING.has(o.status));
  }

  cancel(id: string): 'canceled' | 'not_found' | 'not_cancelable' {
    const o = this.byId(id);
    if (!o) return 'not_found';
    if (!WORKING.has(o.status)) return 'not_cancelable';
    o.status = 'canceled';
    o.updated_at = iso(this.opts.now());
    return 'canceled';
  }

  /** A bar closed: every working order of its symbol that the bar reaches fills (up to maxFillQty). */
  onBar(bar: Bar): void {
    for (const o of this.open()) {
      if (o.symbol !== bar.symbol) continue;
      const price = fillPrice(o, bar);
      if (price === undefined) continue;
      const remaining = Number(o.qty) - Number(o.filled_qty);
      const qty = Math.min(remaining, this.opts.maxFillQty ?? remaining);
      this.fill(o, qty, price);
    }
    this.lastClose.set(bar.symbol, bar.close);
  }

  /** A position changed outside the engine (a manual trade, a corporate action). */
  setPosition(symbol: string, qty: number, avg: number): void {
    if (qty === 0) this.positions.delete(symbol);
    else this.positions.set(symbol, { qty, avg });
  }

  account(): AlpacaAccount {
    return { cash: String(this.cash), status: 'ACTIVE', trading_blocked: false };
  }

  positionList(): AlpacaPosition[] {
    return [...this.positions].map(([symbol, p]) => ({ symbol, qty: String(p.qty), side: p.qty < 0 ? 'short' : 'long', avg_entry_price: String(p.avg) }));
  }

  private fill(o: AlpacaOrder, qty: number, price: number): void {
    const before = Number(o.filled_qty);
    const after = before + qty;
    const avgBefore = o.filled_avg_price === null ? 0 : Number(o.filled_avg_price);
    const at = iso(this.opts.now());
    o.filled_qty = String(after);
    o.filled_avg_price = String((avgBefore * before + price * qty) / after);
    o.status = after >= Number(o.qty) ? 'filled' : 'partially_filled';
    o.updated_at = at;
    if (o.status === 'filled') o.filled_at = at;
    const signed = o.side === 'buy' ? qty : -qty;
    this.cash -= signed * price;
    const p = this.positions.get(o.symbol) ?? { qty: 0, avg: 0 };
    const q = p.qty + signed;
    const adding = p.qty === 0 || Math.sign(signed) === Math.sign(p.qty);
    const crossed = !adding && Math.sign(q) !== 0 && Math.sign(q) !== Math.sign(p.qty);
    const avg = adding ? (p.avg * Math.abs(p.qty) + price * qty) / Math.abs(q) : crossed ? price : p.avg;
    this.setPosition(o.symbol, q, avg);
    this.activities.push({
      id: `${at.replace(/\D/g, '')}::fill-${String(this.activities.length + 1).padStart(6, '0')}`,
      activity_type: 'FILL',
      transaction_time: at,
      type: o.status === 'filled' ? 'fill' : 'partial_fill',
      price: String(price),
      qty: String(qty),
      side: o.side,
      symbol: o.symbol,
      leaves_qty: String(Number(o.qty) - after),
      order_id: o.id,
      cum_qty: String(after),
    });
  }
}

function fillPrice(o: AlpacaOrder, bar: Bar): number | undefined {
  const buy = o.side === 'buy';
  switch (o.type) {
    case 'market':
      return bar.open;
    case 'limit': {
      const limit = Number(o.limit_price);
      if (buy ? bar.open <= limit : bar.open >= limit) return bar.open;
      return (buy ? bar.low <= limit : bar.high >= limit) ? limit : undefined;
    }
    case 'stop': {
      const stop = Number(o.stop_price);
      if (buy ? bar.open >= stop : bar.open <= stop) return bar.open;
      return (buy ? bar.high >= stop : bar.low <= stop) ? stop : undefined;
    }
    default:
      return undefined;
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
