// The in-memory streaming bus (SB_BACKEND=inmemory).
//
// publish() validates the envelope, takes a snapshot of it and appends one delivery to the
// queue of every matching subscriber, all or nothing. Dispatch happens later (a microtask,
// then setImmediate for long bursts): a scheduler walks a round-robin ring of subscribers
// that have work and a free slot, starting one delivery per turn, until SB_MAX_CONCURRENCY
// handler invocations are running.
//
// Guarantees
// - At-least-once per subscriber, while the process lives: a delivery is retried after a
//   failure (SB_MAX_RETRIES, exponential backoff from SB_RETRY_BACKOFF_MS) and then written
//   to the dead-letter sink. Nothing survives a crash; that is what the SQLite-backed
//   stores and a durable adapter are for.
// - FIFO per subscriber when its maxInFlight is 1 (the default): its handler is invoked for
//   one event at a time, in publish order, and a failed event is retried before the next
//   one starts. Filtering by partition_key keeps that order within the partition. With
//   maxInFlight > 1 invocations start in publish order but may finish in any order.
// - Isolation: a subscriber holds at most its maxInFlight slots (capped by
//   maxInFlightPerSubscriber), and free slots go round-robin, so a handler that never
//   resolves stalls only its own subscriber, unless stuck subscribers together hold every
//   one of the SB_MAX_CONCURRENCY slots.
// - Backpressure: SB_MAX_QUEUE_DEPTH caps, per topic and per subscriber, deliveries not yet
//   settled. A publish over the cap throws E_SB_BACKPRESSURE (retryable) and enqueues
//   nothing.
// Limits
// - The payload is shared by reference with the publisher and every subscriber (the
//   envelope and tags are copied); handlers must treat events as read-only.
// - There is no handler timeout: a never-settling handler keeps its slot, and drain()
//   never resolves while it runs.
// - unsubscribe() and close() drop deliveries not yet started (counted as `dropped`).

