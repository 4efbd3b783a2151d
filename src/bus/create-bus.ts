// The one place a mode builds its bus and the emitter that fills envelopes for it, from the
// SB_* keys. Commands (paper, serve, backtest) call these at the edge and hand the results to
// the engine (`events`, `bus`), the ops API (`/events`, `POST /backtests`) and `--events`.

import type { Clock } from '../core/clock.ts';
import type { RandomSource } from '../core/random.ts';
import type { OrdinisConfig } from '../config/schema.ts';
import { OrdinisError } from '../errors.ts';
import type { BusMetricListener } from './bus-metric.ts';
import type { DeadLetter, DeadLetterSink } from './contract.ts';
import { EnvelopeFactory, type EmitFailure } from './event-factory.ts';
import { InMemoryBus } from './in-memory-bus.ts';

export type BusConfig = Pick<OrdinisConfig, 'SB_BACKEND' | 'SB_MAX_QUEUE_DEPTH' | 'SB_MAX_CONCURRENCY' | 'SB_MAX_RETRIES' | 'SB_RETRY_BACKOFF_MS'>;

export interface BusDeps {
  clock: Clock;
  deadLetters?: DeadLetterSink;
  onMetric?: BusMetricListener;
}

/**
 * The bus SB_BACKEND names, sized by SB_MAX_QUEUE_DEPTH, SB_MAX_CONCURRENCY, SB_MAX_RETRIES
 * and SB_RETRY_BACKOFF_MS. Only `inmemory` exists; the schema refuses anything else, and so
 * does this (a config object built by hand), naming the key.
 */
export function createBus(config: BusConfig, deps: BusDeps): InMemoryBus {
  if (config.SB_BACKEND !== 'inmemory') {
    throw new OrdinisError('E_CFG_INVALID', `SB_BACKEND ${JSON.stringify(config.SB_BACKEND)}: only inmemory is implemented`, { details: { key: 'SB_BACKEND' } });
  }
  return new InMemoryBus({
    clock: deps.clock,
    maxQueueDepth: config.SB_MAX_QUEUE_DEPTH,
    maxConcurrency: config.SB_MAX_CONCURRENCY,
    maxRetries: config.SB_MAX_RETRIES,
    retryBackoffMs: config.SB_RETRY_BACKOFF_MS,
    ...(deps.deadLetters ? { deadLetters: deps.deadLetters } : {}),
    ...(deps.onMetric ? { onMetric: deps.onMetric } : {}),
  });
}

/** A dead-letter table's row, as the SQLite `dlq` table takes it (structural: the bus imports no persistence). */
export interface DeadLetterRow {
  eventJson: string;
  subscription: string;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  ts: string;
}

/** The bus's dead letters as rows of a table (`db.deadLetters`): the envelope kept whole, as JSON, for replay. */
export function deadLetterRows(table: { put(row: DeadLetterRow): unknown }): DeadLetterSink {
  return {
    put(entry: DeadLetter): void {
      table.put({
        eventJson: JSON.stringify(entry.event),
        subscription: entry.subscriptionName,
        errorCode: entry.errorCode,
        errorMessage: entry.errorMessage,
        attempts: entry.attempts,
        ts: entry.ts,
      });
    },
  };
}

export interface ModeEmitterOptions {
  bus: InMemoryBus;
  config: Pick<OrdinisConfig, 'ORCH_PROFILE'>;
  /** Stamps ts_ingest (and ts_event when the caller gives none): a backtest's bar clock, paper's wall clock. */
  clock: Clock;
  /** Event and trace ids. Never the engine's own source: drawing from it would change a run's retry jitter. */
  random: RandomSource;
  /** The emitting component, e.g. "orch.paper". */
  source: string;
  /** The venue tag: "paper", "backtest". */
  venue: string;
  onEmitFailure?: (failure: EmitFailure) => void;
}

/**
 * The emitter a mode hands to the engine and the kill switch. It builds an envelope only for
 * a topic someone subscribed to: a backtest with no listener pays nothing per bar.
 */
export function createModeEmitter(o: ModeEmitterOptions): EnvelopeFactory {
  return new EnvelopeFactory({
    bus: o.bus,
    clock: o.clock,
    random: o.random,
    source: o.source,
    tags: { instrument_type: 'equity', venue: o.venue, jurisdiction: 'US', env: o.config.ORCH_PROFILE },
    onlyWhenHeard: true,
    ...(o.onEmitFailure ? { onEmitFailure: o.onEmitFailure } : {}),
  });
}
