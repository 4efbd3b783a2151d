// The in-memory bus's options, each with its SB default, and the one function that
// validates and fills them in.

import type { Clock } from '../core/clock.ts';
import { OrdinisError } from '../errors.ts';
import type { BusMetricListener } from './bus-metric.ts';
import type { DeadLetterSink } from './contract.ts';
import { MemoryDeadLetterSink } from './memory-dead-letter-sink.ts';

export interface InMemoryBusOptions {
  /** Stamps acks (`ts_published`), dead letters and dispatch latency. Required: time is injected. */
  clock: Clock;
  /**
   * SB_MAX_QUEUE_DEPTH, default 10000. Per topic and subscriber: the most deliveries of one
   * topic a subscriber may have outstanding (queued, running or waiting to retry). A
   * publish that would exceed it for any matching subscriber is refused whole.
   */
  maxQueueDepth?: number;
  /** SB_MAX_CONCURRENCY, default 64: handler invocations running at once, all subscribers together. */
  maxConcurrency?: number;
  /**
   * The most a subscriber's `maxInFlight` may be, default max(1, floor(maxConcurrency / 4)).
   * It is what stops one stuck subscriber from holding every handler slot.
   */
  maxInFlightPerSubscriber?: number;
  /** SB_MAX_RETRIES, default 3: attempts after the first before a delivery is dead-lettered. */
  maxRetries?: number;
  /** SB_RETRY_BACKOFF_MS, default 50: delay before the first retry, doubled for each one after. */
  retryBackoffMs?: number;
  /** Cap on a single retry delay, default 30000 ms. */
  maxRetryBackoffMs?: number;
  /** Where exhausted deliveries go, default a MemoryDeadLetterSink. */
  deadLetters?: DeadLetterSink;
  /** Called for every bus metric (see bus-metric.ts). */
  onMetric?: BusMetricListener;
  /**
   * Handler invocations started in one turn of the event loop before the bus yields to I/O
   * and timers (setImmediate), default 256. Keeps a burst of synchronous handlers from
   * blocking the process.
   */
  dispatchBatch?: number;
}

export interface ResolvedBusOptions {
  clock: Clock;
  maxQueueDepth: number;
  maxConcurrency: number;
  maxInFlightPerSubscriber: number;
  maxRetries: number;
  retryBackoffMs: number;
  maxRetryBackoffMs: number;
  deadLetters: DeadLetterSink;
  onMetric: BusMetricListener | undefined;
  dispatchBatch: number;
}

export const SB_DEFAULTS = {
  maxQueueDepth: 10_000,
  maxConcurrency: 64,
  maxRetries: 3,
  retryBackoffMs: 50,
  maxRetryBackoffMs: 30_000,
  dispatchBatch: 256,
} as const;

/** Fills defaults and checks ranges; throws OrdinisError E_CFG_INVALID naming the bad option. */
export function resolveBusOptions(options: InMemoryBusOptions): ResolvedBusOptions {
  if (options.clock === undefined || typeof options.clock.now !== 'function') {
    throw new OrdinisError('E_CFG_INVALID', 'bus option clock is required');
  }
  const maxConcurrency = integerOption('maxConcurrency', options.maxConcurrency, SB_DEFAULTS.maxConcurrency, 1);
  return {
    clock: options.clock,
    maxQueueDepth: integerOption('maxQueueDepth', options.maxQueueDepth, SB_DEFAULTS.maxQueueDepth, 1),
    maxConcurrency,
    maxInFlightPerSubscriber: Math.min(
      maxConcurrency,
      integerOption('maxInFlightPerSubscriber', options.maxInFlightPerSubscriber, Math.max(1, Math.floor(maxConcurrency / 4)), 1),
    ),
    maxRetries: integerOption('maxRetries', options.maxRetries, SB_DEFAULTS.maxRetries, 0),
    retryBackoffMs: integerOption('retryBackoffMs', options.retryBackoffMs, SB_DEFAULTS.retryBackoffMs, 0),
    maxRetryBackoffMs: integerOption('maxRetryBackoffMs', options.maxRetryBackoffMs, SB_DEFAULTS.maxRetryBackoffMs, 0),
    deadLetters: options.deadLetters ?? new MemoryDeadLetterSink(),
    onMetric: options.onMetric,
    dispatchBatch: integerOption('dispatchBatch', options.dispatchBatch, SB_DEFAULTS.dispatchBatch, 1),
  };
}

function integerOption(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new OrdinisError('E_CFG_INVALID', `bus option ${name} must be an integer >= ${min} (got ${value})`, {
      details: { option: name, value },
    });
  }
  return value;
}
