// The broker port over any ccxt exchange (spot): orders are sent with the intent's client
// order id and found again by it, so the engine's exactly-once rules hold against a real
// venue. When a submission fails in a way that leaves its outcome unknown (a timeout, a
// lost answer, a 5xx), the adapter asks the venue for the client order id before saying
// anything: found, it is the answer (the order is never sent twice); confirmed absent, the
// failure is reported retryable and EXEC's own rules decide. A spot account's positions are
// its balances of each traded market's base currency; its cash is the quote currency's.

import type { Balances, Exchange, Order, Trade } from 'ccxt';
import type { Clock } from '../../../core/clock.ts';
import type { ExecutionReport, OrderIntent } from '../../../domain/order.ts';
import type { AccountView } from '../../../domain/portfolio.ts';
import { OrdinisError } from '../../../errors.ts';
import type { BrokerAdapter } from '../../../stages/exec/broker-adapter.ts';
import { isOrderNotFound, isOrderRefusal, isOutcomeUnknown, retryAfterMs, venueError } from './ccxt-errors.ts';
import { orderDifference, orderRequestOf, refusedReport, reportOf } from './ccxt-order-map.ts';

export interface CcxtBrokerOptions {
  /** A configured ccxt exchange (credentials, sandbox, urls): see openCcxtExchange. */
  exchange: Exchange;
  /** Unified symbols traded (e.g. BTC/USDT): where an order is looked for when its symbol is not known. */
  symbols: readonly string[];
  /** The account currency: its balance is the cash (e.g. USDT). */
  quoteCurrency: string;
  clock: Clock;
  /**
   * The venue finds an order by client order id (binance: origClientOrderId). Without it, an
   * order is looked for among the symbol's open and closed orders. Default: true when the
   * exchange is known to (see openCcxtExchange), else false.
   */
  fetchByClientOrderId?: boolean;
}

export class CcxtBroker implements BrokerAdapter {
  private readonly exchange: Exchange;
  /** Where each order lives (the venue needs the symbol to find an order). */
  private readonly symbolOf = new Map<string, string>();

  constructor(private readonly opts: CcxtBrokerOptions) {
    this.exchange = opts.exchange;
  }

  async submit(intent: OrderIntent): Promise<ExecutionReport> {
    const planned = orderRequestOf(intent);
    if (!planned.ok) return refusedReport(intent, planned.reason, this.opts.clock.now());
    const r = planned.request;
    await this.markets(`submit ${intent.clientOrderId}`);
    this.symbolOf.set(intent.clientOrderId, intent.symbol);
    let order: Order;
    try {
      order = await this.exchange.createOrder(r.symbol, r.type, r.side, r.amount, r.price, r.params);
    } catch (e) {
      return this.afterFailedSubmit(intent, e);
    }
    return this.report(order, intent.clientOrderId);
  }

  async cancel(clientOrderId: string): Promise<ExecutionReport> {
    const symbol = await this.locate(clientOrderId);
    if (symbol === undefined) throw new OrdinisError('E_EXEC_ORDER_UNKNOWN', `cancel ${clientOrderId}: the venue has no order with this client order id`, { details: { clientOrderId } });
    try {
      await this.exchange.cancelOrder(undefined as unknown as string, symbol, { clientOrderId });
    } catch (e) {
      // Filled or canceled already: the venue refuses the cancel; the order's final report is the answer.
      if (!isOrderNotFound(e) && !isOrderRefusal(e)) throw this.error(e, `cancel ${clientOrderId}`, { clientOrderId });
    }
    const after = await this.fetchOrder(clientOrderId);
    if (after === undefined) throw new OrdinisError('E_EXEC_ORDER_UNKNOWN', `cancel ${clientOrderId}: the venue has no order with this client order id`, { details: { clientOrderId } });
    return after;
  }

  async fetchOrder(clientOrderId: string): Promise<ExecutionReport | undefined> {
    const known = this.symbolOf.get(clientOrderId);
    const symbols = known !== undefined ? [known] : this.opts.symbols;
    for (const symbol of symbols) {
      const order = await this.find(symbol, clientOrderId);
      if (order) {
        this.symbolOf.set(clientOrderId, symbol);
        return this.report(order, clientOrderId);
      }
    }
    return undefined;
  }

  async fetchPositions(): Promise<ReadonlyMap<string, number>> {
    return (await this.fetchAccount()).positions;
  }

  async fetchAccount(): Promise<AccountView> {
    await this.markets('fetch the account');
    let balances: Balances;
    try {
      balances = await this.exchange.fetchBalance();
    } catch (e) {
      throw this.error(e, 'fetch the account');
    }
    const total = (currency: string): number => Number(balances[currency]?.total ?? 0);
    const positions = new Map<string, number>();
    for (const symbol of this.opts.symbols) {
      const qty = total(this.exchange.market(symbol).base);
      if (qty !== 0) positions.set(symbol, qty);
    }
    return { cash: total(this.opts.quoteCurrency), positions };
  }

