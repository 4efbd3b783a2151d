// Canceling working orders on a kill activation must not swallow a fill. The paper venue
// settles a new bar lazily, at the next look: when the activation is adopted after ING fed
// the bar, the cancel finds the order already filled. That answer was recorded as final, so
// EXEC's capture (which asks about open orders only) never handed the fill to PORT, and the
// ledger's next reconciliation with the venue breached (the paper loop then killed itself).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { systemClock } from '../../../src/core/clock.ts';
import type { RiskDecision } from '../../../src/domain/risk.ts';
import { GovernanceEngine } from '../../../src/governance/governance-engine.ts';
import { openDatabase } from '../../../src/persistence/database.ts';
import { cancelWorkingOrders } from '../../../src/modes/paper/cancel-on-kill.ts';
import type { ExecutionBatch } from '../../../src/domain/order.ts';
import { ExecStage } from '../../../src/stages/exec/exec-stage.ts';
import { PaperBroker } from '../../../src/adapters/venue/paper-broker.ts';
import { DAY, T0, bar, makeCtx } from '../../stages/exec/support.ts';
import { tempDir } from './paper-support.ts';

const buy: RiskDecision = { signalId: 'sig-X', symbol: 'X', ts: T0, allowed: true, reasons: ['RISK.OK'], policyVersion: 'risk_v1', order: { side: 'buy', qty: 10, referencePrice: 10 } };

test('an order the venue filled before the kill cancel reached it: its fill still reaches PORT through EXEC', async (t) => {
  const db = openDatabase({ path: join(tempDir(t), 'cancel.db') });
  t.after(() => db.close());
  const governance = new GovernanceEngine({ policyVersion: 'gov_v1', store: db.audit, clock: systemClock });
  const venue = new PaperBroker({ startingCash: 10_000 });
  const exec = new ExecStage({ broker: venue, orderStore: db.orders, governance });
  const run = (ts: number, risk: RiskDecision[]): ExecutionBatch =>
    exec.run(makeCtx({ stage: 'EXEC', correlationId: `c-${ts}`, cycleTime: ts, data: { RISK: risk } })) as ExecutionBatch;

  venue.onBar(bar('X', T0, 10, 10));
  const first = run(T0, [buy]);
  assert.equal(first.submitted.length, 1);
  const id = first.submitted[0]!.intent.clientOrderId;
  assert.deepEqual(first.working, [id], 'the order rests until the next bar');

  // The next bar reaches the venue (ING), then the activation is adopted: the cancel comes too late.
  venue.onBar(bar('X', T0 + DAY, 11, 11));
  const outcome = await cancelWorkingOrders(venue, db.orders);
  assert.deepEqual(outcome.canceled, []);
  assert.equal(venue.fetchOrder(id)?.status, 'filled');

  // Trading resumes: EXEC's capture hands the fill to PORT.
  const next = run(T0 + DAY, []);
  const report = next.resolved.find((r) => r.clientOrderId === id);
  assert.ok(report, 'the filled order is resolved by the next EXEC run');
  assert.equal(report.status, 'filled');
  assert.equal(report.fills.length, 1);
  assert.equal(db.orders.findByClientOrderId(id)?.status, 'filled');
});
