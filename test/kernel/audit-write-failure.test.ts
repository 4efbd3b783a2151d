// A submitted order whose audit record could not be written: AUDIT finds it in the order
// book even though EXEC failed, and with KILL_AUTO_ON_AUDIT_FAILURE the kill switch trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { GovernanceEngine } from '../../src/governance/governance-engine.ts';
import { MemoryAuditStore, type AuditRecordInput } from '../../src/governance/audit-chain.ts';
import { ExecStage } from '../../src/stages/exec/exec-stage.ts';
import { AuditStage } from '../../src/stages/audit/audit-stage.ts';
import { PaperBroker } from '../../src/adapters/venue/paper-broker.ts';
import { MemoryOrderStore } from '../../src/adapters/memory/memory-order-store.ts';
import type { RiskDecision } from '../../src/domain/risk.ts';
import { makeEngine, scriptedStages } from '../support/engine-harness.ts';

class FlakyAuditStore extends MemoryAuditStore {
  override append(input: AuditRecordInput) {
    if (input.kind === 'exec.submit') throw new Error('disk full');
    return super.append(input);
  }
}

const decision: RiskDecision = { signalId: 's1', symbol: 'AAA', ts: 0, allowed: true, reasons: ['RISK.OK'], policyVersion: 'risk_v1', order: { side: 'buy', qty: 1, referencePrice: 10 } };

for (const killOnAuditWriteFailure of [true, false]) {
  test(`EXEC's audit write fails after the broker accepted (kill on audit failure: ${killOnAuditWriteFailure})`, async () => {
    const governance = new GovernanceEngine({ policyVersion: 'gov_v1', store: new FlakyAuditStore(), clock: new ManualClock(0) });
    const orders = new MemoryOrderStore();
    const stages = {
      ...scriptedStages([], { RISK: () => [decision] }),
      EXEC: new ExecStage({ broker: new PaperBroker({ startingCash: 1000 }), orderStore: orders, governance }),
      AUDIT: new AuditStage({ governance, orderStore: orders }),
    };
    const { engine, kill } = makeEngine({ stages, settings: { retryMax: 0, killOnAuditWriteFailure, failClosedOnAudit: false } });
    engine.start();
    const r = await engine.runCycle({ kind: 'manual' });
    const byStage = Object.fromEntries(r.stageResults.map((s) => [s.stage, s]));
    assert.equal(byStage.EXEC!.errorCode, 'E_GOV_AUDIT_WRITE_FAILED');
    assert.equal(byStage.AUDIT!.errorCode, 'E_AUDIT_INCOMPLETE', 'the unaudited order is found in the book');
    assert.equal(r.status, 'failed');
    // With AUDIT failing open (dev), only KILL_AUTO_ON_AUDIT_FAILURE trips the switch.
    assert.equal(kill.isActive(), killOnAuditWriteFailure);
  });
}
