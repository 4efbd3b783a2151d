// One subscriber of the in-memory bus: its pattern and filter, its own delivery queue and
// the counters the scheduler needs. Each subscriber having its own queue is what lets the
// bus serve subscribers round-robin, so a slow one only ever delays itself.

import type { EventEnvelope, EventHandler } from './contract.ts';
import { Fifo } from './fifo.ts';
import type { TopicPattern } from './topic-pattern.ts';

/** One event on its way to one subscriber. */
export interface Delivery {
  readonly event: EventEnvelope;
  /** Bus clock reading at publish. */
  readonly enqueuedAt: number;
  /** Handler invocations so far. */
  attempts: number;
}

export class Subscription {
  readonly queue = new Fifo<Delivery>();
  /** Handler invocations running now. */
  running = 0;
  /** Failed deliveries sleeping until their retry timer fires. */
  waitingRetry = 0;
  /** False once unsubscribed (or the bus closed): nothing more is started or retried. */
  active = true;
  /** Whether it sits in the bus's round-robin ring (so it is never in it twice). */
  inReadyRing = false;
  readonly retryTimers = new Set<ReturnType<typeof setTimeout>>();
  /** Deliveries not yet settled, by topic: the depth SB_MAX_QUEUE_DEPTH caps. */
  private readonly outstandingByTopic = new Map<string, number>();

  constructor(
    readonly id: string,
    readonly name: string,
    readonly pattern: TopicPattern,
    readonly partitionKey: string | undefined,
    readonly maxInFlight: number,
    readonly handler: EventHandler,
  ) {}

  /** The partition filter; the topic was already matched when the bus routed the event. */
  acceptsPartition(partitionKey: string): boolean {
    return this.partitionKey === undefined || this.partitionKey === partitionKey;
  }

  /**
   * A delivery waiting for its retry holds its subscriber slot: with maxInFlight 1 the next
   * event waits behind it, which is what keeps per-subscriber order through retries.
   */
  canStart(): boolean {
    return this.active && this.queue.length > 0 && this.running + this.waitingRetry < this.maxInFlight;
  }

  outstanding(topic: string): number {
    return this.outstandingByTopic.get(topic) ?? 0;
  }

  enqueue(delivery: Delivery): void {
    this.queue.push(delivery);
    const topic = delivery.event.event_type;
    this.outstandingByTopic.set(topic, this.outstanding(topic) + 1);
  }

  /** The delivery has left the bus for good: handled, dead-lettered or dropped. */
  settle(delivery: Delivery): void {
    const topic = delivery.event.event_type;
    const left = this.outstanding(topic) - 1;
    if (left > 0) this.outstandingByTopic.set(topic, left);
    else this.outstandingByTopic.delete(topic);
  }
}
