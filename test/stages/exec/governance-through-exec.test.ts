// The real GovernanceEngine behind the real ExecStage: the order rules apply to what EXEC
// actually submits (same action name on both sides), and a narrowing patch cuts the order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.ts';
import { GovernanceEngine } from '../../../src/governance/governance-engine.ts';
import { MemoryAuditStore } from '../../../src/governance/audit-chain.ts';
import { ExecStage } from '../../../src/stages/exec/exec-stage.ts';
import { PaperBroker } from '../../../src/adapters/venue/paper-broker.ts';
import { MemoryOrderStore } from '../../../src/adapters/memory/memory-order-store.ts';
import type { RiskDecision } from '../../../src/domain/risk.ts';
import { T0, makeCtx } from './support.ts';

const decision = (symbol: string, qty: number, referencePrice = 10): RiskDecision => ({
  signalId: `sig-${symbol}`, symbol, ts: T0, allowed: true, reasons: ['RISK.OK'], policyVersion: 'risk_v1', order: { side: 'buy', qty, referencePrice },
});

test('restricted symbols are refused and the notional cap narrows the order, through EXEC', async () => {
  const audit = new MemoryAuditStore();
  const governance = new GovernanceEngine({ policyVersion: 'gov_v1', store: audit, clock: new ManualClock(T0), params: { restrictedSymbols: ['BAD'], maxOrderNotional: 500 } });
  const orders = new MemoryOrderStore();
  const exec = new ExecStage({ broker: new PaperBroker({ startingCash: 10_000 }), orderStore: orders, governance });
  const out = await exec.run(makeCtx({ stage: 'EXEC', data: { RISK: [decision('BAD', 5), decision('GOOD', 80)] } }));
  assert.equal(out.submitted.length, 1);
  assert.equal(out.submitted[0]!.intent.symbol, 'GOOD');
  assert.equal(out.submitted[0]!.intent.qty, 50, 'cut to the cap: floor(500 / 10)');
  const denied = audit.records.find((r) => r.kind === 'gov.preflight' && r.decision === 'deny')!;
  assert.match(JSON.stringify(denied.payload), /GOV.SYMBOL.RESTRICTED: BAD/);
});