import { toRfc3339 } from '../core/clock.ts';
import { OrdinisError, toOrdinisError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import type { BusMetric } from './bus-metric.ts';
import { resolveBusOptions } from './bus-options.ts';
import type { InMemoryBusOptions, ResolvedBusOptions } from './bus-options.ts';
import type { Bus, BusHealth, DeadLetter, EventEnvelope, EventHandler, PublishAck, SubscriptionSpec } from './contract.ts';
import { validateEnvelope } from './envelope.ts';
import { Fifo } from './fifo.ts';
import { retryDelayMs } from './retry-backoff.ts';
import { Subscription } from './subscription.ts';
import type { Delivery } from './subscription.ts';
import { compileTopicPattern, eventPatternProblem } from './topic-pattern.ts';

export interface InMemoryBusHealth extends BusHealth {
  /** False once close() was called. */
  closed: boolean;
  /** Failed deliveries sleeping until their retry. */
  waitingRetry: number;
  /** Retries scheduled. */
  retried: number;
  /** Publishes refused with E_SB_BACKPRESSURE. */
  backpressured: number;
  /** Accepted events that matched no subscriber. */
  unrouted: number;
  /** Deliveries discarded by unsubscribe() or close(), or failing after it. */
  dropped: number;
  /** Dead letters lost because the sink threw. */
  deadLetterWriteFailures: number;
  /** Most handler invocations ever running at once. */
  peakInFlight: number;
  maxConcurrency: number;
}

/** Distinct topics remembered by the routing cache before it is reset. */
const ROUTE_CACHE_LIMIT = 4096;

export class InMemoryBus implements Bus {
  private readonly options: ResolvedBusOptions;
  private readonly subscriptions = new Map<string, Subscription>();
  /** Topic → subscriptions whose pattern matches it. Reset on every (un)subscribe. */
  private readonly routes = new Map<string, Subscription[]>();
  /** Subscribers with queued work and a free slot, in round-robin order. */
  private readonly ready = new Fifo<Subscription>();
  private readonly drainWaiters: Array<() => void> = [];
  private nextSubscriptionNumber = 1;
  private pumping = false;
  private pumpScheduled = false;
  private closed = false;

  private queued = 0;
  private inFlight = 0;
  private waitingRetry = 0;
  private readonly counts = {
    published: 0,
    delivered: 0,
    failed: 0,
    rejected: 0,
    dlq: 0,
    retried: 0,
    backpressured: 0,
    unrouted: 0,
    dropped: 0,
    deadLetterWriteFailures: 0,
    peakInFlight: 0,
  };

  constructor(options: InMemoryBusOptions) {
    this.options = resolveBusOptions(options);
  }

  /**
   * Validates and enqueues. Throws OrdinisError E_SB_SCHEMA_REJECT (cause: the E_EVT_* error)
   * for an invalid envelope, E_SB_BACKPRESSURE when a matching subscriber's queue for this
   * topic is full, E_SB_UNAVAILABLE after close().
   */
  publish(event: EventEnvelope): PublishAck {
    if (this.closed) throw new OrdinisError('E_SB_UNAVAILABLE', 'the bus is closed');
    const snapshot = this.validated(event);
    const topic = snapshot.event_type;
    const targets = this.route(topic).filter((s) => s.acceptsPartition(snapshot.partition_key));
    this.refuseIfFull(topic, targets);

    const now = this.options.clock.now();
    for (const subscription of targets) {
      subscription.enqueue({ event: snapshot, enqueuedAt: now, attempts: 0 });
      this.markReady(subscription);
    }
    this.queued += targets.length;
    this.counts.published++;
    this.metric({ kind: 'published', topic });
    if (targets.length === 0) {
      this.counts.unrouted++;
      this.metric({ kind: 'unrouted', topic });
    }
    this.requestPump();
    return { ok: true, event_id: snapshot.event_id, ts_published: toRfc3339(now) };
  }

  /**
   * Registers a handler for a topic or pattern (see topic-pattern.ts). Throws OrdinisError
   * E_EVT_TOPIC_UNKNOWN for a malformed pattern or one that can never match an event topic,
   * E_CFG_INVALID for a bad maxInFlight. A maxInFlight above maxInFlightPerSubscriber is capped.
   */
  subscribe(spec: SubscriptionSpec, handler: EventHandler): string {
    if (this.closed) throw new OrdinisError('E_SB_UNAVAILABLE', 'the bus is closed');
    const pattern = compileTopicPattern(spec.topic);
    const problem = eventPatternProblem(pattern);
    if (problem !== undefined) throw new OrdinisError('E_EVT_TOPIC_UNKNOWN', problem, { details: { pattern: spec.topic } });
    const requested = spec.maxInFlight ?? 1;
    if (!Number.isSafeInteger(requested) || requested < 1) {
      throw new OrdinisError('E_CFG_INVALID', `subscription maxInFlight must be an integer >= 1 (got ${requested})`);
    }
    if (typeof handler !== 'function') throw new OrdinisError('E_CFG_INVALID', 'subscription handler must be a function');

    const id = `sub-${this.nextSubscriptionNumber++}`;
    const maxInFlight = Math.min(requested, this.options.maxInFlightPerSubscriber);
    const subscription = new Subscription(id, spec.name ?? id, pattern, spec.partition_key, maxInFlight, handler);
    this.subscriptions.set(id, subscription);
    this.routes.clear();
    return id;
  }

  /** Removes a subscription; its deliveries not yet started are dropped. False if unknown. */
  unsubscribe(id: string): boolean {
    const subscription = this.subscriptions.get(id);
    if (subscription === undefined) return false;
    this.subscriptions.delete(id);
    this.routes.clear();
    this.deactivate(subscription);
    this.resolveDrainIfIdle();
    return true;
  }

  hasSubscriber(topic: string): boolean {
    return this.route(topic).length > 0;
  }

  health(): InMemoryBusHealth {
    return {
      ok: !this.closed,
      closed: this.closed,
      subscribers: this.subscriptions.size,
      queued: this.queued,
      inFlight: this.inFlight,
      waitingRetry: this.waitingRetry,
      maxConcurrency: this.options.maxConcurrency,
      ...this.counts,
    };
  }

  /** Resolves once nothing is queued, running or waiting to retry. */
  drain(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Stops the bus: later publish/subscribe throw E_SB_UNAVAILABLE, retry timers are cleared
   * and deliveries not yet started are dropped. Handlers already running finish (drain()
   * waits for them). For a graceful stop, `await bus.drain()` first. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const subscription of this.subscriptions.values()) this.deactivate(subscription);
    this.subscriptions.clear();
    this.routes.clear();
    this.ready.takeAll();
    this.resolveDrainIfIdle();
  }

  private validated(event: EventEnvelope): EventEnvelope {
    try {
      return validateEnvelope(event);
    } catch (e) {
      const cause = toOrdinisError(e);
      const topic = typeof event?.event_type === 'string' ? event.event_type : '(unknown)';
      this.counts.rejected++;
      this.metric({ kind: 'rejected', topic, errorCode: cause.code });
      throw new OrdinisError('E_SB_SCHEMA_REJECT', cause.message, {
        cause,
        details: { event_code: cause.code, event_type: topic },
      });
    }
  }

  private refuseIfFull(topic: string, targets: readonly Subscription[]): void {
    const cap = this.options.maxQueueDepth;
    const full = targets.find((s) => s.outstanding(topic) >= cap);
    if (full === undefined) return;
    this.counts.backpressured++;
    this.metric({ kind: 'backpressure', topic, subscription: full.name, errorCode: 'E_SB_BACKPRESSURE' });
    throw new OrdinisError('E_SB_BACKPRESSURE', `subscriber ${full.name} has ${cap} undelivered ${topic} events (the cap)`, {
      details: { topic, subscription: full.name, depth: cap },
    });
  }

  private route(topic: string): Subscription[] {
    let matching = this.routes.get(topic);
    if (matching === undefined) {
      matching = [...this.subscriptions.values()].filter((s) => s.pattern.matches(topic));
      if (this.routes.size >= ROUTE_CACHE_LIMIT) this.routes.clear();
      this.routes.set(topic, matching);
    }
    return matching;
  }

  private markReady(subscription: Subscription): void {
    if (subscription.inReadyRing || !subscription.canStart()) return;
    subscription.inReadyRing = true;
    this.ready.push(subscription);
  }

  private requestPump(): void {
    // While pumping, the running loop sees new work itself; no second pump is needed.
    if (this.pumping || this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => this.pump());
  }

  /** Starts deliveries round-robin until slots or work run out, or the batch is used up. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    this.pumpScheduled = false;
    let started = 0;
    try {
      while (this.inFlight < this.options.maxConcurrency) {
        const subscription = this.ready.shift();
        if (subscription === undefined) break;
        subscription.inReadyRing = false;
        if (!subscription.canStart()) continue;
        this.start(subscription);
        started++;
        this.markReady(subscription);
        if (started >= this.options.dispatchBatch) {
          // Yield to I/O and timers before continuing a long burst.
          this.pumpScheduled = true;
          setImmediate(() => this.pump());
          break;
        }
      }
    } finally {
      this.pumping = false;
    }
    this.resolveDrainIfIdle();
  }

  private start(subscription: Subscription): void {
    const delivery = subscription.queue.shift() as Delivery;
    this.queued--;
    subscription.running++;
    this.inFlight++;
    if (this.inFlight > this.counts.peakInFlight) this.counts.peakInFlight = this.inFlight;
    delivery.attempts++;
    if (this.options.onMetric !== undefined) this.dispatchedMetric(subscription, delivery);

    let result: void | Promise<void>;
    try {
      result = subscription.handler(delivery.event);
    } catch (e) {
      this.failed(subscription, delivery, e);
      return;
    }
    if (!isPromiseLike(result)) {
      this.succeeded(subscription, delivery);
      return;
    }
    // A thenable is not a promise: guard against it settling twice or its then() throwing.
    let settled = false;
    const settleOnce = (error: unknown, ok: boolean): void => {
      if (settled) return;
      settled = true;
      if (ok) this.succeeded(subscription, delivery);
      else this.failed(subscription, delivery, error);
    };
    try {
      result.then(
        () => settleOnce(undefined, true),
        (e: unknown) => settleOnce(e, false),
      );
    } catch (e) {
      settleOnce(e, false);
    }
  }

  private succeeded(subscription: Subscription, delivery: Delivery): void {
    this.release(subscription);
    subscription.settle(delivery);
    this.counts.delivered++;
    this.metric({ kind: 'delivered', topic: delivery.event.event_type, subscription: subscription.name, attempts: delivery.attempts });
    this.afterSettle(subscription);
  }

  private failed(subscription: Subscription, delivery: Delivery, error: unknown): void {
    this.release(subscription);
    this.counts.failed++;
    const topic = delivery.event.event_type;
    this.metric({ kind: 'failed', topic, subscription: subscription.name, attempts: delivery.attempts, errorCode: 'E_SB_HANDLER_FAILED' });
    if (!subscription.active) {
      this.drop(subscription, delivery);
    } else if (delivery.attempts <= this.options.maxRetries) {
      this.scheduleRetry(subscription, delivery);
    } else {
      subscription.settle(delivery);
      this.deadLetter(subscription, delivery, 'E_SB_HANDLER_FAILED', errorMessage(error));
    }
    this.afterSettle(subscription);
  }

  private release(subscription: Subscription): void {
    subscription.running--;
    this.inFlight--;
  }

  private afterSettle(subscription: Subscription): void {
    this.markReady(subscription);
    this.requestPump();
    this.resolveDrainIfIdle();
  }

  private scheduleRetry(subscription: Subscription, delivery: Delivery): void {
    const o = this.options;
    const delayMs = retryDelayMs(delivery.attempts, o.retryBackoffMs, o.maxRetryBackoffMs);
    subscription.waitingRetry++;
    this.waitingRetry++;
    this.counts.retried++;
    this.metric({ kind: 'retry_scheduled', topic: delivery.event.event_type, subscription: subscription.name, attempts: delivery.attempts, delayMs });
    const timer = setTimeout(() => {
      subscription.retryTimers.delete(timer);
      subscription.waitingRetry--;
      this.waitingRetry--;
      // Back to the head of its queue: with maxInFlight 1 nothing overtook it meanwhile.
      subscription.queue.unshift(delivery);
      this.queued++;
      this.markReady(subscription);
      this.requestPump();
    }, delayMs);
    subscription.retryTimers.add(timer);
  }

  private deadLetter(subscription: Subscription, delivery: Delivery, errorCode: ErrorCode, message: string): void {
    const entry: DeadLetter = {
      event: delivery.event,
      subscriptionId: subscription.id,
      subscriptionName: subscription.name,
      topicPattern: subscription.pattern.source,
      errorCode,
      errorMessage: message,
      attempts: delivery.attempts,
      ts: toRfc3339(this.options.clock.now()),
    };
    const topic = delivery.event.event_type;
    try {
      this.options.deadLetters.put(entry);
      this.counts.dlq++;
      this.metric({ kind: 'dead_lettered', topic, subscription: subscription.name, attempts: delivery.attempts, errorCode });
    } catch {
      this.counts.deadLetterWriteFailures++;
      this.metric({ kind: 'dead_letter_write_failed', topic, subscription: subscription.name, errorCode });
    }
  }

  /** Stops a subscription: clears its retry timers and drops what it has not started. */
  private deactivate(subscription: Subscription): void {
    subscription.active = false;
    for (const timer of subscription.retryTimers) clearTimeout(timer);
    subscription.retryTimers.clear();
    this.waitingRetry -= subscription.waitingRetry;
    this.counts.dropped += subscription.waitingRetry;
    subscription.waitingRetry = 0;
    const pending = subscription.queue.takeAll();
    this.queued -= pending.length;
    for (const delivery of pending) this.drop(subscription, delivery);
  }

  private drop(subscription: Subscription, delivery: Delivery): void {
    subscription.settle(delivery);
    this.counts.dropped++;
    this.metric({ kind: 'dropped', topic: delivery.event.event_type, subscription: subscription.name });
  }

  private isIdle(): boolean {
    return this.queued === 0 && this.inFlight === 0 && this.waitingRetry === 0;
  }

  private resolveDrainIfIdle(): void {
    if (this.drainWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.drainWaiters.splice(0);
    for (const resolve of waiters) resolve();
  }

  private dispatchedMetric(subscription: Subscription, delivery: Delivery): void {
    const m: BusMetric = { kind: 'dispatched', topic: delivery.event.event_type, subscription: subscription.name, attempts: delivery.attempts };
    if (delivery.attempts === 1) m.dispatchLatencyMs = this.options.clock.now() - delivery.enqueuedAt;
    this.metric(m);
  }

  private metric(m: BusMetric): void {
    const listener = this.options.onMetric;
    if (listener === undefined) return;
    try {
      listener(m);
    } catch {
      // A metrics bug must not cost a delivery; the metric is simply lost.
    }
  }
}

function isPromiseLike(v: unknown): v is PromiseLike<void> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
