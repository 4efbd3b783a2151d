// The durable-write points on the `ordinis:paper:durable-write` diagnostics channel, in
// process on a real SQLite file: a subscriber present at start hears every point where it
// sits between two durable writes (what the crash tests' preload kills at), with the writes
// before it already on file; a process nobody observed at start publishes nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { join } from 'node:path';
import { DURABLE_WRITE_CHANNEL, type DurableWriteMessage, type DurableWritePoint } from '../../../src/modes/paper/durable-write-points.ts';
import { openPaper, tempDir } from './paper-support.ts';

function listen(onPoint: (point: DurableWritePoint) => void): () => void {
  const fn = (message: unknown): void => onPoint((message as DurableWriteMessage).point);
  subscribe(DURABLE_WRITE_CHANNEL, fn);
  return () => unsubscribe(DURABLE_WRITE_CHANNEL, fn);
}

test('a subscriber at start hears each point between the two writes it names, in order, once per order and fill', async (t) => {
  const points: DurableWritePoint[] = [];
  let db: Awaited<ReturnType<typeof openPaper>>['db'] | undefined;
  const persisted: number[] = [];
  const stop = listen((p) => {
    points.push(p);
    // At exec.after_persist the intent is on file and not yet answered: the first write happened, the second not.
    if (p === 'exec.after_persist') persisted.push(db!.orders.listAll().filter((o) => o.status === 'pending').length);
  });
  t.after(stop);
  const opened = await openPaper(t, join(tempDir(t), 'points.db'));
  db = opened.db;
  const summary = await opened.rt.run();
  assert.ok(summary.venue.orders >= 2, `want orders to observe, got ${summary.venue.orders}`);

  const count = (p: DurableWritePoint): number => points.filter((x) => x === p).length;
  assert.equal(count('exec.after_persist'), summary.venue.orders, 'one per order intent');
  assert.equal(count('exec.after_submit'), summary.venue.orders, 'one per order the venue recorded');
  assert.equal(count('exec.before_audit_ref'), summary.venue.orders, 'one per submission audit record');
  assert.equal(count('port.before_commit'), summary.ledger.fills, 'one per fill posted');
  assert.ok(count('cycle.mid') >= 1);
  assert.ok(persisted.every((n) => n === 1), `one pending intent on file at each exec.after_persist: ${persisted.join(',')}`);
  // Per order: the intent is persisted, then the venue records it, then its audit record is appended.
  const orderPoints = points.filter((p) => p.startsWith('exec.'));
  for (let i = 0; i < orderPoints.length; i += 3) assert.deepEqual(orderPoints.slice(i, i + 3), ['exec.after_persist', 'exec.after_submit', 'exec.before_audit_ref']);
});

test('nobody subscribed at start: the runtime composes no publishing wrappers, so a later subscriber hears nothing', async (t) => {
  const { rt } = await openPaper(t, join(tempDir(t), 'unobserved.db'));
  const points: DurableWritePoint[] = [];
  t.after(listen((p) => points.push(p)));
  const summary = await rt.run();
  assert.ok(summary.venue.orders >= 2);
  assert.deepEqual(points, []);
});
