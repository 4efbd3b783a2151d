// A backtest's audit is a completeness check (no hash chain): governance still hands every
// record a reference, AUDIT still fails a cycle whose submitted order has no record, and the
// run can count its records by kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import type { ExecutionBatch } from '../../src/domain/order.ts';
import { OrdinisError } from '../../src/errors.ts';
import type { AuditRecordInput } from '../../src/governance/audit-chain.ts';
import { AuditCompletenessCheck } from '../../src/governance/audit-completeness.ts';
import { GovernanceEngine } from '../../src/governance/governance-engine.ts';
import { AuditStage } from '../../src/stages/audit/audit-stage.ts';
import { ExecStage } from '../../src/stages/exec/exec-stage.ts';
import { MemoryOrderStore } from '../../src/adapters/memory/memory-order-store.ts';
import { PaperBroker } from '../../src/adapters/venue/paper-broker.ts';
import { T0, makeCtx } from '../stages/exec/support.ts';

function record(kind: string, correlationId: string | null, subjectRef: string | null): AuditRecordInput {
  return { ts: 't', kind, component: 'exec', action: 'order.submit', actor: 'a', correlationId, policyVersion: 'gov_v1', decision: 'allow', subjectRef, payload: {} };
}

test('records get dense references and are counted by kind; only the current cycle\'s subjects are kept', () => {
  const log = new AuditCompletenessCheck();
  assert.equal(log.append(record('gov.preflight', 'c1', null)).seq, 1);
  assert.equal(log.append(record('exec.submit', 'c1', 'o1')).seq, 2);
  assert.equal(log.append(record('kill.activate', null, 'k1')).seq, 3, 'a record with no cycle joins the cycle in progress');
  assert.deepEqual(log.findBySubject(['o1', 'k1', 'o9']).map((r) => r.subjectRef), ['o1', 'k1']);
  log.append(record('gov.preflight', 'c2', null));
  log.append(record('exec.submit', 'c2', 'o2'));
  assert.deepEqual(log.findBySubject(['o1', 'o2']).map((r) => r.subjectRef), ['o2'], 'a new cycle starts a new window');
  assert.deepEqual(log.countsByKind(), { 'gov.preflight': 2, 'exec.submit': 2, 'kill.activate': 1 });
  assert.equal(log.count, 5);
});

function cycle(correlationId: string, log: AuditCompletenessCheck) {
  const governance = new GovernanceEngine({ policyVersion: 'gov_v1', store: log, clock: new ManualClock(T0) });
  const exec = new ExecStage({ broker: new PaperBroker(), orderStore: new MemoryOrderStore(), governance });
  const batch = exec.run(
    makeCtx({ correlationId, stage: 'EXEC', data: { RISK: [{ signalId: `s-${correlationId}`, symbol: 'X', ts: T0, allowed: true, reasons: ['RISK.OK'], policyVersion: 'risk_v1', order: { side: 'buy', qty: 1, referencePrice: 1 } }] } }),
  ) as ExecutionBatch;
  return { governance, batch, audit: new AuditStage({ governance }) };
}

test('through governance, EXEC and AUDIT: a cycle whose orders were audited passes', () => {
  const log = new AuditCompletenessCheck();
  const { batch, audit } = cycle('c1', log);
  assert.equal(batch.submitted.length, 1);
  assert.deepEqual(audit.run(makeCtx({ correlationId: 'c1', stage: 'AUDIT', data: { EXEC: batch } })), { checked: 1, audited: 1, policyVersion: 'gov_v1', missing: [] });
  assert.ok((log.countsByKind()['gov.preflight'] ?? 0) >= 1);
});

test('a submitted order with no audit record in its cycle still fails AUDIT with E_AUDIT_INCOMPLETE', () => {
  const log = new AuditCompletenessCheck();
  const { batch, audit, governance } = cycle('c1', log);
  // The next cycle's records start a new window: c1's order is no longer on record there, as
  // an order whose record was never written would not be.
  governance.audit({ kind: 'gov.preflight', componentId: 'exec', action: 'order.submit', actor: 'a', correlationId: 'c2', decision: 'allow', payload: {} });
  const id = batch.submitted[0]!.intent.clientOrderId;
  assert.throws(
    () => audit.run(makeCtx({ correlationId: 'c2', stage: 'AUDIT', data: { EXEC: batch } })),
    (e: unknown) => e instanceof OrdinisError && e.code === 'E_AUDIT_INCOMPLETE' && JSON.stringify(e.details?.missing) === JSON.stringify([id]),
  );
});
