// The Alpaca broker adapter: the BrokerAdapter port over Alpaca's trading API v2.
//
// The one hard case is an order whose answer was lost (a timeout, a dropped connection, a 5xx
// after the broker may have acted). It is never sent again blindly: the adapter asks for the
// order by its client order id, and only an order the broker does not know is reported as not
// sent (the retryable error stands). Sending it again later is safe anyway, because Alpaca
// refuses a second order with the same client_order_id (HTTP 422), and that refusal is
// resolved the same way: fetched by client order id, compared with the intent, and answered
// with the existing order (or E_EXEC_IDEMPOTENCY_CONFLICT if the id names another order).

import { OrdinisError, isOrdinisError } from '../../../errors.ts';
import { refusedOrderReport, type ExecutionReport, type OrderIntent } from '../../../domain/order.ts';
import type { AccountView } from '../../../domain/portfolio.ts';
import type { BrokerAdapter } from '../../../stages/exec/broker-adapter.ts';
import type { AlpacaCredentials } from './alpaca-endpoints.ts';
import { AlpacaRest } from './alpaca-rest.ts';
import {
  num,
  orderRequestOf,
  positionsOf,
  reportOf,
  sameOrder,
  timeOf,
  type AlpacaAccount,
  type AlpacaFillActivity,
  type AlpacaOrder,
  type AlpacaPosition,
} from './alpaca-wire.ts';

export interface AlpacaBrokerOptions {
  /** Trading API base, e.g. https://paper-api.alpaca.markets. */
  tradingUrl: string;
  credentials: AlpacaCredentials;
  /** Per-request timeout. Default 10 000 ms. */
  timeoutMs?: number;
}

/** Errors after which the broker may have carried the request out: resolved by query, never by sending again. */
const ANSWER_MAYBE_LOST = new Set(['E_EXEC_BROKER_TIMEOUT', 'E_EXEC_BROKER_UNAVAILABLE']);

const ACTIVITY_PAGE = 100;

export class AlpacaBroker implements BrokerAdapter {
  private readonly rest: AlpacaRest;

  constructor(opts: AlpacaBrokerOptions) {
    this.rest = new AlpacaRest({ baseUrl: opts.tradingUrl, credentials: opts.credentials, timeoutMs: opts.timeoutMs ?? 10_000, downCode: 'E_EXEC_BROKER_UNAVAILABLE' });
  }

  async submit(intent: OrderIntent): Promise<ExecutionReport> {
    let placed: AlpacaOrder | undefined;
    try {
      placed = await this.rest.request<AlpacaOrder>('POST', '/v2/orders', { body: orderRequestOf(intent) });
    } catch (e) {
      if (!isOrdinisError(e)) throw e;
      if (ANSWER_MAYBE_LOST.has(e.code)) {
        // Did it arrive? Only the broker knows; a failure of this query too leaves the intent
        // pending, and recovery (or the next cycle) asks again.
        const existing = await this.orderByClientId(intent.clientOrderId);
        if (!existing) throw e;
        return this.existingFor(intent, existing);
      }
      if (e.code === 'E_EXEC_BROKER_REJECTED' && e.details?.status === 422) {
        const existing = await this.orderByClientId(intent.clientOrderId);
        if (existing) return this.existingFor(intent, existing);
      }
      // Refused outright (buying power, an unknown symbol, a bad price): the order exists
      // nowhere, and its report says why.
      if (e.code === 'E_EXEC_BROKER_REJECTED') return rejectedReport(intent, e.message);
      throw e;
    }
    if (!placed) throw new OrdinisError('E_EXEC_BROKER_UNAVAILABLE', `POST /v2/orders for ${intent.clientOrderId}: empty answer`);
    return this.withFills(placed);
  }

