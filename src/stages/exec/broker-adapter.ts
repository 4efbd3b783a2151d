// The broker port: what EXEC (and RISK, for the account) needs from a venue. A paper broker
// answers synchronously so a backtest never pays for a promise per call; a live adapter
// answers with promises. Callers handle both through `MaybePromise` and `runMaybeAsync`.

import type { ExecutionReport, OrderIntent } from '../../domain/order.ts';
import type { AccountView, BookView } from '../../domain/portfolio.ts';
import type { MaybePromise } from '../../core/maybe-async.ts';

/** The broker port: what EXEC and RISK need from a venue. Implement it to trade somewhere else; `PaperBroker` is the simulated one. */
export interface BrokerAdapter {
  /**
   * Sends an order. Idempotent on the intent's idempotency key and client order id: a
   * duplicate returns the same broker order and its current report; the same key with a
   * different order throws E_EXEC_IDEMPOTENCY_CONFLICT.
   */
  submit(intent: OrderIntent): MaybePromise<ExecutionReport>;
  /** Cancels a working order; returns its (final or current) report. E_EXEC_ORDER_UNKNOWN if unknown. */
  cancel(clientOrderId: string): MaybePromise<ExecutionReport>;
  /** The broker's current view of an order, or undefined if the broker never received it. */
  fetchOrder(clientOrderId: string): MaybePromise<ExecutionReport | undefined>;
  /** Non-zero positions by symbol (shares). */
  fetchPositions(): MaybePromise<ReadonlyMap<string, number>>;
  /** Cash and positions: the account RISK decides against and PORT reconciles with. */
  fetchAccount(): MaybePromise<AccountView>;
  /** Orders the broker holds unresolved (submitted / partially filled), in submission order. Optional. */
  fetchOpenOrders?(): MaybePromise<ExecutionReport[]>;
  /** Cash, positions with average price and entry time, working orders with their terms: what a strategy is shown. Optional (see `brokerBook`). */
  fetchBook?(): MaybePromise<BookView>;
}
