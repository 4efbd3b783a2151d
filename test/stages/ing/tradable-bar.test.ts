// A live bar with a bad price never reaches the simulated venue: ING refuses it before
// notifying listeners, so no resting order can fill at a price of 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrdinisError } from '../../../src/errors.ts';
import { IngestStage } from '../../../src/stages/ing/ingest-stage.ts';
import { ArrayBarSource } from '../../../src/adapters/data/array-bar-source.ts';
import { CircuitBreaker } from '../../../src/adapters/resilience/circuit-breaker.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import type { Bar } from '../../../src/domain/market.ts';
import { makeCtx } from './fixtures.ts';

test('a bar with a zero open is refused before any venue sees it', () => {
  const seen: Bar[] = [];
  const bad: Bar = { symbol: 'AAA', ts: 1000, open: 0, high: 11, low: 9, close: 10, volume: 5 };
  const ing = new IngestStage({ source: new ArrayBarSource([bad]), listeners: [{ onBar: (b) => seen.push(b) }] });
  assert.throws(() => ing.run(makeCtx({ cycleTime: 1000, mode: 'backtest' }) as never), (e: OrdinisError) => e.code === 'E_ING_NORMALIZE_FAILED' && /open 0/.test(e.message));
  assert.equal(seen.length, 0);
});

test('KILL_CIRCUIT_OPEN_MAX_MS = 0 disables the open-too-long report', () => {
  const clock = new ManualClock(0);
  let reported = 0;
  const cb = new CircuitBreaker({ clock, failureThreshold: 1, resetTimeoutMs: 10, openTooLongMs: 0, onOpenTooLong: () => reported++ });
  assert.throws(() => cb.execute(() => { throw new Error('down'); }));
  clock.advance(1_000_000);
  assert.throws(() => cb.execute(() => { throw new Error('down'); }));
  assert.equal(reported, 0);
});
