// The fake exchange's state: balances, other traders' resting liquidity, our orders and
// their trades. A real (small) matching engine, so an order can fill in parts, rest, be
// filled later by an outside taker, or be canceled with its funds unlocked, exactly as a
// spot venue does it. No HTTP here; binance-spot-server.ts speaks the wire protocol over it.

export type Side = 'BUY' | 'SELL';
export type OrderType = 'MARKET' | 'LIMIT';
export type TimeInForce = 'GTC' | 'IOC';
export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED';

export interface Market {
  /** Exchange id, e.g. BTCUSDT. */
  symbol: string;
  base: string;
  quote: string;
}

export interface Level {
  price: number;
  qty: number;
}

export interface BookOrder {
  orderId: number;
  clientOrderId: string;
  symbol: string;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  price: number;
  origQty: number;
  executedQty: number;
  cummulativeQuoteQty: number;
  status: OrderStatus;
  time: number;
  updateTime: number;
}

export interface BookTrade {
  id: number;
  orderId: number;
  symbol: string;
  price: number;
  qty: number;
  quoteQty: number;
  commission: number;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
}

export interface Balance {
  free: number;
  locked: number;
}

/** A refusal in the venue's own terms: binance's error code and message. */
export class VenueRefusal extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
    readonly httpStatus = 400,
  ) {
    super(msg);
  }
}

export interface NewOrder {
  symbol: string;
  side: Side;
  type: OrderType;
  quantity: number;
  price?: number;
  timeInForce?: TimeInForce;
  clientOrderId: string;
}

const OPEN: ReadonlySet<OrderStatus> = new Set(['NEW', 'PARTIALLY_FILLED']);

export class SpotBook {
  private readonly markets = new Map<string, Market>();
  private readonly balances = new Map<string, Balance>();
  private readonly liquidity = new Map<string, { bids: Level[]; asks: Level[] }>();
  private readonly orders = new Map<number, BookOrder>();
  private readonly byClientId = new Map<string, number>();
  private readonly trades: BookTrade[] = [];
  private nextOrderId = 1000;
  private nextTradeId = 5000;

  constructor(
    private readonly now: () => number,
    /** Fee on every fill, a fraction of the quote amount, charged in the quote asset. */
    private readonly commissionRate = 0,
  ) {}

  addMarket(m: Market): void {
    this.markets.set(m.symbol, { ...m });
    this.liquidity.set(m.symbol, { bids: [], asks: [] });
  }

  listMarkets(): Market[] {
    return [...this.markets.values()];
  }

  market(symbol: string): Market {
    const m = this.markets.get(symbol);
    if (!m) throw new VenueRefusal(-1121, 'Invalid symbol.');
    return m;
  }

  /** Sets an asset's free balance (a deposit or withdrawal outside the engine). */
  setBalance(asset: string, free: number): void {
    const b = this.balance(asset);
    b.free = free;
  }

  listBalances(): { asset: string; free: number; locked: number }[] {
    return [...this.balances.entries()].map(([asset, b]) => ({ asset, free: b.free, locked: b.locked }));
  }

  /** Other traders' resting orders our orders can take: bids best (highest) first, asks best (lowest) first. */
  setLiquidity(symbol: string, book: { bids?: Level[]; asks?: Level[] }): void {
    this.market(symbol);
    this.liquidity.set(symbol, {
      bids: (book.bids ?? []).map((l) => ({ ...l })).sort((a, b) => b.price - a.price),
      asks: (book.asks ?? []).map((l) => ({ ...l })).sort((a, b) => a.price - b.price),
    });
  }

  place(o: NewOrder): BookOrder {
    const m = this.market(o.symbol);
    if (this.byClientId.has(o.clientOrderId)) throw new VenueRefusal(-2010, 'Duplicate order sent.');
    if (!(o.quantity > 0)) throw new VenueRefusal(-1013, 'Invalid quantity.');
    if (o.type === 'LIMIT' && !(o.price !== undefined && o.price > 0)) throw new VenueRefusal(-1013, 'Invalid price.');
    const fills = this.matchPlan(o);
    this.checkFunds(m, o, fills);
    const t = this.now();
    const order: BookOrder = {
      orderId: this.nextOrderId++,
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      type: o.type,
      timeInForce: o.timeInForce ?? 'GTC',
      price: o.type === 'LIMIT' ? o.price! : 0,
      origQty: o.quantity,
      executedQty: 0,
      cummulativeQuoteQty: 0,
      status: 'NEW',
      time: t,
      updateTime: t,
    };
    this.orders.set(order.orderId, order);
    this.byClientId.set(order.clientOrderId, order.orderId);
    for (const f of fills) {
      this.takeLiquidity(o.symbol, o.side, f);
      this.execute(order, f.price, f.qty, false);
    }
    const rest = order.origQty - order.executedQty;
    if (rest > 0) {
      if (order.type === 'MARKET' || order.timeInForce === 'IOC') order.status = 'EXPIRED';
      else this.lock(m, order, rest);
    }
    return { ...order };
  }

  /** An outside taker of `side` at `price` for up to `qty`: fills our resting orders it crosses, oldest first, at their limits. */
  takeResting(symbol: string, side: Side, price: number, qty: number): BookTrade[] {
    const m = this.market(symbol);
    const out: BookTrade[] = [];
    let left = qty;
    const crossed = [...this.orders.values()].filter(
      (o) => o.symbol === symbol && OPEN.has(o.status) && o.side !== side && (side === 'SELL' ? o.price >= price : o.price <= price),
    );
    for (const o of crossed) {
      if (left <= 0) break;
      const q = Math.min(left, o.origQty - o.executedQty);
      this.unlock(m, o, q);
      out.push(this.execute(o, o.price, q, true));
      left -= q;
    }
    return out;
  }

