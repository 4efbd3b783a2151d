import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeadLetterInput } from '../../src/persistence/sqlite-dead-letter-store.ts';
import { openTempDatabase } from './temp-database.ts';

function letter(n: number): DeadLetterInput {
  return {
    eventJson: JSON.stringify({ event_id: `e-${n}`, event_type: 'ordinis.market.bar.closed', payload: { close: n } }),
    subscription: 'ana.bars',
    errorCode: 'E_SB_HANDLER_FAILED',
    errorMessage: `handler threw ${n}`,
    attempts: 4,
    ts: `2025-01-0${n}T00:00:00.000Z`,
  };
}

test('dead letters round-trip oldest first and survive reopen', (t) => {
  const temp = openTempDatabase(t);
  const ids = [1, 2, 3].map((n) => temp.db.deadLetters.put(letter(n)));
  assert.deepEqual(ids, [1, 2, 3]);
  const store = temp.reopen().deadLetters;
  assert.deepEqual(store.list(), [1, 2, 3].map((n, i) => ({ id: ids[i], ...letter(n) })));
  assert.deepEqual(store.list({ limit: 2 }).map((d) => d.id), [1, 2]);
  assert.equal(store.count(), 3);
});
