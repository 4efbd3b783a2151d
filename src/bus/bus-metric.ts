// What the in-memory bus reports as it works, for whoever wires metrics (prom-client
// counters keyed by kind, topic and error_code). The bus calls `onMetric` synchronously on
// its dispatch path, so the callback should only bump counters; if it throws, the bus
// swallows the error rather than lose a delivery to a metrics bug.

import type { ErrorCode } from '../errors.ts';

export const BUS_METRIC_KINDS = [
  'published', // an event was accepted
  'unrouted', // an accepted event matched no subscriber
  'rejected', // publish refused: invalid envelope (E_SB_SCHEMA_REJECT)
  'backpressure', // publish refused: a queue was full (E_SB_BACKPRESSURE)
  'dispatched', // a handler invocation started (dispatchLatencyMs on first attempts)
  'delivered', // a handler invocation succeeded
  'failed', // a handler invocation threw or rejected
  'retry_scheduled', // a failed delivery will be tried again after a delay
  'dead_lettered', // a delivery ran out of attempts and went to the DLQ
  'dead_letter_write_failed', // the DLQ sink threw; the entry is lost
  'dropped', // a pending delivery was discarded by unsubscribe() or close()
] as const;

export type BusMetricKind = (typeof BUS_METRIC_KINDS)[number];

export interface BusMetric {
  kind: BusMetricKind;
  topic: string;
  /** The subscription's name, for per-subscriber kinds. */
  subscription?: string;
  errorCode?: ErrorCode;
  /** Handler invocations so far, for per-delivery kinds. */
  attempts?: number;
  /** Publish to first handler start, by the bus clock; on the first `dispatched` only. */
  dispatchLatencyMs?: number;
  /** Retry delay, on `retry_scheduled`. */
  delayMs?: number;
}

export type BusMetricListener = (metric: BusMetric) => void;