  async fetchOpenOrders(): Promise<ExecutionReport[]> {
    await this.markets('fetch open orders');
    const out: ExecutionReport[] = [];
    for (const symbol of this.opts.symbols) {
      let orders: Order[];
      try {
        orders = await this.exchange.fetchOpenOrders(symbol);
      } catch (e) {
        throw this.error(e, `fetch open orders of ${symbol}`);
      }
      for (const o of orders) {
        const cid = o.clientOrderId ?? String(o.id);
        this.symbolOf.set(cid, symbol);
        out.push(await this.report(o, cid));
      }
    }
    return out.sort((a, b) => a.ts - b.ts);
  }

  /** A failed createOrder: find the order by its client order id before reporting anything. */
  private async afterFailedSubmit(intent: OrderIntent, e: unknown): Promise<ExecutionReport> {
    const id = intent.clientOrderId;
    const failure = this.error(e, `submit ${id}`, { clientOrderId: id });
    if (failure.code === 'E_EXEC_BROKER_AUTH' || failure.code === 'E_EXEC_RATE_LIMITED') throw failure;
    let found: Order | undefined;
    try {
      found = await this.find(intent.symbol, id);
    } catch (lookup) {
      // Neither the answer nor the lookup came back: the outcome stays unknown, the intent
      // pending; the next fetchOrder (EXEC's capture or recovery) settles it.
      throw new OrdinisError(failure.code, `${failure.message}; looking the order up by client order id failed too (${(lookup as Error).message})`, {
        cause: e,
        retryable: true,
        details: { clientOrderId: id, outcome: 'unknown' },
      });
    }
    if (found) {
      // The venue holds the order (the answer was lost, or this is a duplicate): that is the answer.
      const diff = orderDifference(intent, found, this.asSent(intent));
      if (diff !== null) throw new OrdinisError('E_EXEC_IDEMPOTENCY_CONFLICT', `order ${id}: the venue holds another order under this client order id: ${diff}`, { details: { clientOrderId: id } });
      return this.report(found, id);
    }
    if (isOrderRefusal(e)) return refusedReport(intent, failure.message, this.opts.clock.now());
    if (isOutcomeUnknown(e)) throw new OrdinisError(failure.code, failure.message, { cause: e, details: { clientOrderId: id, outcome: 'not at the venue' } });
    throw failure;
  }

  /** The intent's amount and limit as ccxt sends them: rounded to the market's precision. */
  private asSent(intent: OrderIntent): { amount: number; price?: number } {
    const amount = Number(this.exchange.amountToPrecision(intent.symbol, intent.qty));
    return intent.limitPrice === undefined ? { amount } : { amount, price: Number(this.exchange.priceToPrecision(intent.symbol, intent.limitPrice)) };
  }

  /** The symbol an order lives in, asking the venue when this process has not seen it. */
  private async locate(clientOrderId: string): Promise<string | undefined> {
    const known = this.symbolOf.get(clientOrderId);
    if (known !== undefined) return known;
    await this.fetchOrder(clientOrderId);
    return this.symbolOf.get(clientOrderId);
  }

  /** The venue's order by client order id, or undefined when it has none. */
  private async find(symbol: string, clientOrderId: string): Promise<Order | undefined> {
    await this.markets(`fetch order ${clientOrderId}`);
    try {
      if (this.byClientOrderId()) return await this.exchange.fetchOrder(undefined as unknown as string, symbol, { clientOrderId });
      const candidates = [...(await this.exchange.fetchOpenOrders(symbol)), ...(await this.exchange.fetchClosedOrders(symbol))];
      return candidates.find((o) => o.clientOrderId === clientOrderId);
    } catch (e) {
      if (isOrderNotFound(e)) return undefined;
      throw this.error(e, `fetch order ${clientOrderId}`, { clientOrderId });
    }
  }

  private byClientOrderId(): boolean {
    return this.opts.fetchByClientOrderId ?? false;
  }

  /** The report of a venue order, with its trades when it has filled anything. */
  private async report(order: Order, clientOrderId: string): Promise<ExecutionReport> {
    let trades: Trade[] = order.trades ?? [];
    if ((order.filled ?? 0) > 0 && this.exchange.has['fetchOrderTrades']) {
      try {
        trades = await this.exchange.fetchOrderTrades(String(order.id), order.symbol);
      } catch (e) {
        throw this.error(e, `fetch the trades of ${clientOrderId}`, { clientOrderId });
      }
    }
    return reportOf(order, trades, { venue: this.exchange.id, clientOrderId, symbol: order.symbol ?? this.symbolOf.get(clientOrderId) ?? '', quote: this.opts.quoteCurrency, now: this.opts.clock.now() });
  }

  private async markets(what: string): Promise<void> {
    try {
      await this.exchange.loadMarkets();
    } catch (e) {
      throw this.error(e, `${what}: load the markets`);
    }
  }

  private error(e: unknown, what: string, details?: Record<string, unknown>): OrdinisError {
    const after = retryAfterMs(this.exchange.last_response_headers as Record<string, unknown> | undefined, this.opts.clock.now());
    return venueError(e, what, { ...(after !== undefined ? { retryAfterMs: after } : {}), ...(details ? { details } : {}) });
  }
}
