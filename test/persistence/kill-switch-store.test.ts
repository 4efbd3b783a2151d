import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KillState } from '../../src/kill-switch/contract.ts';
import { openTempDatabase } from './temp-database.ts';

const active: KillState = {
  state: 'ACTIVE',
  reason: 'ledger invariant breached',
  activatedAt: '2025-01-02T03:04:05.000Z',
  actor: 'system:ledger',
  updatedAt: '2025-01-02T03:04:05.000Z',
};

test('nothing stored yet reads as undefined', (t) => {
  const { db } = openTempDatabase(t);
  assert.equal(db.killSwitch.load(), undefined);
});

test('the kill state survives close and reopen, and stays one row', (t) => {
  const temp = openTempDatabase(t);
  temp.db.killSwitch.save(active);
  assert.deepEqual(temp.reopen().killSwitch.load(), active);

  const inactive: KillState = { state: 'INACTIVE', reason: null, activatedAt: null, actor: 'ops:alice', updatedAt: '2025-01-02T04:00:00.000Z' };
  temp.db.killSwitch.save(inactive);
  assert.deepEqual(temp.reopen().killSwitch.load(), inactive);
  assert.equal(temp.db.handle.prepare('SELECT COUNT(*) FROM kill_switch').pluck().get(), 1);
});

test('the table holds one row only and known states only', (t) => {
  const { db } = openTempDatabase(t);
  assert.throws(() => db.handle.exec("INSERT INTO kill_switch (id, state, updated_at) VALUES (2, 'ACTIVE', 'x')"), /CHECK/);
  assert.throws(() => db.handle.exec("INSERT INTO kill_switch (id, state, updated_at) VALUES (1, 'MAYBE', 'x')"), /CHECK/);
});
