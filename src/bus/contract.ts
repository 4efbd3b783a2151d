// The bus contract (SB). The in-memory bus implements it; Redis/Kafka adapters would too.

import type { ErrorCode } from '../errors.ts';

export interface EventEnvelope<P = Record<string, unknown>> {
  event_id: string;
  /** The topic, `ordinis.<domain>.<entity>.<verb>`. */
  event_type: string;
  schema_version: string;
  ts_event: string;
  ts_ingest: string;
  source: string;
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  correlation_id: string;
  partition_key: string;
  payload: P;
  tags: Record<string, string>;
  idempotency_key?: string;
  sig?: string;
}

export interface PublishAck {
  ok: boolean;
  event_id: string;
  ts_published: string;
}

export type EventHandler = (event: EventEnvelope) => void | Promise<void>;

export interface SubscriptionSpec {
  /** Exact topic or a wildcard: `ordinis.market.*` (one or more trailing segments), `ordinis.*.bar.closed` (`*` = one segment inside). */
  topic: string;
  partition_key?: string;
  /** A name for logs, metrics and the DLQ. */
  name?: string;
  /**
   * How many of this subscriber's deliveries may run at once (default 1). With 1, the
   * handler sees events one at a time in publish order; above 1, ordering is not kept.
   * Bus implementations may cap it so one subscriber cannot take every handler slot.
   */
  maxInFlight?: number;
}

export interface BusHealth {
  ok: boolean;
  subscribers: number;
  queued: number;
  inFlight: number;
  dlq: number;
  published: number;
  delivered: number;
  failed: number;
  rejected: number;
}

export interface Bus {
  publish(event: EventEnvelope): PublishAck;
  subscribe(spec: SubscriptionSpec, handler: EventHandler): string;
  unsubscribe(id: string): boolean;
  health(): BusHealth;
  /** True when some subscription's pattern matches `topic` (an emitter may skip building an event nobody hears). */
  hasSubscriber(topic: string): boolean;
  /** Resolves when every queued delivery (including retries) has settled. */
  drain(): Promise<void>;
}

/** What the engine and the kill switch need to emit events: a builder that fills the envelope. */
export interface EventEmitterPort {
  emit(topic: string, payload: Record<string, unknown>, meta?: EmitMeta): void;
}

export interface EmitMeta {
  correlationId?: string;
  traceId?: string;
  spanId?: string;
  partitionKey?: string;
  idempotencyKey?: string;
  tsEvent?: number;
  parentSpanId?: string;
  /** Merged over the emitter's default tags (e.g. a per-symbol instrument_type). */
  tags?: Record<string, string>;
}

/** A delivery that exhausted its retries (or could not be delivered), kept for inspection and replay. */
export interface DeadLetter {
  event: EventEnvelope;
  subscriptionId: string;
  subscriptionName: string;
  /** The subscription's topic pattern. */
  topicPattern: string;
  /** Why it was dead-lettered, e.g. E_SB_HANDLER_FAILED. */
  errorCode: ErrorCode;
  /** The last handler error's message. */
  errorMessage: string;
  /** Handler invocations made, including the first. */
  attempts: number;
  /** When it was dead-lettered, RFC 3339. */
  ts: string;
}

/**
 * Where dead letters go: memory by default, the `dlq` table in SQLite. `put` is called on
 * the bus's dispatch path, so it should be quick; if it throws, the bus counts the loss
 * (health().deadLetterWriteFailures) and carries on.
 */
export interface DeadLetterSink {
  put(entry: DeadLetter): void;
}
