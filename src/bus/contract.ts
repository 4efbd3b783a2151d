// The bus contract (SB). The in-memory bus implements it; Redis/Kafka adapters would too.

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
}
