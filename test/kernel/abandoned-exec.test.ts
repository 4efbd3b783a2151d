// An EXEC attempt cut at its budget cannot be killed; it must stop at its next signal check
// and no new cycle may start while it is still talking to the broker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrdinisError } from '../../src/errors.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { GovernanceEngine } from '../../src/governance/governance-engine.ts';
import { MemoryAuditStore } from '../../src/governance/audit-chain.ts';
import { ExecStage } from '../../src/stages/exec/exec-stage.ts';
import { PaperBroker } from '../../src/adapters/venue/paper-broker.ts';
import { MemoryOrderStore } from '../../src/adapters/memory/memory-order-store.ts';
import type { BrokerAdapter } from '../../src/stages/exec/broker-adapter.ts';
import type { OrderIntent } from '../../src/domain/order.ts';
import type { RiskDecision } from '../../src/domain/risk.ts';
import { makeEngine, scriptedStages } from '../support/engine-harness.ts';

const decision = (symbol: string): RiskDecision => ({
  signalId: `sig-${symbol}`, symbol, ts: 0, allowed: true, reasons: ['RISK.OK'], policyVersion: 'risk_v1', order: { side: 'buy', qty: 1, referencePrice: 10 },
});

test('a slow broker: EXEC is cut at its budget, stops before the next order, and cycles wait for it', async () => {
  const paper = new PaperBroker({ startingCash: 10_000 });
  let submits = 0;
  const slow: BrokerAdapter = {
    submit: (i: OrderIntent) => new Promise((r) => setTimeout(() => { submits++; r(paper.submit(i)); }, 60)),
    cancel: (id) => paper.cancel(id),
    fetchOrder: (id) => paper.fetchOrder(id),
    fetchPositions: () => paper.fetchPositions(),
    fetchAccount: () => paper.fetchAccount(),
  };
  const governance = new GovernanceEngine({ policyVersion: 'gov_v1', store: new MemoryAuditStore(), clock: new ManualClock(0) });
  const exec = new ExecStage({ broker: slow, orderStore: new MemoryOrderStore(), governance });
  const stages = { ...scriptedStages([], { RISK: () => [decision('AAA'), decision('BBB'), decision('CCC')] }), EXEC: exec };
  const { engine } = makeEngine({ stages, specOverrides: { EXEC: { budgetMs: 40 } }, settings: { retryMax: 0 } });
  engine.start();
  const r = await engine.runCycle({ kind: 'manual' });
  assert.equal(r.stageResults.find((s) => s.stage === 'EXEC')!.status, 'timed_out');
  assert.equal(engine.isBusy, true, 'the abandoned attempt keeps the engine busy');
  await assert.rejects(engine.runCycle({ kind: 'manual' }), (e: OrdinisError) => e.code === 'E_ORCH_CYCLE_IN_PROGRESS' && /EXEC attempt/.test(e.message));
  await new Promise((res) => setTimeout(res, 150));
  assert.equal(submits, 1, 'the first order completed; the attempt stopped before the second');
  assert.equal(engine.isBusy, false);
  assert.equal((await engine.runCycle({ kind: 'manual' })).correlationId.length > 0, true);
  await engine.stop();
});
