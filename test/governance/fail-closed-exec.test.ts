// GOV_FAIL_CLOSED_EXEC: a governance error while an order is preflighted denies the order
// (true) or lets it through with a warning (false); the order is audited either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { ExecutionBatch } from '../../src/domain/order.ts';
import { MemoryAuditStore } from '../../src/governance/audit-chain.ts';
import { GOV_ACTION } from '../../src/governance/contract.ts';
import { GovernanceEngine, governanceOptionsFromConfig } from '../../src/governance/governance-engine.ts';
import { POLICY_SETS, type PolicyRule } from '../../src/governance/policies.ts';
import { ExecStage } from '../../src/stages/exec/exec-stage.ts';
import { MemoryOrderStore } from '../../src/adapters/memory/memory-order-store.ts';
import { PaperBroker } from '../../src/adapters/venue/paper-broker.ts';
import { T0, makeCtx } from '../stages/exec/support.ts';

const broken: PolicyRule = { id: 'broken', evaluate: () => { throw new Error('policy table unreadable'); } };

function run(failClosedExec: boolean) {
  const config = loadConfig({ env: { ORDINIS_GOV_FAIL_CLOSED_EXEC: String(failClosedExec) } }).config;
  assert.equal(config.GOV_FAIL_CLOSED_EXEC, failClosedExec);
  const audit = new MemoryAuditStore();
  const governance = new GovernanceEngine({
    ...governanceOptionsFromConfig(config),
    policySets: { [config.GOV_POLICY_VERSION]: [...POLICY_SETS.gov_v1!, broken] },
    store: audit,
    clock: new ManualClock(T0),
  });
  const broker = new PaperBroker();
  const orders = new MemoryOrderStore();
  const batch = new ExecStage({ broker, orderStore: orders, governance }).run(
    makeCtx({ stage: 'EXEC', data: { RISK: [{ signalId: 's1', symbol: 'X', ts: T0, allowed: true, reasons: ['RISK.OK'], policyVersion: 'risk_v1', order: { side: 'buy', qty: 1, referencePrice: 1 } }] } }),
  ) as ExecutionBatch;
  return { batch, audit, orders, governance };
}

test('GOV_FAIL_CLOSED_EXEC=true (default): a policy error denies the order, nothing reaches the broker, the denial is audited', () => {
  assert.equal(loadConfig({ env: {} }).config.GOV_FAIL_CLOSED_EXEC, true);
  const { batch, audit, orders } = run(true);
  assert.equal(batch.submitted.length, 0);
  assert.deepEqual(batch.refused.map((r) => r.code), ['E_GOV_DENIED']);
  assert.match(batch.refused[0]!.reason, /GOV\.ERROR\.FAIL_CLOSED: policy table unreadable/);
  assert.equal(orders.listAll().length, 0);
  const pre = audit.records.find((r) => r.kind === 'gov.preflight')!;
  assert.equal(pre.decision, 'deny');
  assert.deepEqual(pre.payload.error, { code: 'E_INTERNAL', message: 'policy table unreadable' });
  assert.equal(audit.verify().ok, true);
});

test('GOV_FAIL_CLOSED_EXEC=false: the order goes through with a warning on its audited preflight', () => {
  const { batch, audit, governance } = run(false);
  assert.equal(batch.submitted.length, 1);
  const id = batch.submitted[0]!.intent.clientOrderId;
  const pre = audit.records.find((r) => r.kind === 'gov.preflight')!;
  assert.equal(pre.decision, 'warn');
  assert.match(String((pre.payload.reasons as string[])[0]), /GOV\.ERROR\.FAIL_OPEN/);
  assert.ok(governance.auditedSubjects([id]).has(id), 'the submitted order still carries an audit record');
});

test('a policy error on a kill-switch preflight is not an EXEC decision: it propagates whatever the key', () => {
  const { governance } = run(false);
  assert.throws(() => governance.preflight({ componentId: 'kill', action: GOV_ACTION.killActivate, actor: 'ops', correlationId: null, payload: {} }), /policy table unreadable/);
});
