// Valid envelopes for the bus tests, and small async helpers. Not a test file itself.

import type { EventEnvelope } from '../../src/bus/contract.ts';

export const VALID_TAGS = { instrument_type: 'equity', venue: 'paper', jurisdiction: 'US', env: 'paper' } as const;

/** A valid `ordinis.market.bar.closed` event; `n` varies its id. */
export function sampleEvent(overrides: Partial<EventEnvelope> = {}, n = 0): EventEnvelope {
  return {
    event_id: `evt-${n}`,
    event_type: 'ordinis.market.bar.closed',
    schema_version: '1.0.0',
    ts_event: '2024-01-02T15:04:05.000Z',
    ts_ingest: '2024-01-02T15:04:05.001Z',
    source: 'ing.file_replay',
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    span_id: 'b7ad6b7169203331',
    correlation_id: 'cycle-1',
    partition_key: 'AAPL',
    payload: { symbol: 'AAPL', close: 187.5, n },
    tags: { ...VALID_TAGS },
    ...overrides,
  };
}

/** The sample event with one field removed. */
export function without(field: keyof EventEnvelope, base: EventEnvelope = sampleEvent()): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...base };
  delete copy[field];
  return copy;
}

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets a few turns of the event loop pass (macrotasks), to vary handler durations. */
export async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
}
