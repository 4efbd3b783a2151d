import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecutionBatch, OrderIntent } from '../../../src/domain/order.ts';
import { OrdinisError } from '../../../src/errors.ts';
import { AuditStage } from '../../../src/stages/audit/audit-stage.ts';
import { ExecStage } from '../../../src/stages/exec/exec-stage.ts';
import { MemoryOrderStore } from '../../../src/adapters/memory/memory-order-store.ts';
import { PaperBroker } from '../../../src/adapters/venue/paper-broker.ts';
import { FakeGovernance, T0, makeCtx } from '../exec/support.ts';

function submitted(ids: string[]): ExecutionBatch {
  return {
    submitted: ids.map((id) => ({
      intent: { clientOrderId: id, idempotencyKey: id, correlationId: 'c', signalId: id, symbol: 'X', side: 'buy', qty: 1, orderType: 'market', timeInForce: 'gtc', ts: T0 } satisfies OrderIntent,
      report: { orderId: `b-${id}`, clientOrderId: id, symbol: 'X', side: 'buy', status: 'submitted', qty: 1, filledQty: 0, fills: [], fees: 0, slippage: 0, ts: T0 },
    })),
    resolved: [],
    working: ids,
    riskRejected: [],
    refused: [],
    recovered: [],
  };
}

test('every order EXEC submitted has an audit record with a policy version: pass', () => {
  const gov = new FakeGovernance();
  const exec = new ExecStage({ broker: new PaperBroker(), orderStore: new MemoryOrderStore(), governance: gov });
  const batch = exec.run(
    makeCtx({ stage: 'EXEC', data: { RISK: [{ signalId: 's1', symbol: 'X', ts: T0, allowed: true, reasons: ['RISK.OK'], policyVersion: 'risk_v1', order: { side: 'buy', qty: 1, referencePrice: 1 } }] } }),
  ) as ExecutionBatch;
  const audit = new AuditStage({ governance: gov });
  const out = audit.run(makeCtx({ stage: 'AUDIT', data: { EXEC: batch } }));
  assert.deepEqual(out, { checked: 1, audited: 1, policyVersion: 'gov_test_v1', missing: [] });
  assert.deepEqual(audit.summarize(out), { checked: 1, audited: 1, missing: 0 });
});

test('a submitted order without an audit record fails with E_AUDIT_INCOMPLETE listing the missing refs', () => {
  const gov = new FakeGovernance();
  gov.audit({ kind: 'exec.submit', componentId: 'exec', action: 'order.submit', actor: 'a', correlationId: 'c', decision: 'submitted', subjectRef: 'o1', payload: {} });
  const audit = new AuditStage({ governance: gov });
  assert.throws(
    () => audit.run(makeCtx({ stage: 'AUDIT', data: { EXEC: submitted(['o1', 'o2', 'o3']) } })),
    (e: unknown) => e instanceof OrdinisError && e.code === 'E_AUDIT_INCOMPLETE' && !e.retryable && JSON.stringify(e.details?.missing) === '["o2","o3"]',
  );
});

test('a cycle with no submissions (or no EXEC output) is trivially complete', () => {
  const audit = new AuditStage({ governance: new FakeGovernance() });
  assert.deepEqual(audit.run(makeCtx({ stage: 'AUDIT' })), { checked: 0, audited: 0, policyVersion: 'gov_test_v1', missing: [] });
  assert.equal(audit.run(makeCtx({ stage: 'AUDIT', data: { EXEC: submitted([]) } })).checked, 0);
});
