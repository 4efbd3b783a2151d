// SqliteOrderStore.attachAuditRecord: the order's exec.submit audit record and its audit_ref
// commit together or not at all (the audit and order stores share one connection).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderIntent } from '../../src/domain/order.ts';
import { OrdinisError } from '../../src/errors.ts';
import { auditInput, expectCode, openTempDatabase } from './temp-database.ts';

function intent(n: number): OrderIntent {
  return {
    clientOrderId: `co-${n}`,
    idempotencyKey: `idem-${n}`,
    correlationId: 'run-1',
    signalId: `sig-${n}`,
    symbol: 'AAPL',
    side: 'buy',
    qty: 10,
    orderType: 'market',
    timeInForce: 'gtc',
    ts: 1_735_700_000_000 + n,
  };
}

test('the audit record and the order ref to it are stored together', (t) => {
  const { db, reopen } = openTempDatabase(t);
  db.orders.insertIntent(intent(1));
  const ref = db.orders.attachAuditRecord('co-1', () => db.audit.append(auditInput(1, { subjectRef: 'co-1' })).seq);
  const again = reopen();
  assert.equal(again.orders.findByClientOrderId('co-1')!.auditRef, ref);
  assert.deepEqual(again.audit.findBySubject(['co-1']).map((r) => r.seq), [ref]);
  assert.equal(again.audit.verify().ok, true);
});

test('when the ref cannot be stored, the audit record appended with it is rolled back', (t) => {
  const { db } = openTempDatabase(t);
  const head = db.audit.head();
  expectCode(() => db.orders.attachAuditRecord('co-unknown', () => db.audit.append(auditInput(1, { subjectRef: 'co-unknown' })).seq), 'E_DB_CONSTRAINT');
  assert.deepEqual(db.audit.head(), head, 'the chain head did not move');
  assert.deepEqual(db.audit.findBySubject(['co-unknown']), []);
});

test('when the append fails, the order keeps no ref and the error is the append\'s', (t) => {
  const { db } = openTempDatabase(t);
  db.orders.insertIntent(intent(2));
  assert.throws(
    () =>
      db.orders.attachAuditRecord('co-2', () => {
        throw new OrdinisError('E_GOV_AUDIT_WRITE_FAILED', 'audit record not written');
      }),
    (e: unknown) => e instanceof OrdinisError && e.code === 'E_GOV_AUDIT_WRITE_FAILED',
  );
  assert.equal(db.orders.findByClientOrderId('co-2')!.auditRef, null);
});