  async cancel(clientOrderId: string): Promise<ExecutionReport> {
    const order = await this.orderByClientId(clientOrderId);
    if (!order) throw new OrdinisError('E_EXEC_ORDER_UNKNOWN', `alpaca has no order ${clientOrderId}`, { details: { clientOrderId } });
    const before = await this.withFills(order);
    if (before.status === 'filled' || before.status === 'canceled' || before.status === 'rejected') return before;
    try {
      await this.rest.request('DELETE', `/v2/orders/${encodeURIComponent(order.id)}`);
    } catch (e) {
      // 422: no longer cancelable (it filled meanwhile); its report below says how it ended.
      if (!(isOrdinisError(e) && e.code === 'E_EXEC_BROKER_REJECTED' && e.details?.status === 422)) throw e;
    }
    const after = await this.orderByClientId(clientOrderId);
    return after ? this.withFills(after) : before;
  }

  async fetchOrder(clientOrderId: string): Promise<ExecutionReport | undefined> {
    const order = await this.orderByClientId(clientOrderId);
    return order ? this.withFills(order) : undefined;
  }

  async fetchPositions(): Promise<ReadonlyMap<string, number>> {
    return positionsOf((await this.rest.request<AlpacaPosition[]>('GET', '/v2/positions')) ?? []);
  }

  async fetchAccount(): Promise<AccountView> {
    const account = await this.rest.request<AlpacaAccount>('GET', '/v2/account');
    if (!account) throw new OrdinisError('E_EXEC_BROKER_UNAVAILABLE', 'GET /v2/account: empty answer');
    return { cash: num(account.cash), positions: await this.fetchPositions() };
  }

  async fetchOpenOrders(): Promise<ExecutionReport[]> {
    const open = (await this.rest.request<AlpacaOrder[]>('GET', '/v2/orders', { query: { status: 'open', direction: 'asc', limit: 500 } })) ?? [];
    const out: ExecutionReport[] = [];
    for (const o of open) out.push(await this.withFills(o));
    return out;
  }

  // ---- internals ----------------------------------------------------------------------

  private orderByClientId(clientOrderId: string): Promise<AlpacaOrder | undefined> {
    return this.rest.request<AlpacaOrder>('GET', '/v2/orders:by_client_order_id', { query: { client_order_id: clientOrderId }, notFound: 'undefined' });
  }

  private async existingFor(intent: OrderIntent, order: AlpacaOrder): Promise<ExecutionReport> {
    if (!sameOrder(order, intent)) {
      throw new OrdinisError('E_EXEC_IDEMPOTENCY_CONFLICT', `client order id ${intent.clientOrderId} names another order at alpaca (${order.side} ${order.qty} ${order.symbol} ${order.type})`, {
        details: { clientOrderId: intent.clientOrderId, brokerOrderId: order.id },
      });
    }
    return this.withFills(order);
  }

  /** The order's report with its fills, read from the account's FILL activities since the order was created. */
  private async withFills(order: AlpacaOrder): Promise<ExecutionReport> {
    if (num(order.filled_qty) === 0) return reportOf(order, []);
    const mine: AlpacaFillActivity[] = [];
    let pageToken: string | undefined;
    for (;;) {
      const page =
        (await this.rest.request<AlpacaFillActivity[]>('GET', '/v2/account/activities/FILL', {
          query: { after: activitiesFrom(order), direction: 'asc', page_size: ACTIVITY_PAGE, page_token: pageToken },
        })) ?? [];
      for (const a of page) if (a.order_id === order.id) mine.push(a);
      if (page.length < ACTIVITY_PAGE) break;
      pageToken = page.at(-1)!.id;
    }
    return reportOf(order, mine);
  }
}

/** Where to start reading an order's fills: a second before it was created, so no clock rounding at the broker hides its first fill. */
function activitiesFrom(order: AlpacaOrder): string {
  return new Date(timeOf(order.created_at) - 1000).toISOString();
}

function rejectedReport(intent: OrderIntent, reason: string): ExecutionReport {
  return refusedOrderReport(intent, reason, `rejected:${intent.clientOrderId}`, intent.ts);
}
