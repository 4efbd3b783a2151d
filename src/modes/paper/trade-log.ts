// What the operator reads as it happens: each order as it is recorded, each order the venue
// rejects or cancels, each fill as the ledger posts it. The order and ledger stores are where
// these facts become true, so the log is a thin wrapper around them (the stage code does not
// know it is watched). A line is written after the store call returns; inside a transaction
// that later rolls back the fact is undone and the line stays (the next attempt logs again).

import type { ExecutionReport, Fill, OrderIntent } from '../../domain/order.ts';
import type { Position } from '../../domain/portfolio.ts';
import type { InsertIntentResult, OrderStore } from '../../stages/exec/order-store.ts';
import type { LedgerEntry, LedgerStore } from '../../stages/port/ledger-store.ts';
import { LedgerStoreDecorator, OrderStoreDecorator } from './store-decorators.ts';

/** Where the trade lines go (the paper command: its logger at info). */
export interface TradeLog {
  /** An order was recorded (before it is sent). */
  order(intent: OrderIntent): void;
  /** The venue's final answer other than a fill: rejected or canceled. */
  orderClosed(intent: OrderIntent, report: ExecutionReport): void;
  /** A fill was posted to the ledger. */
  fill(fill: Fill): void;
}

/** The order store, telling `log` of each new order and each rejection or cancellation. */
export class LoggedOrderStore extends OrderStoreDecorator {
  /** Orders already reported closed: a report recorded again (recovery, a retry) is not news. */
  private readonly closed = new Set<string>();

  constructor(
    inner: OrderStore,
    private readonly log: TradeLog,
  ) {
    super(inner);
  }

  override insertIntent(intent: OrderIntent): InsertIntentResult {
    const r = this.inner.insertIntent(intent);
    if (r.inserted) this.log.order(r.record.intent);
    return r;
  }

  override recordReport(clientOrderId: string, report: ExecutionReport): void {
    this.inner.recordReport(clientOrderId, report);
    if ((report.status === 'rejected' || report.status === 'canceled') && !this.closed.has(clientOrderId)) {
      this.closed.add(clientOrderId);
      const intent = this.inner.findByClientOrderId(clientOrderId)?.intent;
      if (intent) this.log.orderClosed(intent, report);
    }
  }
}

/** The ledger store, telling `log` of each fill it posts (once: a fill already posted is not). */
export class LoggedLedgerStore extends LedgerStoreDecorator {
  constructor(
    inner: LedgerStore,
    private readonly log: TradeLog,
  ) {
    super(inner);
  }

  override commitFill(fill: Fill, entries: LedgerEntry[], position: Position): boolean {
    const posted = this.inner.commitFill(fill, entries, position);
    if (posted) this.log.fill(fill);
    return posted;
  }
}

/** A TradeLog writing one info line per order, closed order and fill (structurally a pino logger). */
export function tradeLogTo(logger: { info(o: object, m?: string): void }): TradeLog {
  const terms = (i: OrderIntent): string =>
    `${i.orderType}${i.limitPrice !== undefined ? ` limit ${i.limitPrice}` : ''}${i.stopPrice !== undefined ? ` stop ${i.stopPrice}` : ''}`;
  const fields = (i: OrderIntent) => ({
    client_order_id: i.clientOrderId,
    correlation_id: i.correlationId,
    symbol: i.symbol,
    side: i.side,
    qty: i.qty,
    order_type: i.orderType,
    ...(i.limitPrice !== undefined ? { limit_price: i.limitPrice } : {}),
    ...(i.stopPrice !== undefined ? { stop_price: i.stopPrice } : {}),
    time_in_force: i.timeInForce,
  });
  return {
    order: (i) => logger.info(fields(i), `order ${i.side} ${i.qty} ${i.symbol} ${terms(i)}`),
    orderClosed: (i, r) =>
      logger.info({ ...fields(i), status: r.status, filled_qty: r.filledQty, ...(r.rejectReason ? { reason: r.rejectReason } : {}) }, `order ${r.status}: ${i.side} ${i.qty} ${i.symbol}${r.rejectReason ? ` (${r.rejectReason})` : ''}`),
    fill: (f) =>
      logger.info(
        { fill_id: f.fillId, client_order_id: f.clientOrderId, symbol: f.symbol, side: f.side, qty: f.qty, price: f.price, commission: f.commission, fill_time: new Date(f.ts).toISOString() },
        `fill ${f.side} ${f.qty} ${f.symbol} @ ${f.price}`,
      ),
  };
}
