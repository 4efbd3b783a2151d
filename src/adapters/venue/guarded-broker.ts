// GuardedBroker: the resilience wrapper around any venue. It is itself a BrokerAdapter, so
// EXEC cannot tell it from the venue it wraps (the paper broker or a real broker's adapter):
// the inner adapter behind a rate limiter and a circuit breaker. Order entry (submit,
// cancel) spends rate-limit tokens; queries do not unless `limitQueries` is set. Every call
// goes through the breaker, so a venue that keeps failing is cut off instead of hammered.
// Rate-limit refusals happen before the breaker and never count as venue failures.
// A synchronous inner adapter stays synchronous.

import type { ExecutionReport, OrderIntent } from '../../domain/order.ts';
import type { AccountView } from '../../domain/portfolio.ts';
import type { MaybePromise } from '../../core/maybe-async.ts';
import type { BrokerAdapter } from '../../stages/exec/broker-adapter.ts';
import type { CircuitBreaker } from '../resilience/circuit-breaker.ts';
import type { RateLimiter } from '../resilience/rate-limiter.ts';

export interface GuardedBrokerOptions {
  breaker: CircuitBreaker;
  limiter?: RateLimiter;
  /** Queries (fetch*) spend tokens too. Default false. */
  limitQueries?: boolean;
}

export class GuardedBroker implements BrokerAdapter {
  readonly fetchOpenOrders?: () => MaybePromise<ExecutionReport[]>;

  constructor(
    readonly inner: BrokerAdapter,
    private readonly opts: GuardedBrokerOptions,
  ) {
    const f = inner.fetchOpenOrders;
    if (f) this.fetchOpenOrders = () => this.guard(false, () => f.call(inner));
  }

  private guard<T>(entry: boolean, fn: () => MaybePromise<T>): MaybePromise<T> {
    if (this.opts.limiter && (entry || this.opts.limitQueries)) this.opts.limiter.take();
    return this.opts.breaker.execute(fn);
  }

  submit(intent: OrderIntent): MaybePromise<ExecutionReport> {
    return this.guard(true, () => this.inner.submit(intent));
  }

  cancel(clientOrderId: string): MaybePromise<ExecutionReport> {
    return this.guard(true, () => this.inner.cancel(clientOrderId));
  }

  fetchOrder(clientOrderId: string): MaybePromise<ExecutionReport | undefined> {
    return this.guard(false, () => this.inner.fetchOrder(clientOrderId));
  }

  fetchPositions(): MaybePromise<ReadonlyMap<string, number>> {
    return this.guard(false, () => this.inner.fetchPositions());
  }

  fetchAccount(): MaybePromise<AccountView> {
    return this.guard(false, () => this.inner.fetchAccount());
  }
}
