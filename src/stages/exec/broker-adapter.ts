// The broker port: what EXEC (and RISK, for the account) needs from a venue. A paper broker
// answers synchronously so a backtest never pays for a promise per call; a live adapter
// answers with promises. Callers handle both through `MaybePromise` and `runMaybeAsync`.

import type { ExecutionReport, OrderIntent } from '../../domain/order.ts';
import type { AccountView } from '../../domain/portfolio.ts';

export type MaybePromise<T> = T | Promise<T>;

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
}

export function isPromiseLike<T>(v: MaybePromise<T> | PromiseLike<T>): v is PromiseLike<T> & Promise<T> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * Runs a generator that yields MaybePromise values and receives their results: fully
 * synchronous while every yielded value is plain, switching to a promise at the first
 * promise. Lets one piece of multi-step logic (EXEC's submit flow) serve a synchronous
 * paper broker at backtest speed and an async live broker alike.
 */
export function runMaybeAsync<T>(gen: Generator<unknown, T, unknown>): MaybePromise<T> {
  let step = gen.next();
  while (!step.done) {
    const v = step.value;
    if (isPromiseLike(v)) return continueAsync(gen, v);
    step = gen.next(v);
  }
  return step.value;
}

async function continueAsync<T>(gen: Generator<unknown, T, unknown>, first: PromiseLike<unknown>): Promise<T> {
  let pending: unknown = first;
  for (;;) {
    let step: IteratorResult<unknown, T>;
    let value: unknown;
    let failed = false;
    try {
      value = await pending;
    } catch (e) {
      failed = true;
      value = e;
    }
    step = failed ? gen.throw(value) : gen.next(value);
    if (step.done) return step.value;
    pending = step.value;
  }
}

/** Applies `f` to a MaybePromise without forcing a promise when the value is plain. */
export function thenMaybe<A, B>(v: MaybePromise<A>, f: (a: A) => MaybePromise<B>): MaybePromise<B> {
  return isPromiseLike(v) ? v.then(f) : f(v);
}
