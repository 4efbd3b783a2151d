// Builds EVT envelopes and publishes them: what the orchestrator and the kill switch use to
// emit `ordinis.ops.cycle.started`, `ordinis.ops.kill.block` and the like.
//
// emit() never throws. These events report on trading; they are not the trading. A cycle
// must not fail, and a kill-switch activation must not be undone, because the bus was full
// (E_SB_BACKPRESSURE), closed (E_SB_UNAVAILABLE) or refused the event (E_SB_SCHEMA_REJECT).
// Every failed emit is instead returned as an EmitOutcome, passed to `onEmitFailure` and
// counted in stats(). Configuration mistakes (bad default tags, source, schema version) are
// caught once, in the constructor, which does throw.

import type { Clock } from '../core/clock.ts';
import { toRfc3339 } from '../core/clock.ts';
import type { RandomSource } from '../core/random.ts';
import { randomHex } from '../core/random.ts';
import { OrdinisError, toOrdinisError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import type { Bus, EmitMeta, EventEmitterPort, EventEnvelope, PublishAck } from './contract.ts';
import { validateEnvelope } from './envelope.ts';
import type { Environment, InstrumentType } from './envelope.ts';

/** The tags every event must carry, plus any extra ones to stamp on each event. */
export type DefaultEventTags = {
  instrument_type: InstrumentType;
  venue: string;
  jurisdiction: string;
  env: Environment;
} & Record<string, string>;

export interface EnvelopeFactoryOptions {
  bus: Bus;
  /** Stamps ts_ingest, and ts_event unless the caller gives one. */
  clock: Clock;
  /** Draws event ids and, when the caller has no trace context, trace and span ids. */
  random: RandomSource;
  /** The emitting component, e.g. "orch.engine". */
  source: string;
  tags: DefaultEventTags;
  /** Envelope schema_version, default "1.0.0". */
  schemaVersion?: string;
  /**
   * Build and publish only events some subscriber would receive (bus.hasSubscriber); others
   * are counted as `unheard` and cost nothing, not even validation. Default false.
   */
  onlyWhenHeard?: boolean;
  /** Told about every emit that did not reach the bus. Errors it throws are ignored. */
  onEmitFailure?: (failure: EmitFailure) => void;
}

export interface EmitFailure {
  topic: string;
  error: OrdinisError;
}

export type EmitOutcome = { ok: true; ack: PublishAck } | { ok: true; unheard: true } | ({ ok: false } & EmitFailure);

export interface EmitStats {
  emitted: number;
  /** Not built: nobody subscribed to the topic (onlyWhenHeard). */
  unheard?: number;
  failed: number;
  failedByCode: Partial<Record<ErrorCode, number>>;
}

export const DEFAULT_SCHEMA_VERSION = '1.0.0';
const EVENT_ID_BYTES = 16; // 32 hex chars, the size of a W3C trace id
const SPAN_ID_BYTES = 8; // 16 hex chars, the size of a W3C span id

export class EnvelopeFactory implements EventEmitterPort {
  private readonly schemaVersion: string;
  private emitted = 0;
  private unheard = 0;
  private failed = 0;
  private readonly failedByCode: Partial<Record<ErrorCode, number>> = {};

  /** Throws OrdinisError E_CFG_INVALID when source, tags or schemaVersion would make every event invalid. */
  constructor(private readonly options: EnvelopeFactoryOptions) {
    this.schemaVersion = options.schemaVersion ?? DEFAULT_SCHEMA_VERSION;
    this.checkConfiguration();
  }

  /**
   * A complete envelope for `topic`. Not validated here (the bus validates on publish);
   * throws E_EVT_SCHEMA_INVALID only for a non-finite meta.tsEvent, which has no timestamp.
   * correlation_id defaults to the event id (an event that starts its own story) and
   * partition_key to the correlation id, so a cycle's events share a partition.
   */
  build(topic: string, payload: Record<string, unknown>, meta: EmitMeta = {}): EventEnvelope {
    const { clock, random, source } = this.options;
    const now = clock.now();
    if (meta.tsEvent !== undefined && !Number.isFinite(meta.tsEvent)) {
      throw new OrdinisError('E_EVT_SCHEMA_INVALID', `ts_event: tsEvent must be epoch milliseconds (got ${meta.tsEvent})`);
    }
    const eventId = randomHex(random, EVENT_ID_BYTES);
    const correlationId = meta.correlationId ?? eventId;
    const envelope: EventEnvelope = {
      event_id: eventId,
      event_type: topic,
      schema_version: this.schemaVersion,
      ts_event: toRfc3339(meta.tsEvent ?? now),
      ts_ingest: toRfc3339(now),
      source,
      trace_id: meta.traceId ?? randomHex(random, EVENT_ID_BYTES),
      span_id: meta.spanId ?? randomHex(random, SPAN_ID_BYTES),
      correlation_id: correlationId,
      partition_key: meta.partitionKey ?? correlationId,
      payload,
      tags: { ...this.options.tags, ...meta.tags },
    };
    if (meta.parentSpanId !== undefined) envelope.parent_span_id = meta.parentSpanId;
    if (meta.idempotencyKey !== undefined) envelope.idempotency_key = meta.idempotencyKey;
    return envelope;
  }

  /** Builds and publishes. Never throws: a failure is returned, reported and counted. */
  emit(topic: string, payload: Record<string, unknown>, meta: EmitMeta = {}): EmitOutcome {
    if (this.options.onlyWhenHeard === true && !this.options.bus.hasSubscriber(topic)) {
      this.unheard++;
      return { ok: true, unheard: true };
    }
    try {
      const ack = this.options.bus.publish(this.build(topic, payload, meta));
      this.emitted++;
      return { ok: true, ack };
    } catch (e) {
      const error = toOrdinisError(e);
      this.recordFailure({ topic, error });
      return { ok: false, topic, error };
    }
  }

  stats(): EmitStats {
    const stats: EmitStats = { emitted: this.emitted, failed: this.failed, failedByCode: { ...this.failedByCode } };
    if (this.unheard > 0) stats.unheard = this.unheard;
    return stats;
  }

  private recordFailure(failure: EmitFailure): void {
    this.failed++;
    const code = failure.error.code;
    this.failedByCode[code] = (this.failedByCode[code] ?? 0) + 1;
    try {
      this.options.onEmitFailure?.(failure);
    } catch {
      // The reporter failing must not turn a dropped event into a failed cycle.
    }
  }

  /** Validates one probe envelope with fixed ids (so no randomness is consumed). */
  private checkConfiguration(): void {
    const probe: EventEnvelope = {
      event_id: 'probe',
      event_type: 'ordinis.ops.emitter.configured',
      schema_version: this.schemaVersion,
      ts_event: toRfc3339(0),
      ts_ingest: toRfc3339(0),
      source: this.options.source,
      trace_id: 'probe',
      span_id: 'probe',
      correlation_id: 'probe',
      partition_key: 'probe',
      payload: {},
      tags: this.options.tags,
    };
    try {
      validateEnvelope(probe);
    } catch (e) {
      const cause = toOrdinisError(e);
      throw new OrdinisError('E_CFG_INVALID', `event emitter misconfigured: ${cause.message}`, { cause });
    }
  }
}