  cancel(symbol: string, ref: { orderId?: number; clientOrderId?: string }): BookOrder {
    const o = this.stored(symbol, ref);
    if (!o || !OPEN.has(o.status)) throw new VenueRefusal(-2011, 'Unknown order sent.');
    this.unlock(this.market(symbol), o, o.origQty - o.executedQty);
    o.status = 'CANCELED';
    o.updateTime = this.now();
    return { ...o };
  }

  find(symbol: string, ref: { orderId?: number; clientOrderId?: string }): BookOrder | undefined {
    const o = this.stored(symbol, ref);
    return o ? { ...o } : undefined;
  }

  private stored(symbol: string, ref: { orderId?: number; clientOrderId?: string }): BookOrder | undefined {
    const id = ref.orderId ?? (ref.clientOrderId !== undefined ? this.byClientId.get(ref.clientOrderId) : undefined);
    const o = id === undefined ? undefined : this.orders.get(id);
    return o && o.symbol === symbol ? o : undefined;
  }

  openOrders(symbol?: string): BookOrder[] {
    return [...this.orders.values()].filter((o) => OPEN.has(o.status) && (symbol === undefined || o.symbol === symbol)).map((o) => ({ ...o }));
  }

  tradesOf(symbol: string, orderId?: number): BookTrade[] {
    return this.trades.filter((t) => t.symbol === symbol && (orderId === undefined || t.orderId === orderId)).map((t) => ({ ...t }));
  }

  /** How many orders the venue holds for a client order id (0 or 1: the exactly-once check). */
  orderCount(clientOrderId?: string): number {
    if (clientOrderId === undefined) return this.orders.size;
    return [...this.orders.values()].filter((o) => o.clientOrderId === clientOrderId).length;
  }

  private balance(asset: string): Balance {
    let b = this.balances.get(asset);
    if (!b) {
      b = { free: 0, locked: 0 };
      this.balances.set(asset, b);
    }
    return b;
  }

  /** The fills an incoming order would get from the resting liquidity, without taking it. */
  private matchPlan(o: NewOrder): Level[] {
    const book = this.liquidity.get(o.symbol)!;
    const levels = o.side === 'BUY' ? book.asks : book.bids;
    const out: Level[] = [];
    let left = o.quantity;
    for (const l of levels) {
      if (left <= 0) break;
      if (o.type === 'LIMIT' && (o.side === 'BUY' ? l.price > o.price! : l.price < o.price!)) break;
      const q = Math.min(left, l.qty);
      if (q > 0) out.push({ price: l.price, qty: q });
      left -= q;
    }
    return out;
  }

  private checkFunds(m: Market, o: NewOrder, fills: Level[]): void {
    const taken = fills.reduce((s, f) => s + f.qty, 0);
    const rest = o.type === 'LIMIT' && o.timeInForce !== 'IOC' ? o.quantity - taken : 0;
    if (o.side === 'BUY') {
      const cost = fills.reduce((s, f) => s + f.qty * f.price * (1 + this.commissionRate), 0) + rest * (o.price ?? 0);
      if (cost > this.balance(m.quote).free + 1e-9) throw new VenueRefusal(-2010, 'Account has insufficient balance for requested action.');
    } else if (taken + rest > this.balance(m.base).free + 1e-12) {
      throw new VenueRefusal(-2010, 'Account has insufficient balance for requested action.');
    }
  }

  private takeLiquidity(symbol: string, side: Side, f: Level): void {
    const book = this.liquidity.get(symbol)!;
    const levels = side === 'BUY' ? book.asks : book.bids;
    const l = levels.find((x) => x.price === f.price && x.qty > 0)!;
    l.qty -= f.qty;
    if (l.qty <= 0) levels.splice(levels.indexOf(l), 1);
  }

  private lock(m: Market, o: BookOrder, qty: number): void {
    if (o.side === 'BUY') move(this.balance(m.quote), qty * o.price, 'lock');
    else move(this.balance(m.base), qty, 'lock');
  }

  private unlock(m: Market, o: BookOrder, qty: number): void {
    if (o.side === 'BUY') move(this.balance(m.quote), qty * o.price, 'unlock');
    else move(this.balance(m.base), qty, 'unlock');
  }

  private execute(o: BookOrder, price: number, qty: number, isMaker: boolean): BookTrade {
    const m = this.market(o.symbol);
    const quoteQty = price * qty;
    const commission = quoteQty * this.commissionRate;
    const base = this.balance(m.base);
    const quote = this.balance(m.quote);
    if (o.side === 'BUY') {
      quote.free -= quoteQty + commission;
      base.free += qty;
    } else {
      base.free -= qty;
      quote.free += quoteQty - commission;
    }
    o.executedQty += qty;
    o.cummulativeQuoteQty += quoteQty;
    o.status = o.executedQty >= o.origQty ? 'FILLED' : 'PARTIALLY_FILLED';
    o.updateTime = this.now();
    const t: BookTrade = {
      id: this.nextTradeId++,
      orderId: o.orderId,
      symbol: o.symbol,
      price,
      qty,
      quoteQty,
      commission,
      commissionAsset: m.quote,
      time: o.updateTime,
      isBuyer: o.side === 'BUY',
      isMaker,
    };
    this.trades.push(t);
    return { ...t };
  }
}

function move(b: Balance, amount: number, dir: 'lock' | 'unlock'): void {
  const d = dir === 'lock' ? amount : -amount;
  b.free -= d;
  b.locked += d;
}
